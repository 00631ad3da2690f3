#include "netstack/WifiLink.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <optional>

#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Durations of the join steps with --boot real (the module needs about a second to join).
constexpr milliseconds k_scan_time{400};
constexpr milliseconds k_join_time{100};
constexpr milliseconds k_association_time{150};
constexpr milliseconds k_handshake_time{200};
constexpr milliseconds k_dhcp_time{300};
// A wrong passphrase is noticed when the 4-way handshake times out (reason 15).
constexpr unsigned k_reason_handshake_timeout = 15;
// A refused 802.1X authentication (IEEE 802.11 reason 23, "IEEE 802.1X authentication failed";
// ? the module's own reason for it is not known).
constexpr unsigned k_reason_8021x_failed = 23;
// ? WIND:16 comes once the signal is this many dB above wifi_rssi_thresh again (adopted).
constexpr int k_rssi_hysteresis = 5;

bool security_matches(const config::AccessPoint& network, unsigned privacy) {
  switch (network.security) {
    case config::ApSecurity::open:
      return privacy == 0;
    case config::ApSecurity::wep:
      return privacy == 1;
    case config::ApSecurity::wpa_personal:
    case config::ApSecurity::wpa_enterprise:
      return privacy == 2;
  }
  return false;
}

// Why a join to `network` fails its authentication, or nullopt when it passes: WPA personal
// compares passphrases; WPA-Enterprise runs the 802.1X decisions on the stored material.
std::optional<std::string> authentication_failure(const config::AccessPoint& network,
                                                  const RadioSettings& settings) {
  if (network.security == config::ApSecurity::wpa_personal) {
    if (network.passphrase == settings.passphrase) return std::nullopt;
    return "wrong passphrase for '" + network.ssid + "'";
  }
  if (network.security != config::ApSecurity::wpa_enterprise) return std::nullopt;
  const config::EnterpriseSettings& eap = network.enterprise;
  tls::EnterpriseServer server;
  server.method = static_cast<tls::EapMethod>(eap.method);
  server.chain = eap.server_chain;
  server.client_ca = eap.client_ca;
  server.identity = eap.identity;
  server.password = eap.password;
  const auto verdict = tls::check_enterprise(server, settings.enterprise);
  if (verdict == tls::EnterpriseVerdict::accepted) return std::nullopt;
  return "802.1X authentication to '" + network.ssid +
         "' failed: " + std::string{tls::to_string(verdict)};
}

void log_end(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    log::error(std::string{"radio sequence failed: "} + error.what());
  }
}

}  // namespace

WifiLink::WifiLink(asio::any_io_executor executor, const config::EmulatorConfig& settings,
                   LinkPacing pacing, NetEventSink sink)
    : m_executor(executor),
      m_networks(settings.access_points),
      m_retry_interval(settings.join_retry_interval),
      m_pacing(pacing),
      m_sink(std::move(sink)),
      m_timer(executor) {}

void WifiLink::raise(const NetEvent& event) {
  if (m_sink) m_sink(event);
}

void WifiLink::start(const RadioSettings& settings) {
  m_settings = settings;
  m_signal_low = false;
  ++m_generation;
  m_timer.cancel();
  m_radio_on = true;
  m_state = 3;
  m_joined.reset();
  m_ip = {};
  trace::event(trace::Channel::wifi, "radio on, mode " + std::to_string(settings.mode));
  raise(RadioStarted{});
  if (settings.mode == 1) {
    asio::co_spawn(m_executor, run_station(settings, m_generation), log_end);
  } else if (settings.mode == 3) {
    asio::co_spawn(m_executor, run_access_point(settings, m_generation), log_end);
  }
}

void WifiLink::stop() {
  power_off();
  m_state = 3;
  trace::event(trace::Channel::wifi, "radio off");
  // The supplicant ends first, in every mode (spec §3.4.1: OK, +WIND:49 with payload 0, then
  // +WIND:38). Only this path raises 49: a standby, a WPS timeout and a deauthentication during
  // a join keep the supplicant running (§3.16, §3.17, §3.4.2 name no 49), and a reset or power
  // cycle (power_off) is silent.
  raise(SupplicantTerminated{0});
  raise(RadioStopped{});
}

void WifiLink::power_off() {
  ++m_generation;
  m_timer.cancel();
  m_radio_on = false;
  m_state = 0;
  m_joined.reset();
  m_ip = {};
}

const config::AccessPoint* WifiLink::access_point() const {
  return m_joined ? &m_networks[*m_joined] : nullptr;
}

asio::awaitable<bool> WifiLink::step(milliseconds real_delay, std::uint64_t generation) {
  const milliseconds delay = m_pacing == LinkPacing::real ? real_delay : milliseconds{0};
  if (delay.count() == 0) {
    // Still yield, so that indications caused by a command follow its final line.
    co_await asio::post(m_executor, asio::use_awaitable);
  } else {
    m_timer.expires_after(delay);
    co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return generation == m_generation&& m_radio_on;
}

asio::awaitable<void> WifiLink::run_station(RadioSettings settings, std::uint64_t generation) {
  for (;;) {
    if (const bool current = co_await step(milliseconds{0}, generation); !current) co_return;
    m_state = 4;
    raise(ScanStarted{});
    if (const bool current = co_await step(k_scan_time, generation); !current) co_return;
    m_state = 5;
    raise(ScanCompleted{});
    const auto found = std::find_if(m_networks.begin(), m_networks.end(), [&](const auto& network) {
      return network.ssid == settings.ssid && security_matches(network, settings.privacy) &&
             in_range(static_cast<std::size_t>(&network - m_networks.data()));
    });
    if (found == m_networks.end()) {
      trace::event(trace::Channel::wifi,
                   "no network '" + settings.ssid + "' with matching security");
      m_timer.expires_after(m_retry_interval);
      co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (generation != m_generation) co_return;
      continue;
    }
    m_state = 6;
    raise(JoinStarted{found->bssid});
    if (const bool current = co_await step(k_join_time, generation); !current) co_return;
    raise(Associated{found->ssid});
    m_state = 7;
    const bool wpa = found->security == config::ApSecurity::wpa_personal ||
                     found->security == config::ApSecurity::wpa_enterprise;
    if (const auto failure = authentication_failure(*found, settings)) {
      trace::event(trace::Channel::wifi, *failure);
      if (const bool current = co_await step(k_handshake_time, generation); !current) co_return;
      m_state = 3;
      raise(Deauthenticated{found->security == config::ApSecurity::wpa_enterprise
                                ? k_reason_8021x_failed
                                : k_reason_handshake_timeout});
      m_timer.expires_after(m_retry_interval);
      co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (generation != m_generation) co_return;
      continue;
    }
    if (const bool current = co_await step(k_association_time, generation); !current) co_return;
    if (wpa) raise(HandshakeCompleted{});
    m_state = 9;
    if (const bool current = co_await step(k_dhcp_time, generation); !current) co_return;
    m_joined = static_cast<std::size_t>(found - m_networks.begin());
    if (settings.dhcp == 0) {
      m_ip = {settings.static_address, settings.static_netmask, settings.static_gateway,
              settings.static_dns1, settings.static_dns2};
    } else {
      m_ip = {found->lease_address, found->netmask, found->gateway, found->dns, "0.0.0.0"};
    }
    m_state = 10;
    trace::event(trace::Channel::wifi, "joined '" + found->ssid + "', address " + m_ip.address);
    raise(LinkUp{m_ip.address, false});
    if (settings.ipv6) raise(LinkUp{link_local_address(settings.mac_address), true});
    co_return;
  }
}

// Every step's result is a named local on purpose (here and in run_station): g++ 12.2 miscompiled
// this coroutine when its body declared no variable and began with
// `if (!co_await step(...)) co_return;` — the resume function read the frame's resume index from
// bytes the ramp never wrote, so the first resume executed ud2 (SIGILL) whenever a miniAP started.
asio::awaitable<void> WifiLink::run_access_point(RadioSettings settings, std::uint64_t generation) {
  const bool current = co_await step(k_association_time, generation);
  if (!current) co_return;
  m_state = 8;
  raise(AccessPointStarted{settings.ssid});
  m_ip = {settings.static_address, settings.static_netmask, settings.static_address,
          settings.static_address, "0.0.0.0"};
  m_state = 10;
  raise(LinkUp{m_ip.address, false});
  if (settings.ipv6) raise(LinkUp{link_local_address(settings.mac_address), true});
}

bool WifiLink::in_range(std::size_t index) const {
  return std::find(m_out_of_range.begin(), m_out_of_range.end(), m_networks[index].ssid) ==
         m_out_of_range.end();
}

std::vector<config::AccessPoint> WifiLink::visible_networks() const {
  std::vector<config::AccessPoint> visible;
  for (std::size_t index = 0; index < m_networks.size(); ++index) {
    if (in_range(index)) visible.push_back(m_networks[index]);
  }
  return visible;
}

void WifiLink::drop_and_rejoin(const std::string& why) {
  trace::event(trace::Channel::wifi, why + ": link lost, joining again");
  ++m_generation;
  m_timer.cancel();
  m_joined.reset();
  m_ip = {};
  m_state = 3;
  raise(LinkLost{});
  asio::co_spawn(m_executor, run_station(m_settings, m_generation), log_end);
}

bool WifiLink::set_in_range(const std::string& ssid, bool in_range_now) {
  const bool known = std::any_of(m_networks.begin(), m_networks.end(),
                                 [&](const auto& network) { return network.ssid == ssid; });
  if (!known) return false;
  std::erase(m_out_of_range, ssid);
  if (!in_range_now) m_out_of_range.push_back(ssid);
  trace::event(trace::Channel::wifi,
               "access point '" + ssid + (in_range_now ? "' in range" : "' out of range"));
  if (!in_range_now && m_joined && m_networks[*m_joined].ssid == ssid && is_up()) {
    drop_and_rejoin("access point '" + ssid + "' gone");
  } else if (in_range_now && m_radio_on && !m_joined && m_settings.mode == 1) {
    m_timer.cancel();  // a station waiting to scan again scans now
  }
  return true;
}

bool WifiLink::lose_lease() {
  if (!m_joined || !is_up() || m_settings.mode != 1) return false;
  drop_and_rejoin("DHCP lease lost");
  return true;
}

bool WifiLink::set_rssi(const std::string& ssid, int rssi, int threshold) {
  auto found = std::find_if(m_networks.begin(), m_networks.end(),
                            [&](const auto& network) { return network.ssid == ssid; });
  if (found == m_networks.end()) return false;
  found->rssi = rssi;
  trace::event(trace::Channel::wifi, "access point '" + ssid + "' RSSI " + std::to_string(rssi));
  const bool joined = m_joined && &m_networks[*m_joined] == &*found && is_up();
  if (!joined || threshold == 0) return true;
  // Below the threshold: Signal Low; back above it (by the module's 5 dB hysteresis): Signal Ok.
  if (!m_signal_low && rssi < threshold) {
    m_signal_low = true;
    raise(SignalLow{rssi});
  } else if (m_signal_low && rssi >= threshold + k_rssi_hysteresis) {
    m_signal_low = false;
    raise(SignalOk{});
  }
  return true;
}

std::string WifiLink::link_local_address(const std::string& mac_address) {
  unsigned bytes[6] = {};
  if (std::sscanf(mac_address.c_str(), "%x:%x:%x:%x:%x:%x", &bytes[0], &bytes[1], &bytes[2],
                  &bytes[3], &bytes[4], &bytes[5]) != 6) {
    return "fe80:0:0:0:0:0:0:0";
  }
  // Modified EUI-64: flip the universal/local bit and insert ff:fe in the middle.
  const unsigned groups[4] = {((bytes[0] ^ 0x02u) << 8) | bytes[1], (bytes[2] << 8) | 0xFFu,
                              (0xFEu << 8) | bytes[3], (bytes[4] << 8) | bytes[5]};
  char text[64];
  std::snprintf(text, sizeof text, "fe80:0:0:0:%x:%x:%x:%x", groups[0], groups[1], groups[2],
                groups[3]);
  return text;
}

}  // namespace spwf::net
