#pragma once
// TLS certificate store command (spec §3.7): TLSCERT.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.TLSCERT=<ca|cert|key|auth|content>,<length|option>[<CR><data>]
boost::asio::awaitable<AtError> tls_certificate(CommandContext& context);

}  // namespace spwf::atcmd::commands
