#include "atcmd/commands/WifiCommands.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "atcmd/CommandContext.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/commands/FileCommands.hpp"
#include "config/ModuleFileSystem.hpp"
#include "netstack/Connector.hpp"
#include "netstack/Pinger.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// 802.11 capability bits reported in the SCAN CAPS field: ESS (infrastructure), privacy (WEP or
// WPA in use), short preamble, short slot time. The values are plausible, not captured:
// open 0x0401, WEP 0x0411, WPA/WPA2 0x0431 (the spec's example line shows 0431 for WPA2).
constexpr unsigned k_caps_ess = 0x0001;
constexpr unsigned k_caps_privacy = 0x0010;
constexpr unsigned k_caps_short_preamble = 0x0020;
constexpr unsigned k_caps_short_slot = 0x0400;

// Each echo of AT+S.PING waits this long for its reply.
constexpr std::chrono::milliseconds k_ping_timeout{1000};

// The peer state printed for the joined access point: 1, associated and authorised (§9 Q21).
constexpr unsigned k_peer_state_associated = 1;

// wifi_mode of the miniAP (spec §3.18).
constexpr std::uint64_t k_wifi_mode_mini_ap = 3;

constexpr std::array<std::string_view, 5> k_peer_variables = {
    var_name::peer_link_id, var_name::peer_state, var_name::peer_addr, var_name::peer_last_rx,
    var_name::peer_rx_rssi};

// WPA2 personal or enterprise: both announce WPA2 (the key management suite is not printed).
bool is_wpa(const config::AccessPoint& network) {
  return network.security == config::ApSecurity::wpa_personal ||
         network.security == config::ApSecurity::wpa_enterprise;
}

unsigned capabilities(const config::AccessPoint& network) {
  unsigned caps = k_caps_ess | k_caps_short_slot;
  if (network.security == config::ApSecurity::wep) caps |= k_caps_privacy;
  if (is_wpa(network)) {
    caps |= k_caps_privacy | k_caps_short_preamble;
  }
  return caps;
}

bool same_text_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// One result line of AT+S.SCAN, without the line end.
std::string scan_line(unsigned number, const config::AccessPoint& network) {
  const std::string_view hidden = network.ssid.empty() ? scan::hidden_network : std::string_view{};
  const bool wpa = is_wpa(network);
  std::string bssid = network.bssid;
  std::transform(bssid.begin(), bssid.end(), bssid.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::string flag_wpa2{wpa ? scan::flag_wpa2 : std::string_view{}};
  char line[256];
  std::snprintf(line, sizeof line, scan::line_format, number, std::string{hidden}.c_str(),
                std::string{scan::infrastructure}.c_str(), bssid.c_str(), network.channel,
                network.rssi, network.ssid.c_str(), capabilities(network), "", "",
                flag_wpa2.c_str());
  return line;
}

std::string hex_bytes(std::string_view text) {
  std::string out;
  char byte[4];
  for (const char c : text) {
    if (!out.empty()) out += ':';
    std::snprintf(byte, sizeof byte, "%02X", static_cast<unsigned char>(c));
    out += byte;
  }
  return out;
}

std::string current_ssid(const config::ConfigStore& config) {
  const auto bytes = config.get_bytes("wifi_ssid");
  const std::size_t length = std::min<std::size_t>(config.get_uint("wifi_ssid_len"), bytes.size());
  return std::string(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
}

// The printed value of a peer variable of the joined access point.
std::string peer_value(ModuleState& state, const config::AccessPoint& network,
                       std::string_view variable) {
  if (variable == var_name::peer_link_id) return "0";
  if (variable == var_name::peer_state) return std::to_string(k_peer_state_associated);
  if (variable == var_name::peer_addr) return network.bssid;
  // Beacons arrive all the time: the last frame came "now", in seconds of uptime.
  if (variable == var_name::peer_last_rx) return std::to_string(state.clock().uptime());
  return std::to_string(network.rssi);
}

}  // namespace

// AT+S.WIFI=<0|1> (spec §3.4.1): switches the radio and records the choice in the hidden
// wifi_enabled, which WCFG saves and the next boot follows (§9 Q13).
asio::awaitable<AtError> wifi(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (args.text(0) == "0") {
    if (!state.link().radio_on()) co_return AtError::radio_not_running;
    state.close_client_sockets();
    state.link().stop();  // raises +WIND:49 and +WIND:38, written after the OK
    state.config().set_internal("wifi_enabled", "0");
    co_return AtError::none;
  }
  if (args.text(0) == "1") {
    if (state.link().radio_on()) co_return AtError::radio_enabled;
    state.config().set_internal("wifi_enabled", "1");
    state.start_radio();  // +WIND:32 and the mode's sequence follow the OK
    co_return AtError::none;
  }
  co_return AtError::invalid_arguments;
}

// AT+S.SSIDTXT[=<text>] (spec §3.3, §9 Q19): wifi_ssid/wifi_ssid_len as text.
asio::awaitable<AtError> ssid_text(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(0, 1); error != AtError::none) co_return error;
  config::ConfigStore& config = context.state().config();
  if (!context.has_arguments()) {
    context.result(label::var, std::string{var_name::ssidtxt} + "=" + current_ssid(config));
    co_return AtError::none;
  }
  const std::string_view text = args.text(0);
  if (text.size() > 32) co_return AtError::argument_too_large;
  if (config.set_internal("wifi_ssid", hex_bytes(text)) != config::SetResult::ok ||
      config.set_internal("wifi_ssid_len", std::to_string(text.size())) != config::SetResult::ok) {
    co_return AtError::invalid_value;
  }
  co_return AtError::none;
}

namespace {

// Writes the scan result lines to `name` in place of its content. Everything that can fail is
// checked before the old content goes, so a refused file is left as it was.
AtError store_scan_result(config::ModuleFileSystem& files, std::string_view name,
                          std::string_view lines) {
  if (const auto error = files.check_append(name, lines.size())) {
    return file_error_to_at(error, AtError::file_open);
  }
  if (const auto error = files.remove(name); error && error != config::FileError::not_found) {
    return file_error_to_at(error, AtError::file_open);
  }
  return file_error_to_at(files.append(name, lines), AtError::file_open);
}

}  // namespace

// AT+S.SCAN=<d|s|m>[,<filename>] (spec §3.4.3, §9 Q20): the virtual access points in range,
// all of them (d), one per SSID (s) or one per BSSID (m), first seen first.
asio::awaitable<AtError> scan(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 2); error != AtError::none) co_return error;
  const int mode = args.keyword_index(0, {"d", "s", "m"});
  if (mode < 0) co_return AtError::invalid_arguments;
  ModuleState& state = context.state();
  if (!state.link().radio_on()) co_return AtError::radio_not_running;
  if (state.link().state() == 4) co_return AtError::scan_in_progress;
  std::vector<const config::AccessPoint*> listed;
  const auto visible = state.link().visible_networks();  // `listed` points into it
  for (const config::AccessPoint& network : visible) {
    const bool duplicate = std::any_of(listed.begin(), listed.end(), [&](const auto* seen) {
      if (mode == 1) return seen->ssid == network.ssid;
      if (mode == 2) return same_text_ignoring_case(seen->bssid, network.bssid);
      return false;
    });
    if (!duplicate) listed.push_back(&network);
  }
  std::string lines;
  unsigned number = 0;
  for (const auto* network : listed) lines += scan_line(++number, *network) + std::string{line_end};
  if (const std::string_view file = args.text(1); !file.empty()) {
    // The result lines replace the file's content; the console shows only the count.
    if (const auto error = store_scan_result(state.files(), file, lines); error != AtError::none) {
      co_return error;
    }
    lines.clear();
  }
  context.info(label::parsing_networks, std::to_string(listed.size()));
  context.raw(lines);
  co_return AtError::none;
}

// AT+S.PEERS[=<peer>[,<var>]] or [=,<peer>[,<var>]] (spec §3.4.4, §9 Q21). In station mode the
// only peer, number 0, is the joined access point; no peer while not joined.
asio::awaitable<AtError> peers(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(0, 3); error != AtError::none) co_return error;
  // The firmware's syntax begins with an empty field: "=,<peer>,<var>".
  const std::size_t first = args.count() >= 2 && args.text(0).empty() ? 1 : 0;
  if (args.count() - first > 2) co_return AtError::too_many_arguments;
  const std::string_view peer = args.text(first);
  const std::string_view variable = args.text(first + 1);
  if (!variable.empty() && std::find(k_peer_variables.begin(), k_peer_variables.end(), variable) ==
                               k_peer_variables.end()) {
    co_return AtError::variable_not_found;
  }
  ModuleState& state = context.state();
  const config::AccessPoint* network = state.link().access_point();
  if (network == nullptr) co_return AtError::none;
  if (!peer.empty() && !(args.is_number(first) && args.number(first) == 0)) co_return AtError::none;
  for (const std::string_view name : k_peer_variables) {
    if (!variable.empty() && name != variable) continue;
    context.result(label::var, "0." + std::string{name} + "=" + peer_value(state, *network, name));
  }
  co_return AtError::none;
}

// AT+S.PING=<count>,<size>,<host> (spec §3.4.5, §9 Q22): real ICMP echoes through the host.
asio::awaitable<AtError> ping(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(3, 3); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  const std::uint64_t count = args.number(0);
  const std::uint64_t size = args.number(1);
  if (size > limits::ping_max_size || count > limits::ping_max_count) {
    co_return AtError::invalid_arguments;
  }
  const std::string host{args.text(2)};
  const auto resolved = co_await net::resolve_name(state.executor(), state.mapper(), host, 0);
  if (!resolved) co_return AtError::dns_address_failure;
  asio::ip::address address = *resolved;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  if (!address.is_v4()) {
    log::warn("AT+S.PING: " + host + " resolves to the IPv6 address " + address.to_string() +
              "; only IPv4 echoes are emulated");
    co_return AtError::dns_address_failure;
  }
  net::Pinger pinger{state.executor()};
  if (const auto error = pinger.open()) {
    if (net::Pinger::is_not_permitted(error)) {
      log::warn(
          "AT+S.PING: this host does not allow unprivileged ICMP sockets (socket(AF_INET, "
          "SOCK_DGRAM, IPPROTO_ICMP): " +
          error.message() +
          "); allow the emulator's group in /proc/sys/net/ipv4/ping_group_range, e.g. "
          "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\". Answering error 60.");
    } else {
      log::warn("AT+S.PING: cannot open an ICMP socket: " + error.message());
    }
    co_return AtError::ip_not_ready;
  }
  const bool allowed = state.mapper().allowed(host, address);
  if (!allowed) log::warn("AT+S.PING to " + host + " refused by --allow/--deny: echoes time out");
  context.info(label::ping_start, address.to_string());
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  for (std::uint64_t index = 0; index < count; ++index) {
    const auto sequence = static_cast<std::uint16_t>(index + 1);
    // Each result reaches the host as it happens, and every echo takes its time (a refused
    // target times out like an unreachable one), so a long PING streams and stays interruptible.
    context.session().flush();
    if (!allowed) {
      ++sent;
      asio::steady_timer wait{state.executor(), k_ping_timeout};
      co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
      context.info(label::ping_timeout);
      continue;
    }
    const net::EchoResult echo = co_await pinger.echo(
        address.to_v4(), sequence, static_cast<std::size_t>(size), k_ping_timeout);
    switch (echo.outcome) {
      case net::EchoOutcome::reply:
        ++sent;
        ++received;
        context.info(label::ping_reply,
                     std::to_string(echo.sequence) + ":" + std::to_string(echo.round_trip.count()));
        break;
      case net::EchoOutcome::timeout:
        ++sent;
        context.info(label::ping_timeout);
        break;
      case net::EchoOutcome::send_failed:
        context.info(label::request_error);
        break;
    }
  }
  context.info(label::ping_stop, std::to_string(sent) + ":" + std::to_string(received));
  co_return AtError::none;
}

// AT+S.RENEW (spec §3.4.6, §9 Q23): 44 without a link; 61 when the address is not from DHCP
// (static addressing, or the miniAP, which is its own DHCP server). The emulated server always
// renews the same lease, so no new +WIND:24 follows.
asio::awaitable<AtError> renew(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  const auto& config = state.config();
  if (config.get_uint("ip_use_dhcpc") == 0 || config.get_uint("wifi_mode") == k_wifi_mode_mini_ap) {
    co_return AtError::cannot_renew;
  }
  co_return AtError::none;
}

// AT+S.NTP (spec §3.4.6, §9 Q23): 44 without a link, 66 in miniAP mode; else OK, the module clock
// takes the host's time (the emulator's NTP server), and +WIND:84:NTP Server
// delivery:<d>.<m>.<y>:<h>:<min>.<s>.0 in UTC follows the OK.
asio::awaitable<AtError> ntp(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  // ≈ A miniAP reaches no time server: the query fails as an unanswered one does (§9 Q23).
  if (!state.has_upstream()) co_return AtError::cannot_update_datetime;
  state.synchronise_clock();
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
