#pragma once
// Client socket commands (spec §3.5): SOCKON, SOCKQ, SOCKR, SOCKW, SOCKC, SOCKL.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> socket_open(CommandContext& context);
boost::asio::awaitable<AtError> socket_query(CommandContext& context);
boost::asio::awaitable<AtError> socket_read(CommandContext& context);
boost::asio::awaitable<AtError> socket_write(CommandContext& context);
boost::asio::awaitable<AtError> socket_close(CommandContext& context);
boost::asio::awaitable<AtError> socket_list(CommandContext& context);

}  // namespace spwf::atcmd::commands
