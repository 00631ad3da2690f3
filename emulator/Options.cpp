#include "emulator/Options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "config/FlashStore.hpp"

namespace spwf::emulator {
namespace {

/// A start-up problem of the command line: main prints it with the prefix and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

atcmd::BootPacing boot_pacing(const std::string& text) {
  if (text == "instant") return atcmd::BootPacing::instant;
  if (text == "real") return atcmd::BootPacing::real;
  throw UsageError("--boot " + text + ": expected instant or real");
}

log::Level log_level(const std::string& text) {
  log::Level level = log::Level::info;
  if (!log::parse_level(text, level)) {
    throw UsageError("--log-level " + text + ": expected trace, debug, info, warn, error or off");
  }
  return level;
}

/// An --allow/--deny pattern is a host name, an address, or ADDRESS/BITS with BITS in range.
void check_pattern(const std::string& option, const std::string& pattern) {
  const auto slash = pattern.find('/');
  if (pattern.empty()) throw UsageError(option + ": empty pattern");
  if (slash == std::string::npos) return;
  std::string host = pattern.substr(0, slash);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code error;
  const auto network = boost::asio::ip::make_address(host, error);
  const std::string bits = pattern.substr(slash + 1);
  unsigned prefix = 0;
  const auto [end, failure] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  const unsigned limit = !error && network.is_v6() ? 128 : 32;
  if (error || failure != std::errc{} || end != bits.data() + bits.size() || prefix > limit) {
    throw UsageError(option + " " + pattern + ": expected a host name, an address or a CIDR " +
                     "block such as 10.0.0.0/8 (prefix 0.." + std::to_string(limit) + ")");
  }
}

/// The command line's arguments followed by those of SPWF04EMU_ARGS, in CLI11's reversed order.
std::vector<std::string> all_arguments(int argc, char** argv) {
  std::vector<std::string> arguments(argv + std::min(argc, 1), argv + argc);
  if (const char* extra = std::getenv(k_arguments_variable); extra != nullptr) {
    for (auto& word : CLI::detail::split_up(extra)) {
      if (!word.empty()) arguments.push_back(std::move(word));
    }
  }
  std::reverse(arguments.begin(), arguments.end());
  return arguments;
}

/// --attach and --connect: one console only, and no pty of the emulator's own.
void finish_simulator_options(Options& options, bool stdio) {
  const bool attach = options.attach.has_value();
  const bool connect = !options.connect.empty();
  if (!attach && !connect) return;
  const int consoles = int{stdio} + int{!options.listen.empty()} + int{attach} + int{connect};
  if (consoles > 1) {
    throw UsageError(
        "--stdio, --listen, --attach and --connect exclude each other: choose one "
        "console");
  }
  if (options.pty_link) {
    throw UsageError(std::string{"--pty-link names the emulator's own pty; it has no meaning "} +
                     "with " + (attach ? "--attach" : "--connect"));
  }
  options.console = attach ? ConsoleKind::attach : ConsoleKind::connect;
}

/// Checks what CLI11 cannot: values, and options that exclude each other.
void finish(Options& options, bool stdio, const std::string& boot, const std::string& level) {
  options.boot = boot_pacing(boot);
  options.log_level = log_level(level);
  if (stdio && !options.listen.empty()) {
    throw UsageError("--stdio and --listen exclude each other: choose one console");
  }
  if (options.pty_link && (stdio || !options.listen.empty())) {
    throw UsageError(std::string{"--pty-link names the pty console; it has no meaning with "} +
                     (stdio ? "--stdio" : "--listen"));
  }
  if (options.power_cycle_on_attach && stdio) {
    throw UsageError("--power-cycle-on-attach needs a pty or --listen: stdin has one host");
  }
  for (const auto& pattern : options.allow) check_pattern("--allow", pattern);
  for (const auto& pattern : options.deny) check_pattern("--deny", pattern);
  if (stdio) options.console = ConsoleKind::stdio;
  if (!options.listen.empty()) options.console = ConsoleKind::tcp;
  finish_simulator_options(options, stdio);
}

/// What the command line gives as text or flags, checked and converted after parsing.
struct Text {
  bool stdio = false;
  std::string boot = "real";
  std::string level = "info";
};

void define_options(CLI::App& app, Options& options, Text& text) {
  app.add_flag("--stdio", text.stdio, "Serve the AT console on stdin/stdout instead of a pty");
  app.add_option("--listen", options.listen,
                 "Serve the AT console as a raw byte stream on TCP HOST:PORT (one host at a time; "
                 ":PORT is loopback only)");
  app.add_option("--pty-link", options.pty_link,
                 "Keep a symbolic link at PATH to the pty's slave (removed on exit)");
  app.add_flag("--power-cycle-on-attach", options.power_cycle_on_attach,
               "Power-cycle the module each time a new host opens the pty or connects, so the "
               "boot indications come again (the first host gets those of the start)");
  app.add_option("--state-dir", options.state_dir, "Where the module's flash is kept")
      ->capture_default_str();
  app.add_option("--config", options.config_file, "The emulator's JSON configuration file")
      ->check(CLI::ExistingFile);
  app.add_option("--boot", text.boot, "Boot indications: instant, or real (paced as the module)")
      ->capture_default_str();
  app.add_option("--log-level", text.level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--log-file", options.log_file,
                 "Append the log to FILE instead of stderr (use it when backgrounding)");
  app.add_option("--trace", options.trace_file,
                 "Write a readable trace of the console bytes and network events to FILE");
  app.add_option("--keylog", options.key_log,
                 "Append the TLS session keys to FILE in the NSS key log format, for Wireshark "
                 "(default: $SSLKEYLOGFILE when set)");
  app.add_flag("--factory-reset", options.factory_reset,
               "Discard the saved configuration in the state directory before starting");
  app.add_option("--resolve", options.resolve,
                 "HOST:PORT:ADDRESS, as curl: resolve HOST on PORT to ADDRESS (repeatable)");
  app.add_option("--connect-to", options.connect_to,
                 "HOST1:PORT1:HOST2:PORT2, as curl: connect there instead (repeatable)");
  app.add_option("--allow", options.allow,
                 "Host name or CIDR the module may connect to (repeatable; default: all)");
  app.add_option("--deny", options.deny, "Host name or CIDR the module may not connect to");
  app.add_flag("--no-host-dns", options.no_host_dns,
               "Never ask the host's resolver: only --resolve names and IP literals resolve; "
               "other names answer the module's DNS error");
  app.add_option("--attach", options.attach,
                 "Serve the AT console on an existing tty PATH (a simulator's UART pty, a serial "
                 "device) in raw mode; opened again when it comes back after a hang-up");
  app.add_option("--connect", options.connect,
                 "Be the client of a simulator's UART socket, HOST:PORT or unix:PATH; connected "
                 "again (bounded back-off) when the simulator restarts");
  app.add_option("--control", options.control,
                 "Serve the control interface (JSON lines: faults, events, module events) on a "
                 "Unix socket PATH or HOST:PORT (:PORT is loopback); see docs/control-protocol.md");
  app.add_option(
         "--faults", options.faults_file,
         "JSON file of network fault rules applied from the start (docs/control-protocol.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", options.seed,
                 "Seed for every probability and jitter (and AT+S.RANDOM): same seed and input, "
                 "same bytes");
  app.add_option("--baud", options.baud,
                 "Pace the console at RATE baud (8N1: 10 bits a byte) both ways; host bytes sent "
                 "while the module's 2 KB receive buffer is full are lost (default: unpaced)")
      ->check(CLI::Range(300u, 12000000u));
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int& exit_code) {
  Options options;
  options.state_dir = config::default_state_directory();
  CLI::App app{"spwf04emu: an emulator of ST's SPWF04SA Wi-Fi module (firmware 1.1.0) on a pty"};
  app.footer(std::string{"Arguments in the environment variable "} + k_arguments_variable +
             " are read after the command line's (a single-value option there wins).\n");
  app.set_version_flag("--version", std::string{"spwf04emu "} + SPWF_VERSION +
                                        " (SPWF04SA firmware 1.1.0, build 171117-0328fe3)");
  // Given twice (on the command line and in SPWF04EMU_ARGS), a single value takes the last.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  Text text;
  define_options(app, options, text);
  try {
    app.parse(all_arguments(argc, argv));
    finish(options, text.stdio, text.boot, text.level);
  } catch (const CLI::Success& done) {
    exit_code = app.exit(done);  // --help, --version
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "spwf04emu: error: %s\nspwf04emu: see spwf04emu --help\n", error.what());
    exit_code = 2;
    return std::nullopt;
  } catch (const UsageError& error) {
    std::fprintf(stderr, "spwf04emu: error: %s\n", error.what());
    exit_code = 2;
    return std::nullopt;
  }
  return options;
}

}  // namespace spwf::emulator
