#pragma once
// HTTP client commands (spec §3.8): HTTPGET and HTTPPOST.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.HTTPGET=<host>,<path>,<port>,<TLS>,<usn>,<pwd>,<DownFile>,<UpFile>
boost::asio::awaitable<AtError> http_get(CommandContext& context);
/// AT+S.HTTPPOST=<host>,<path>,<port>,<TLS>,<usn>,<pwd>,<DownFile>,<UpFile>
boost::asio::awaitable<AtError> http_post(CommandContext& context);

}  // namespace spwf::atcmd::commands
