#pragma once
// HTTP client commands (spec §3.8): HTTPGET and HTTPPOST.

#include "atcmd/CommandTable.hpp"

namespace spwf::net {
enum class HttpError;
}  // namespace spwf::net

namespace spwf::atcmd::commands {

/// AT+S.HTTPGET=<host>,<path>,<port>,<TLS>,<usn>,<pwd>,<DownFile>,<UpFile>
boost::asio::awaitable<AtError> http_get(CommandContext& context);
/// AT+S.HTTPPOST=<host>,<path>,<port>,<TLS>,<usn>,<pwd>,<DownFile>,<UpFile>
boost::asio::awaitable<AtError> http_post(CommandContext& context);

/// A failed exchange as HTTPGET reports it (spec §3.8): the I line "Http Client Error:<n>" (the
/// number from the Wire table), then 111; also used by FWUPDATE/FSUPDATE.
AtError http_client_error(CommandContext& context, net::HttpError error);

}  // namespace spwf::atcmd::commands
