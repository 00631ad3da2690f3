#pragma once
// Socket server commands (spec §3.6): SOCKDON, SOCKDQ, SOCKDR, SOCKDW, SOCKDC, SOCKDL.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> server_open(CommandContext& context);
boost::asio::awaitable<AtError> server_query(CommandContext& context);
boost::asio::awaitable<AtError> server_read(CommandContext& context);
boost::asio::awaitable<AtError> server_write(CommandContext& context);
boost::asio::awaitable<AtError> server_close(CommandContext& context);
boost::asio::awaitable<AtError> server_list(CommandContext& context);

}  // namespace spwf::atcmd::commands
