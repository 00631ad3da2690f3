#pragma once
// File-system commands (spec §3.9): FSM, FSU, FSC, FSD, FSR, FSL, FSP, HASH.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> file_mount(CommandContext& context);
boost::asio::awaitable<AtError> file_unmount(CommandContext& context);
boost::asio::awaitable<AtError> file_create(CommandContext& context);
boost::asio::awaitable<AtError> file_delete(CommandContext& context);
boost::asio::awaitable<AtError> file_rename(CommandContext& context);
boost::asio::awaitable<AtError> file_list(CommandContext& context);
boost::asio::awaitable<AtError> file_print(CommandContext& context);
boost::asio::awaitable<AtError> file_hash(CommandContext& context);

}  // namespace spwf::atcmd::commands
