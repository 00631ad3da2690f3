#pragma once
// WebSocket client commands (spec §3.11): WSOCKON, WSOCKQ, WSOCKC, WSOCKW, WSOCKR, WSOCKL.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.WSOCKON=<host>,<port>,<path>,<TLS>,<usn>,<pwd>,<origin>,<prot>,<ext>
boost::asio::awaitable<AtError> websocket_open(CommandContext& context);
/// AT+S.WSOCKQ=<id>
boost::asio::awaitable<AtError> websocket_query(CommandContext& context);
/// AT+S.WSOCKC=<id>,<status>
boost::asio::awaitable<AtError> websocket_close(CommandContext& context);
/// AT+S.WSOCKW=<id>,<lastFrame>,<lastFrag>,<binary>,<len><CR><data>
boost::asio::awaitable<AtError> websocket_write(CommandContext& context);
/// AT+S.WSOCKR=<id>,<len>
boost::asio::awaitable<AtError> websocket_read(CommandContext& context);
/// AT+S.WSOCKL
boost::asio::awaitable<AtError> websocket_list(CommandContext& context);

}  // namespace spwf::atcmd::commands
