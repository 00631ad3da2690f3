#pragma once
// File-system commands (spec §3.9): FSM, FSU, FSC, FSD, FSR, FSL, FSP, HASH.

#include <system_error>

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// The module's number for a failed file operation of any command: an unknown or unmounted
/// volume is 50, no space 32, anything else the command's own error `otherwise`.
AtError file_error_to_at(const std::error_code& error, AtError otherwise);

boost::asio::awaitable<AtError> file_mount(CommandContext& context);
boost::asio::awaitable<AtError> file_unmount(CommandContext& context);
boost::asio::awaitable<AtError> file_create(CommandContext& context);
boost::asio::awaitable<AtError> file_delete(CommandContext& context);
boost::asio::awaitable<AtError> file_rename(CommandContext& context);
boost::asio::awaitable<AtError> file_list(CommandContext& context);
boost::asio::awaitable<AtError> file_print(CommandContext& context);
boost::asio::awaitable<AtError> file_hash(CommandContext& context);

}  // namespace spwf::atcmd::commands
