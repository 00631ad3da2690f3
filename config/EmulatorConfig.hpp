#pragma once
// The emulator's own JSON configuration (--config FILE): module identity, virtual access points,
// host mapping and access rules, timings. Without a file the defaults make a working module.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/ConfigStore.hpp"
#include "config/FlashStore.hpp"  // StartupError

namespace spwf::config {

/// Security of a virtual access point.
enum class ApSecurity { open, wep, wpa_personal, wpa_enterprise };

/// An 802.1X network's EAP method (the module selects it with wifi_eap_type: 0, 1, 2 ?).
enum class EapMethod { tls, peap, ttls };

/// What a WPA-Enterprise network's authentication server has and expects (tls/EnterpriseCheck).
struct EnterpriseSettings {
  EapMethod method = EapMethod::tls;
  std::string server_chain;  ///< PEM the server presents, leaf first
  std::string client_ca;     ///< PEM a client certificate must lead to (EAP-TLS)
  std::string identity;      ///< PEAP/TTLS user
  std::string password;
};

/// One virtual access point the emulated radio can see and join.
struct AccessPoint {
  std::string ssid;
  std::string bssid = "00:11:22:33:44:55";  ///< printed %m form
  unsigned channel = 6;
  int rssi = -56;
  ApSecurity security = ApSecurity::open;
  std::string passphrase;                       ///< WPA passphrase or WEP key text
  EnterpriseSettings enterprise;                ///< security wpa-enterprise only
  std::string lease_address = "192.168.1.100";  ///< what DHCP hands the module
  std::string netmask = "255.255.255.0";
  std::string gateway = "192.168.1.1";
  std::string dns = "192.168.1.1";
};

/// curl's --resolve HOST:PORT:ADDRESS.
struct ResolveRule {
  std::string host;
  std::uint16_t port = 0;
  std::string address;
};

/// curl's --connect-to HOST1:PORT1:HOST2:PORT2 (empty host1 / port1 0 match any).
struct ConnectToRule {
  std::string from_host;
  std::uint16_t from_port = 0;
  std::string to_host;
  std::uint16_t to_port = 0;
};

/// Everything the emulator reads from its configuration file.
struct EmulatorConfig {
  Identity identity;
  std::vector<AccessPoint> access_points;  ///< default: one open network "STTest"
  std::vector<ResolveRule> resolve;
  std::vector<ConnectToRule> connect_to;
  std::vector<std::string> allow;  ///< host names or CIDR patterns; empty = allow all
  std::vector<std::string> deny;   ///< host names or CIDR patterns; checked first
  /// false ("host_dns": false, --no-host-dns): names resolve only through `resolve` rules;
  /// nothing asks the host.
  bool host_dns = true;
  std::string server_listen_address = "127.0.0.1";  ///< where SOCKDON listeners bind
  std::chrono::milliseconds join_retry_interval{10000};
  std::chrono::milliseconds connect_timeout{5000};
  /// HTTPGET/HTTPPOST give up (error 111) when the server stays silent this long.
  std::chrono::milliseconds http_idle_timeout{20000};
  /// TFTP (TFTPGET/TFTPPUT and the module's server): how long a transfer waits for each answer
  /// before it sends its last packet again (limits::tftp_retries times, then it fails).
  std::chrono::milliseconds tftp_timeout{1000};
  /// The module's own TFTP server (ip_use_tftpd=1) listens on server_listen_address and this
  /// port while the link is up (the module's UDP 69 needs root on a host; 0: an ephemeral port).
  std::uint16_t tftp_server_port = 6969;
};

/// The defaults: factory identity and one open access point "STTest".
EmulatorConfig default_emulator_config();

/// Parses a configuration document over the defaults. Throws StartupError naming the key and the
/// file on an unknown key, a wrong type or an invalid value.
EmulatorConfig parse_emulator_config(const nlohmann::json& document,
                                     const std::string& file_name_for_messages);

/// Parses curl's --resolve text "HOST:PORT:ADDRESS" (IPv6 in brackets); throws StartupError.
ResolveRule parse_resolve_rule(std::string_view text);
/// Parses curl's --connect-to text "HOST1:PORT1:HOST2:PORT2" (IPv6 in brackets; empty HOST2 /
/// PORT2 keep the original host / port, stored as "" / 0); throws StartupError.
ConnectToRule parse_connect_to_rule(std::string_view text);

/// Reads and parses a configuration file (throws StartupError as above, or if unreadable).
EmulatorConfig load_emulator_config(const std::filesystem::path& path);

}  // namespace spwf::config
