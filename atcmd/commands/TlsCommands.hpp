#pragma once
// The certificate store commands (spec §3.7): TLSCERT, and WPAECERT for the WPA-Enterprise
// supplicant.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.TLSCERT=<ca|cert|key|auth|content>,<length|option>[<CR><data>]
boost::asio::awaitable<AtError> tls_certificate(CommandContext& context);
/// AT+S.WPAECERT=<ca|cert|key|content>,<length|option>[<CR><data>]
boost::asio::awaitable<AtError> wpa_certificate(CommandContext& context);

}  // namespace spwf::atcmd::commands
