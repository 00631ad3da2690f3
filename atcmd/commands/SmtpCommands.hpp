#pragma once
// SMTP client command (spec §3.12): AT+S.SMTP.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.SMTP=<host>,<port>,<TLS>,<usn>,<pwd>,<ID>,<from>,<to>,,,<subject>,,<length><CR><body>
boost::asio::awaitable<AtError> smtp_send(CommandContext& context);

}  // namespace spwf::atcmd::commands
