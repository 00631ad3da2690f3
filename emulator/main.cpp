// spwf04emu: wires the options, the module's flash and state, one transport and the AT session
// onto one io_context, and runs until SIGINT/SIGTERM (exit 0) or the end of stdin.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "emulator/Options.hpp"
#include "emulator/PtyTransport.hpp"
#include "emulator/StdioTransport.hpp"
#include "emulator/TcpConsoleTransport.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"
#include "tls/KeyLog.hpp"

namespace {
namespace asio = boost::asio;
using spwf::emulator::ConsoleKind;
using spwf::emulator::Options;

/// Creates the transport the options ask for and announces where the console is.
std::unique_ptr<spwf::atcmd::Transport> make_transport(asio::io_context& io,
                                                       const Options& options) {
  if (options.console == ConsoleKind::stdio) {
    return std::make_unique<spwf::emulator::StdioTransport>(io.get_executor());
  }
  if (options.console == ConsoleKind::tcp) {
    using spwf::emulator::TcpConsoleTransport;
    const auto address = TcpConsoleTransport::ListenAddress::parse(options.listen);
    if (!address) {
      throw spwf::config::StartupError("--listen " + options.listen +
                                       ": expected HOST:PORT, e.g. 0.0.0.0:5000 or [::1]:5000");
    }
    auto tcp =
        std::make_unique<TcpConsoleTransport>(io.get_executor(), address->host, address->port);
    tcp->start();
    std::printf("spwf04emu: AT console on tcp:%s\n", tcp->local_address().c_str());
    std::fflush(stdout);
    return tcp;
  }
  auto pty = std::make_unique<spwf::emulator::PtyTransport>(io.get_executor(), options.pty_link);
  std::printf("spwf04emu: AT console on %s\n", pty->slave_path().c_str());
  std::fflush(stdout);
  return pty;
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

int run(const Options& options) {
  spwf::log::set_level(options.log_level);
  if (options.trace_file) {
    std::string reason;
    if (!spwf::trace::open(*options.trace_file, reason)) throw spwf::config::StartupError(reason);
  }
  // The NSS key log: --keylog, else the SSLKEYLOGFILE variable browsers and curl honour.
  std::optional<std::filesystem::path> key_log = options.key_log;
  if (const char* variable = std::getenv("SSLKEYLOGFILE"); !key_log && variable && *variable) {
    key_log = variable;
  }
  if (key_log) {
    std::string reason;
    if (!spwf::tls::open_key_log(*key_log, reason)) throw spwf::config::StartupError(reason);
  }
  spwf::config::FlashStore flash{options.state_dir};
  if (options.factory_reset) flash.erase_config();
  flash.load_config();  // a damaged saved state stops the start, naming the file
  asio::io_context io;
  const auto pacing = options.boot == spwf::atcmd::BootPacing::real
                          ? spwf::net::LinkPacing::real
                          : spwf::net::LinkPacing::instant;
  spwf::atcmd::ModuleState state{io.get_executor(), load_settings(options), flash, pacing};
  if (auto problem = state.power_on()) throw spwf::config::StartupError(*problem);

  auto transport = make_transport(io, options);
  spwf::atcmd::Session session{io.get_executor(), *transport, state, options.boot};
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
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&io](const boost::system::error_code& error, int number) {
    if (!error) spwf::log::info("signal " + std::to_string(number) + ", stopping");
    io.stop();
  });
  io.run();
  spwf::trace::close();
  spwf::tls::close_key_log();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto options = spwf::emulator::parse_options(argc, argv, exit_code);
  if (!options) return exit_code;
  try {
    return run(*options);
  } catch (const spwf::config::StartupError& error) {
    std::cerr << "spwf04emu: error: " << error.what() << '\n';
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "spwf04emu: error: " << error.what() << '\n';
    return 1;
  }
}
