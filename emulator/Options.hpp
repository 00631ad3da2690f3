#pragma once
// The emulator's command line (CLI11).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "atcmd/Session.hpp"
#include "support/Log.hpp"

namespace spwf::emulator {

/// Extra arguments read after the command line's (for containers that cannot take a command).
inline constexpr const char* k_arguments_variable = "SPWF04EMU_ARGS";

/// Where the AT console is served.
enum class ConsoleKind { pty, stdio, tcp, attach, connect };

/// Everything the command line sets.
struct Options {
  ConsoleKind console = ConsoleKind::pty;
  std::optional<std::filesystem::path> pty_link;
  bool power_cycle_on_attach = false;  ///< a new host pulses the module's reset line
  std::string listen;                  ///< HOST:PORT for ConsoleKind::tcp
  std::filesystem::path state_dir;
  std::optional<std::filesystem::path> config_file;
  atcmd::BootPacing boot = atcmd::BootPacing::real;
  log::Level log_level = log::Level::info;
  std::optional<std::filesystem::path> log_file;
  std::optional<std::filesystem::path> trace_file;
  std::optional<std::filesystem::path> key_log;  ///< --keylog FILE (else SSLKEYLOGFILE)
  bool factory_reset = false;
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;
  std::vector<std::string> allow;
  std::vector<std::string> deny;
  bool no_host_dns = false;  ///< --no-host-dns: names resolve only through --resolve
  std::optional<std::filesystem::path> attach;  ///< --attach PATH: an existing tty (a simulator's)
  std::string connect;  ///< --connect HOST:PORT or unix:PATH: a simulator's UART socket
  std::string control;       ///< --control ADDRESS (docs/control-protocol.md); empty: none
  std::optional<std::filesystem::path> faults_file;  ///< --faults FILE: rules loaded at start
  std::optional<std::uint64_t> seed;                 ///< --seed N: one generator for chance
  std::optional<std::uint32_t> baud;                 ///< --baud RATE: a paced console line
};

/// Parses argv, then the words of $SPWF04EMU_ARGS. Returns nullopt after printing help, the
/// version or a usage error (exit code 2); `exit_code` then holds the code main should return.
std::optional<Options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace spwf::emulator
