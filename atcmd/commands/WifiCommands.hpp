#pragma once
// Wi-Fi and network commands (spec §3.3 SSIDTXT, §3.4): WIFI, SSIDTXT, SCAN, PEERS, PING,
// RENEW, NTP.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> wifi(CommandContext& context);
boost::asio::awaitable<AtError> ssid_text(CommandContext& context);
boost::asio::awaitable<AtError> scan(CommandContext& context);
boost::asio::awaitable<AtError> peers(CommandContext& context);
boost::asio::awaitable<AtError> ping(CommandContext& context);
boost::asio::awaitable<AtError> renew(CommandContext& context);
boost::asio::awaitable<AtError> ntp(CommandContext& context);

}  // namespace spwf::atcmd::commands
