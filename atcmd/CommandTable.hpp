#pragma once
// The module's command table (spec §3.1): one row per command of FW 1.1.0, in the firmware's
// order, with its exact argument-syntax string, a one-line description for AT+S.HELP, whether
// HELP lists it, and the handler that implements it (nullptr: not emulated -> error 1).

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string_view>

#include "atcmd/Wire.hpp"

namespace spwf::atcmd {

class CommandContext;

/// A command implementation: computes, writes intermediate lines through the context, and
/// returns AtError::none for success or the error the Session reports.
using Handler = boost::asio::awaitable<AtError> (*)(CommandContext&);

/// Whether AT+S.HELP lists the command (the "H" column of §3.1).
enum class Listing { listed, hidden };

/// One row of the command table.
struct CommandSpec {
  std::string_view name;         ///< "AT+S.SOCKQ", upper case as the firmware spells it
  std::string_view syntax;       ///< "=<id>", exact; empty for commands without arguments
  std::string_view description;  ///< the emulator's own one-line description
  Listing listing;
  Handler handler;  ///< nullptr when the emulator does not implement it
};

/// Every command of FW 1.1.0, in table order.
std::span<const CommandSpec> command_table();
/// Finds a command by name, case-insensitively over the full length, or nullptr.
const CommandSpec* find_command(std::string_view name);

}  // namespace spwf::atcmd
