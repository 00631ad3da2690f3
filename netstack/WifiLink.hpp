#pragma once
// The emulated radio and its link: virtual access points from the emulator configuration, the
// station join sequence (scan, join, associate, WPA handshake, DHCP) with its failures and
// retries, and the miniAP start. The addresses it hands out are reported by the module; the
// traffic itself uses the host's real network stack.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/EmulatorConfig.hpp"
#include "netstack/NetEvents.hpp"
#include "tls/EnterpriseCheck.hpp"

namespace spwf::net {

/// How fast the join sequence runs: at once (tests) or paced like the module.
enum class LinkPacing { instant, real };

/// What the radio is asked to do, read from the configuration variables at radio start.
struct RadioSettings {
  unsigned mode = 1;       ///< wifi_mode: 0 idle, 1 station, 2 IBSS, 3 miniAP
  std::string ssid;        ///< wifi_ssid bytes
  unsigned privacy = 0;    ///< wifi_priv_mode: 0 open, 1 WEP, 2 WPA
  std::string passphrase;  ///< wifi_wpa_psk_text
  unsigned dhcp = 2;       ///< ip_use_dhcpc
  std::string static_address, static_netmask, static_gateway, static_dns1, static_dns2;
  bool ipv6 = true;         ///< ip_use_v6
  std::string mac_address;  ///< nv_wifi_macaddr, for the IPv6 link-local address
  /// The 802.1X side (WPAECERT slots, wifi_eap_* variables, the module clock) for
  /// WPA-Enterprise networks; the passphrase serves WPA personal ones.
  tls::EnterpriseCredentials enterprise;
};

/// The IPv4 configuration in use while the link is up.
struct IpSettings {
  std::string address = "0.0.0.0";
  std::string netmask = "0.0.0.0";
  std::string gateway = "0.0.0.0";
  std::string dns1 = "0.0.0.0";
  std::string dns2 = "0.0.0.0";
};

/// The radio, its link state (wifi_state) and the virtual access points.
class WifiLink {
 public:
  WifiLink(boost::asio::any_io_executor executor, const config::EmulatorConfig& settings,
           LinkPacing pacing, NetEventSink sink);

  /// Switches the radio on and starts the mode's sequence (join, or miniAP start).
  void start(const RadioSettings& settings);
  /// Switches the radio off; the link drops.
  void stop();
  /// Power cycle: radio off without an indication, state back to 0.
  void power_off();
  bool radio_on() const { return m_radio_on; }
  /// wifi_state (spec §2.10).
  std::uint32_t state() const { return m_state; }
  /// True once +WIND:24 has been raised (wifi_state 10).
  bool is_up() const { return m_state >= 10; }
  /// The access point joined (station mode), if any.
  const config::AccessPoint* access_point() const;
  /// The addresses in use (all 0.0.0.0 while down).
  const IpSettings& ip() const { return m_ip; }
  /// The access points in range.
  std::vector<config::AccessPoint> visible_networks() const;
  /// The control interface: the access point `ssid` leaves range (false) or comes back (true).
  /// The joined one leaving drops the link (+WIND:33) and the station scans until it is back,
  /// then joins again (+WIND:21/35 ... 24). False for an SSID the configuration does not have.
  bool set_in_range(const std::string& ssid, bool in_range);
  /// The control interface: the DHCP lease is lost; the link drops (+WIND:33) and the station
  /// joins again. False when the link is not up in station mode.
  bool lose_lease();
  /// The control interface: the joined access point's signal is now `rssi` dBm; crossing
  /// wifi_rssi_thresh (`threshold`, 0 off) raises +WIND:15 (below) or +WIND:16 (back above).
  bool set_rssi(const std::string& ssid, int rssi, int threshold);
  /// The IPv6 link-local address derived from the MAC (spec §2.7 %i form).
  static std::string link_local_address(const std::string& mac_address);

 private:
  boost::asio::awaitable<void> run_station(RadioSettings settings, std::uint64_t generation);
  boost::asio::awaitable<void> run_access_point(RadioSettings settings, std::uint64_t generation);
  boost::asio::awaitable<bool> step(std::chrono::milliseconds real_delay, std::uint64_t generation);
  void raise(const NetEvent& event);
  bool in_range(std::size_t index) const;
  /// Drops a station link that is up and starts joining again.
  void drop_and_rejoin(const std::string& why);

  boost::asio::any_io_executor m_executor;
  std::vector<config::AccessPoint> m_networks;
  std::chrono::milliseconds m_retry_interval;
  LinkPacing m_pacing;
  NetEventSink m_sink;
  boost::asio::steady_timer m_timer;
  std::uint64_t m_generation = 0;
  bool m_radio_on = false;
  std::uint32_t m_state = 0;
  std::optional<std::size_t> m_joined;
  IpSettings m_ip;
  RadioSettings m_settings;                 ///< as at the last start (for a rejoin)
  std::vector<std::string> m_out_of_range;  ///< SSIDs the control interface took away
  bool m_signal_low = false;
};

}  // namespace spwf::net
