// spwf04emu: wires the options, the module's flash and state, one transport and the AT session
// onto one io_context, and runs until SIGINT/SIGTERM/SIGHUP (exit 0) or the end of stdin.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>

#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "emulator/AttachTransport.hpp"
#include "emulator/ConnectTransport.hpp"
#include "emulator/ControlClient.hpp"
#include "emulator/ControlServer.hpp"
#include "emulator/ControlVerbs.hpp"
#include "emulator/InstanceLock.hpp"
#include "emulator/Options.hpp"
#include "emulator/PacedTransport.hpp"
#include "emulator/PtyTransport.hpp"
#include "emulator/StdioTransport.hpp"
#include "emulator/TcpConsoleTransport.hpp"
#include "support/Log.hpp"
#include "support/Random.hpp"
#include "support/Trace.hpp"
#include "tls/KeyLog.hpp"

namespace {
namespace asio = boost::asio;
using spwf::emulator::ConsoleKind;
using spwf::emulator::Options;

/// The console on TCP; `:PORT` listens on loopback only (the console reaches the host's network).
std::unique_ptr<spwf::emulator::TcpConsoleTransport> make_tcp(
    asio::io_context& io, const Options& options, const std::vector<std::string>& allow) {
  using spwf::emulator::TcpConsoleTransport;
  auto address = TcpConsoleTransport::ListenAddress::parse(options.listen);
  if (!address) {
    throw spwf::config::StartupError("--listen " + options.listen +
                                     ": expected HOST:PORT, e.g. 127.0.0.1:5000 or [::1]:5000");
  }
  if (address->host.empty()) address->host = "127.0.0.1";
  try {
    auto tcp =
        std::make_unique<TcpConsoleTransport>(io.get_executor(), address->host, address->port);
    tcp->admit_only(allow);  // --allow's address rules also say who may drive the console
    return tcp;
  } catch (const std::runtime_error& error) {
    const std::string reason = error.what();
    const bool in_use = reason.find("in use") != std::string::npos;
    throw spwf::config::StartupError(
        "--listen " + options.listen + ": " + reason +
        (in_use ? " (another emulator or program has the port; choose another)" : ""));
  }
}

/// Checks that the pty link can be made: its directory exists and nothing but a link is there.
void check_pty_link(const std::filesystem::path& link) {
  const auto directory = link.has_parent_path() ? link.parent_path() : std::filesystem::path{"."};
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    throw spwf::config::StartupError("--pty-link " + link.string() + ": the directory " +
                                     directory.string() + " does not exist");
  }
  const auto status = std::filesystem::symlink_status(link, error);
  if (std::filesystem::exists(status) && !std::filesystem::is_symlink(status)) {
    throw spwf::config::StartupError("--pty-link " + link.string() +
                                     ": a file that is not a symbolic link is there; choose "
                                     "another path");
  }
}

/// The console on a simulator's UART: its tty (--attach) or its socket (--connect).
std::unique_ptr<spwf::emulator::LinkTransport> make_simulator_link(asio::io_context& io,
                                                                   const Options& options) {
  using namespace spwf::emulator;
  if (options.console == ConsoleKind::attach) {
    try {
      return std::make_unique<AttachTransport>(io.get_executor(), *options.attach);
    } catch (const std::runtime_error& error) {
      throw spwf::config::StartupError("--attach " + options.attach->string() + ": " +
                                       error.what());
    }
  }
  auto address = ConnectAddress::parse(options.connect);
  if (!address) {
    throw spwf::config::StartupError("--connect " + options.connect +
                                     ": expected HOST:PORT (e.g. 127.0.0.1:4321 or [::1]:4321) "
                                     "or unix:PATH");
  }
  return std::make_unique<ConnectTransport>(io.get_executor(), std::move(*address));
}

/// Creates the transport the options ask for, announces where the console is, and calls
/// `attached` each time a host opens or connects to it.
std::unique_ptr<spwf::atcmd::Transport> make_transport(asio::io_context& io, const Options& options,
                                                       const spwf::config::EmulatorConfig& settings,
                                                       std::function<void()> attached) {
  if (options.console == ConsoleKind::stdio) {
    return std::make_unique<spwf::emulator::StdioTransport>(io.get_executor());
  }
  if (options.console == ConsoleKind::tcp) {
    auto tcp = make_tcp(io, options, settings.allow);
    tcp->on_host_attached(std::move(attached));
    tcp->start();
    std::printf("spwf04emu: AT console on tcp:%s\n", tcp->local_address().c_str());
    std::fflush(stdout);
    return tcp;
  }
  if (options.console == ConsoleKind::attach || options.console == ConsoleKind::connect) {
    auto link = make_simulator_link(io, options);
    link->on_host_attached(std::move(attached));
    link->start();
    const std::string where =
        options.console == ConsoleKind::attach
            ? "attach:" + options.attach->string()
            : "connect:" + spwf::emulator::ConnectAddress::parse(options.connect)->text();
    std::printf("spwf04emu: AT console on %s\n", where.c_str());
    std::fflush(stdout);
    return link;
  }
  auto pty = std::make_unique<spwf::emulator::PtyTransport>(io.get_executor(), options.pty_link);
  pty->on_host_attached(std::move(attached));
  std::printf("spwf04emu: AT console on %s\n", pty->slave_path().c_str());
  std::fflush(stdout);
  return pty;
}

/// Opens the log file, the trace and the TLS key log the options and SSLKEYLOGFILE ask for.
void open_outputs(const Options& options) {
  std::string reason;
  if (options.log_file && !spwf::log::open_file(*options.log_file, reason)) {
    throw spwf::config::StartupError(reason);
  }
  if (options.trace_file && !spwf::trace::open(*options.trace_file, reason)) {
    throw spwf::config::StartupError("--trace: " + reason + ": " + std::strerror(errno));
  }
  if (options.key_log) {
    if (!spwf::tls::open_key_log(*options.key_log, reason)) {
      throw spwf::config::StartupError("--keylog: " + reason + ": " + std::strerror(errno));
    }
    return;
  }
  // The NSS key log: the SSLKEYLOGFILE variable browsers and curl honour.
  const char* variable = std::getenv("SSLKEYLOGFILE");
  if (variable == nullptr || *variable == '\0') return;
  if (!spwf::tls::open_key_log(variable, reason)) {
    throw spwf::config::StartupError(std::string{"the environment variable SSLKEYLOGFILE="} +
                                     variable + ": " + reason + ": " + std::strerror(errno) +
                                     " (correct or unset the variable, or give --keylog FILE)");
  }
}

/// The configuration file (or the defaults), with the command line's mapping rules added.
spwf::config::EmulatorConfig load_settings(const Options& options) {
  auto settings = options.config_file ? spwf::config::load_emulator_config(*options.config_file)
                                      : spwf::config::default_emulator_config();
  for (const auto& text : options.resolve) {
    settings.resolve.push_back(spwf::config::parse_resolve_rule(text));
  }
  for (const auto& text : options.connect_to) {
    settings.connect_to.push_back(spwf::config::parse_connect_to_rule(text));
  }
  settings.allow.insert(settings.allow.end(), options.allow.begin(), options.allow.end());
  settings.deny.insert(settings.deny.end(), options.deny.begin(), options.deny.end());
  if (options.no_host_dns) settings.host_dns = false;
  return settings;
}

/// The control interface (--control), listening before the console is announced so that a
/// client that saw the console line can connect; its module verbs are added once the session
/// exists (before the loop runs, so no request comes first).
struct ControlRoom {
  spwf::emulator::ControlProtocol protocol;
  std::unique_ptr<spwf::emulator::ControlServer> server;
};

void open_control(asio::io_context& io, const Options& options, ControlRoom& room) {
  if (options.control.empty()) return;
  const auto address = spwf::emulator::ControlAddress::parse(options.control);
  try {
    room.server =
        std::make_unique<spwf::emulator::ControlServer>(io.get_executor(), *address, room.protocol);
  } catch (const std::runtime_error& error) {
    throw spwf::config::StartupError("--control " + options.control + ": " + error.what());
  }
}

/// The locks that keep a second emulator off this one's state directory and pty link.
struct Ownership {
  std::optional<spwf::emulator::InstanceLock> state_dir;
  std::optional<spwf::emulator::InstanceLock> pty_link;
};

void take_ownership(const Options& options, Ownership& owned) {
  std::error_code ignored;
  std::filesystem::create_directories(options.state_dir, ignored);
  // An unusable directory is reported by the FlashStore, naming it.
  if (std::filesystem::is_directory(options.state_dir, ignored)) {
    owned.state_dir.emplace(options.state_dir / "spwf04emu.lock",
                            "--state-dir " + options.state_dir.string());
  }
  if (options.pty_link) {
    check_pty_link(*options.pty_link);
    owned.pty_link.emplace(options.pty_link->string() + ".lock",
                           "--pty-link " + options.pty_link->string());
  }
}

int run(const Options& options) {
  spwf::log::set_level(options.log_level);
  if (options.seed) spwf::random::seed(*options.seed);
  open_outputs(options);
  Ownership owned;
  take_ownership(options, owned);
  spwf::config::FlashStore flash{options.state_dir};
  if (options.factory_reset) flash.erase_config();
  flash.load_config();  // a damaged saved state stops the start, naming the file
  asio::io_context io;
  // Before the console line is printed, so a signal sent on seeing it is handled. SIGHUP: the
  // terminal that started the emulator closed; clean up (the pty link) as on SIGTERM.
  asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
  signals.async_wait([&io](const boost::system::error_code& error, int number) {
    if (!error) spwf::log::info("signal " + std::to_string(number) + ", stopping");
    io.stop();
  });
  const auto pacing = options.boot == spwf::atcmd::BootPacing::real
                          ? spwf::net::LinkPacing::real
                          : spwf::net::LinkPacing::instant;
  const auto settings = load_settings(options);
  spwf::atcmd::ModuleState state{io.get_executor(), settings, flash, pacing};
  if (auto problem = state.power_on()) throw spwf::config::StartupError(*problem);
  if (options.faults_file) {
    for (auto& rule : spwf::config::load_fault_rules(options.faults_file->string())) {
      if (!state.faults().add(std::move(rule))) {
        throw spwf::config::StartupError("--faults: more rules than the table holds");
      }
    }
  }

  // --power-cycle-on-attach: each host after the first (which gets the start's boot) pulses the
  // module's reset line, as a test rig does at the start of each test.
  spwf::atcmd::Session* session_for_attach = nullptr;
  unsigned attaches = 0;
  auto attached = [&session_for_attach, &attaches, &options] {
    if (++attaches > 1 && options.power_cycle_on_attach && session_for_attach != nullptr) {
      session_for_attach->power_cycle();
    }
  };
  ControlRoom control;
  open_control(io, options, control);
  auto transport = make_transport(io, options, settings, attached);
  // --baud: the session talks to the line at its rate.
  std::unique_ptr<spwf::emulator::PacedTransport> paced;
  if (options.baud) {
    paced = std::make_unique<spwf::emulator::PacedTransport>(io.get_executor(), *transport,
                                                             *options.baud);
    paced->start();
  }
  spwf::atcmd::Transport& console = paced ? *paced : *transport;
  spwf::atcmd::Session session{io.get_executor(), console, state, options.boot};
  session_for_attach = &session;
  if (control.server) {
    spwf::emulator::add_module_verbs(control.protocol, session, state);
    control.server->start();
    std::printf("spwf04emu: control on %s\n", control.server->local_address().c_str());
    std::fflush(stdout);
  }
  // The session only ends when its transport does (stdin closed): exit 0. A failure that
  // escapes it is fatal and must not look like a clean stop to a supervisor: exit 1.
  int exit_code = 0;
  asio::co_spawn(io, session.run(), [&io, &exit_code](std::exception_ptr failure) {
    if (failure) {
      exit_code = 1;
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& error) {
        spwf::log::error(std::string{"fatal: the console session failed: "} + error.what());
      } catch (...) {
        spwf::log::error("fatal: the console session failed");
      }
    }
    io.stop();
  });
  io.run();
  spwf::trace::close();
  spwf::tls::close_key_log();
  spwf::log::close_file();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // `spwf04emu ctl ...`: the control interface's command-line client.
  if (argc > 1 && std::string_view{argv[1]} == "ctl") {
    return spwf::emulator::run_control_client(argc - 1, argv + 1);
  }
  int exit_code = 0;
  const auto options = spwf::emulator::parse_options(argc, argv, exit_code);
  if (!options) return exit_code;
  try {
    return run(*options);
  } catch (const spwf::config::StartupError& error) {
    std::cerr << "spwf04emu: error: " << error.what() << '\n';
    return 2;
  } catch (const std::filesystem::filesystem_error& error) {
    std::cerr << "spwf04emu: error: " << error.what() << '\n';
    return 2;  // a path the options name cannot be used
  } catch (const std::exception& error) {
    std::cerr << "spwf04emu: error: " << error.what() << '\n';
    return 1;
  }
}
