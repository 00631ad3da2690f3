#include "emulator/Options.hpp"

#include <CLI/CLI.hpp>
#include <map>

#include "config/FlashStore.hpp"

namespace spwf::emulator {

std::optional<Options> parse_options(int argc, char** argv, int& exit_code) {
  Options options;
  options.state_dir = config::default_state_directory();
  CLI::App app{"spwf04emu: an emulator of ST's SPWF04SA Wi-Fi module (firmware 1.1.0) on a pty"};
  app.set_version_flag("--version", std::string{"spwf04emu "} + SPWF_VERSION +
                                        " (SPWF04SA firmware 1.1.0, build 171117-0328fe3)");
  bool stdio = false;
  app.add_flag("--stdio", stdio, "Serve the AT console on stdin/stdout instead of a pty");
  app.add_option("--listen", options.listen,
                 "Serve the AT console as a raw byte stream on TCP HOST:PORT (one host at a time)");
  app.add_option("--pty-link", options.pty_link,
                 "Keep a symbolic link at PATH to the pty's slave (removed on exit)");
  app.add_option("--state-dir", options.state_dir, "Where the module's flash is kept")
      ->capture_default_str();
  app.add_option("--config", options.config_file, "The emulator's JSON configuration file")
      ->check(CLI::ExistingFile);
  const std::map<std::string, atcmd::BootPacing> boot_modes = {
      {"instant", atcmd::BootPacing::instant}, {"real", atcmd::BootPacing::real}};
  app.add_option("--boot", options.boot, "Boot indications: instant, or real (paced as the module)")
      ->transform(CLI::CheckedTransformer(boot_modes, CLI::ignore_case));
  const std::map<std::string, log::Level> levels = {
      {"trace", log::Level::trace}, {"debug", log::Level::debug}, {"info", log::Level::info},
      {"warn", log::Level::warn},   {"error", log::Level::error}, {"off", log::Level::off}};
  app.add_option("--log-level", options.log_level, "Log level on stderr (default info)")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case));
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    exit_code = app.exit(error);
    return std::nullopt;
  }
  if (stdio && !options.listen.empty()) {
    std::fputs("spwf04emu: --stdio and --listen exclude each other\n", stderr);
    exit_code = 2;
    return std::nullopt;
  }
  if (stdio) options.console = ConsoleKind::stdio;
  if (!options.listen.empty()) options.console = ConsoleKind::tcp;
  return options;
}

}  // namespace spwf::emulator
