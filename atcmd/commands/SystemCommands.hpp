#pragma once
// General and system commands (spec §3.2): AT, HELP, RESET, STS, TIME, RANDOM.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> at(CommandContext& context);
boost::asio::awaitable<AtError> help(CommandContext& context);
boost::asio::awaitable<AtError> reset(CommandContext& context);
boost::asio::awaitable<AtError> status(CommandContext& context);
boost::asio::awaitable<AtError> time(CommandContext& context);
boost::asio::awaitable<AtError> random(CommandContext& context);

}  // namespace spwf::atcmd::commands
