// The module's variable tables (spec §6.1 and §6.3) and the SCFG value syntax of §3.3.
//
// Rows whose spec entry is not a plain fact carry a `// ≈` (inferred) or `// ?` (guess) comment so
// the uncertain entries can be listed with grep. The "hidden" flag itself is ≈ for every row.

#include "config/VariableTable.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

namespace spwf::config {
namespace {

constexpr auto u = VarType::uint_value;
constexpr auto i = VarType::int_value;
constexpr auto c = VarType::char_value;
constexpr auto h32 = VarType::hex32;
constexpr auto hb = VarType::hex_bytes;
constexpr auto s = VarType::string;
constexpr auto ip = VarType::ip;
constexpr auto pair = VarType::u16_pair;
constexpr auto listed = Visibility::listed;
constexpr auto hidden = Visibility::hidden;

constexpr std::string_view zero_bytes_4 = "00:00:00:00";
constexpr std::string_view zero_bytes_6 = "00:00:00:00:00:00";
constexpr std::string_view zero_bytes_16 = "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00";
constexpr std::string_view zero_bytes_32 =
    "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:"
    "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00";
constexpr std::string_view empty_ipv6 = "0:0:0:0:0:0:0:0";

// Spec §6.1, in the firmware's order. The nv_* factory texts are placeholders: the real values
// come from the emulator's Identity (ConfigStore).
constexpr VariableSpec k_configuration_variables[] = {
    {"nv_manuf", s, 32, "STMicroelectronics Inc.", listed},
    {"nv_model", s, 16, "SPWF04SA", listed},
    {"nv_serial", s, 32, "17111984", listed},
    {"nv_wifi_macaddr", hb, 6, "00:80:E1:BD:00:39", listed},
    {"standby_time", u, 4, "10", listed},
    {"standby_enabled", u, 1, "0", listed},
    {"sleep_enabled", u, 1, "0", listed},
    {"etf_mode", u, 1, "0", listed},
    {"blink_led", u, 1, "1", listed},
    {"ext_volume", u, 1, "3", listed},
    {"ramdisk_memsize", u, 1, "16", listed},
    {"len", u, 2, "1252", hidden},                // ≈ hidden
    {"crc_check", h32, 4, "0xA5A5A5A5", hidden},  // ≈ hidden, ≈ 0x%08X printing
    {"aes128_key", hb, 16, zero_bytes_16, listed},
    {"user_desc", s, 16, "anonymous", listed},
    {"python_script", s, 64, "3:/uPython_test.py", listed},
    {"python_memsize", u, 1, "32", listed},
    {"console_enabled", u, 1, "1", listed},
    {"console_speed", u, 4, "115200", listed},
    {"console_hwfc", u, 1, "0", listed},
    {"console_echo", u, 1, "1", listed},
    {"console_errs", u, 1, "2", listed},
    {"console_winds", u, 1, "2", listed},
    {"console_verbose", u, 1, "1", listed},
    {"console_repeater", c, 1, "!", listed},
    {"console_delimiter", c, 1, ",", listed},
    {"console_wind_off_low", h32, 4, "0x00000000", listed},     // ≈ 0x%08X printing
    {"console_wind_off_medium", h32, 4, "0x00000000", listed},  // ≈ 0x%08X printing
    {"console_wind_off_high", h32, 4, "0x00000000", listed},    // ≈ 0x%08X printing
    {"wifi_tx_msdu_lifetime", u, 4, "0", listed},
    {"wifi_rx_msdu_lifetime", u, 4, "0", listed},
    {"wifi_operational_mode", h32, 4, "0x00000011", listed},  // ≈ 0x%08X printing
    {"wifi_beacon_wakeup", u, 2, "1", listed},
    {"wifi_beacon_interval", u, 2, "100", listed},
    {"wifi_listen_interval", u, 2, "0", listed},
    {"wifi_rts_threshold", u, 2, "3000", listed},
    {"wifi_ssid", hb, 32, "53:54:54:65:73:74", listed},  // ≈ printed for wifi_ssid_len bytes
    {"wifi_ssid_len", u, 1, "6", listed},
    {"wifi_txfail_thresh", u, 1, "5", listed},
    {"wifi_dtim_period", u, 1, "1", listed},
    {"wifi_add_tim_ie", u, 1, "0", listed},
    {"wifi_band", u, 1, "0", hidden},     // ≈ hidden
    {"wifi_enabled", u, 1, "1", hidden},  // ≈ hidden, ≈ changed by AT+S.WIFI (§9 Q13)
    {"wifi_region", u, 1, "1", listed},
    {"wifi_ht_mode", u, 1, "1", listed},
    {"wifi_channelnum", u, 1, "6", listed},
    {"wifi_opr_rate_mask", h32, 4, "0x003FFFCF", listed},  // ≈ 0x%08X printing
    {"wifi_bas_rate_mask", h32, 4, "0x0000000F", listed},  // ≈ 0x%08X printing
    {"wifi_mode", u, 1, "1", listed},
    {"wifi_auth_type", u, 1, "0", listed},  // ? 0 = open
    {"wifi_atim_window", u, 2, "0", listed},
    {"wifi_powersave", u, 1, "0", listed},
    {"wifi_tx_power", u, 1, "18", listed},
    {"wifi_rssi_thresh", i, 1, "0", listed},
    {"wifi_rssi_hyst", u, 1, "0", listed},
    {"wifi_ap_idle_timeout", u, 2, "120", listed},
    {"wifi_beacon_loss_thresh", u, 1, "10", listed},
    {"wifi_priv_mode", u, 1, "0", listed},
    {"wifi_wep_keys[0]", hb, 16, zero_bytes_16, listed},
    {"wifi_wep_keys[1]", hb, 16, zero_bytes_16, listed},
    {"wifi_wep_keys[2]", hb, 16, zero_bytes_16, listed},
    {"wifi_wep_keys[3]", hb, 16, zero_bytes_16, listed},
    {"wifi_wep_key_lens", hb, 4, zero_bytes_4, listed},
    {"wifi_wep_default_key", u, 1, "0", listed},
    {"wifi_wpa_psk_raw", hb, 32, zero_bytes_32, listed},
    {"wifi_wpa_psk_text", s, 64, "", listed},
    {"wifi_wpa_psk_crunched", u, 1, "0", hidden},  // ≈ hidden
    {"wifi_eap_identity", s, 32, "identity", listed},
    {"wifi_eap_anon_identity", s, 32, "anonymous@identity.org", listed},
    {"wifi_eap_passwd", s, 32, "password", listed},
    {"wifi_eap_subject_match", s, 32, "", hidden},     // ≈ hidden
    {"wifi_eap_altsubject_match", s, 32, "", hidden},  // ≈ hidden
    {"wifi_eap_peap_options", s, 64, "peaplabel=0 peapver=0 peap_outer_success=0",
     hidden},  // ≈ hidden
    {"wifi_eap_type", u, 1, "0", listed},
    {"wifi_eap_skip_datechecks", u, 1, "0", listed},
    {"wifi_wps_walk_time", u, 1, "120", listed},
    {"wifi_wps_pin", u, 4, "1234567", listed},
    {"ip_bypass", u, 1, "0", hidden},  // ≈ hidden
    {"ip_sock_memsize", u, 1, "1", listed},
    {"ip_sock_threshold", u, 1, "0", listed},
    {"ip_dhcp_lease_time", u, 4, "120", listed},
    {"ip_macfilter", hb, 6, zero_bytes_6, listed},
    {"ip_num_clients", u, 1, "5", listed},
    {"ip_allow_port_scans", u, 1, "1", listed},
    {"ip_use_v6", u, 1, "1", listed},
    {"ip_use_dhcpd", u, 1, "1", listed},
    {"ip_use_httpd", u, 1, "1", listed},
    {"ip_use_tftpd", u, 1, "1", listed},
    {"ip_use_dhcpc", u, 1, "2", listed},
    {"ip_hostname", s, 32, "", listed},
    {"ip_apdomainname", s, 32, "captiveportal.net", listed},
    {"ip_apredirect", s, 16, "firstset.html", listed},
    {"ip_ifname", s, 4, "w0", hidden},  // ≈ hidden
    {"ip_ipaddr", ip, 17, "192.168.0.50", listed},
    {"ip_netmask", ip, 17, "255.255.255.0", listed},
    {"ip_gw", ip, 17, "192.168.0.1", listed},
    {"ip_dns1", ip, 17, "208.67.222.222", listed},
    {"ip_dns2", ip, 17, "208.67.220.220", listed},
    {"ip_local", ip, 17, empty_ipv6, listed},   // ? empty IPv6 slot printing (§9 Q46)
    {"ip_dns1v6", ip, 17, empty_ipv6, listed},  // ? empty IPv6 slot printing (§9 Q46)
    {"ip_dns2v6", ip, 17, empty_ipv6, listed},  // ? empty IPv6 slot printing (§9 Q46)
    {"ip_dhcp_timeout", u, 1, "20", listed},
    {"ip_ntp_server1", s, 32, "ptbtime1.ptb.de", listed},
    {"ip_ntp_server2", s, 32, "ntp0.ipv6.fau.de", listed},
    {"ip_ntp_refresh", u, 2, "3600", listed},
    {"ip_ntp_startup", u, 1, "1", listed},
    {"ip_mdns_domain_name", s, 32, "SPWF04S-Default", listed},
    {"ip_mdns_device_name_ttl", u, 4, "120", listed},
    {"ip_mdns_services_name", s, 64, "SPWF04S-WebSrv SPWF04S-TFTPSrv", listed},
    {"ip_mdns_services_prot", s, 64, "_http._tcp _tftp._udp", listed},
    {"ip_mdns_services_keys", s, 32, "dev1 dev2", listed},
    {"ip_mdns_services_vals", s, 32, "number1 number2", listed},
    {"ip_mdns_services_port", pair, 4, "80 69", listed},
    {"ip_mdns_services_ttl", pair, 4, "120 60", listed},
    {"ip_mdns_startup", hb, 2, "01:01", listed},
};

// Spec §6.3, in the firmware's order; grouped rows expanded to one row per name.
constexpr StatusSpec k_status_variables[] = {
    {"fw_version", s},            // 1
    {"boot_version", s},          // 2
    {"var_version", u},           // 3
    {"free_heap", u},             // 4
    {"min_heap", u},              // 5
    {"system_time", u},           // 6
    {"system_uptime", u},         // 7
    {"system_sleeptime", u},      // 8
    {"reset_reason", u},          // 9
    {"startup", u},               // 10
    {"uart_errors", u},           // 11
    {"random_number", u},         // 12
    {"gpio_enable", u},           // 13
    {"system_clock", u},          // 14
    {"lsifreq", u},               // 15
    {"app_fs", u},                // 16
    {"ram_fs", u},                // 17
    {"user_fs", u},               // 18
    {"extvol_fs", u},             // 19
    {"nv_power_cycles", u},       // 20
    {"nv_wdog_resets", u},        // 21
    {"nv_reset_cycles", u},       // 22
    {"wifi_state", u},            // 23
    {"wifi_own_macaddr", hb},     // 24
    {"wifi_bssid", hb},           // 25
    {"wifi_aid", u},              // 26
    {"wifi_channelnum", u},       // 27
    {"wifi_sup_rate_mask", h32},  // 28
    {"wifi_bas_rate_mask", h32},  // 29
    {"wifi_chan_activity", h32},  // 30
    {"wifi_max_tx_power", i},     // 31
    {"wifi_gf_mode", u},          // 32
    {"wifi_reg_country", s},      // 33
    {"wifi_dtim_period", u},      // 34
    {"wifi_sleeping", u},         // 35
    {"wifi_num_assoc", u},        // 36
    {"wifi_num_input_bufs", u},   // 37
    {"wifi_max_buf_size", u},     // 38
    {"wifi_hardware_id", i},      // 39
    {"wifi_hardware_subid", i},   // 40
    {"wifi_minpowerlevel", i},    // 41
    {"wifi_maxpowerlevel", i},    // 42
    {"wifi_irqs", u},             // 43
    {"wifi_pm_mode", u},          // 44
    {"wifi_enc_headroom", u},     // 45
    {"wifi_enc_tailroom", u},     // 46
    {"wifi_cert_len_ca", u},      // 47
    {"wifi_cert_len_cert", u},    // 48
    {"wifi_cert_len_key", u},     // 49
    {"wifi_cert_len_dhp", u},     // 50
    {"ip_from_AutoIP", u},        // 51
    {"ip_ipaddr", ip},            // 52
    {"ip_netmask", ip},           // 53
    {"ip_gw", ip},                // 54
    {"ip_dns1", ip},              // 55
    {"ip_dns2", ip},              // 56
    {"ip_linklocal", ip},         // 57
    {"ip_local", ip},             // 58
    {"ip_dns1v6", ip},            // 59
    {"ip_dns2v6", ip},            // 60
    {"ip_cert_len_ca", u},        // 61
    {"ip_cert_len_cert", u},      // 62
    {"ip_cert_len_key", u},       // 63
    {"ip_cert_len_dhp", u},       // 64
};

// The IP-typed configuration slots that hold IPv6 text instead of dotted IPv4.
bool is_ipv6_slot(std::string_view name) {
  return name == "ip_local" || name == "ip_dns1v6" || name == "ip_dns2v6";
}

// Hex-byte variables whose stored length follows the input (the SSID); all others are padded
// with 00 to their full size.
bool has_variable_length(std::string_view name) {
  return name == "wifi_ssid";
}

NormalisedValue invalid() {
  return {{}, ValueError::invalid_value};
}
NormalisedValue too_long() {
  return {{}, ValueError::too_long};
}
NormalisedValue valid(std::string text) {
  return {std::move(text), std::nullopt};
}

bool is_hex_digit(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

// Parses a whole unsigned number: decimal, or hexadecimal with a 0x/0X prefix. No sign, no
// surrounding spaces, no overflow beyond 64 bits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// Largest value an unsigned variable of `size` bytes holds.
std::uint64_t unsigned_limit(std::size_t size) {
  if (size >= 4) return std::numeric_limits<std::uint32_t>::max();
  return (std::uint64_t{1} << (8 * size)) - 1;
}

NormalisedValue normalise_uint(std::size_t size, std::string_view input) {
  const auto value = parse_unsigned(input);
  if (!value || *value > unsigned_limit(size)) return invalid();
  return valid(std::to_string(*value));
}

NormalisedValue normalise_int(std::size_t size, std::string_view input) {
  bool negative = false;
  if (!input.empty() && (input[0] == '-' || input[0] == '+')) {
    negative = input[0] == '-';
    input.remove_prefix(1);
  }
  const auto magnitude = parse_unsigned(input);
  const std::size_t bits = 8 * std::min<std::size_t>(size, 4);
  const std::int64_t max = (std::int64_t{1} << (bits - 1)) - 1;
  if (!magnitude || *magnitude > static_cast<std::uint64_t>(max) + (negative ? 1 : 0)) {
    return invalid();
  }
  const std::int64_t value =
      negative ? -static_cast<std::int64_t>(*magnitude) : static_cast<std::int64_t>(*magnitude);
  return valid(std::to_string(value));
}

NormalisedValue normalise_hex32(std::string_view input) {
  std::optional<std::uint64_t> value;
  if (input.size() > 2 && input[0] == '0' && (input[1] == 'x' || input[1] == 'X')) {
    if (input.size() > 10) return invalid();  // more than 8 hex digits
  }
  value = parse_unsigned(input);
  if (!value || *value > std::numeric_limits<std::uint32_t>::max()) return invalid();
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%08X", static_cast<unsigned>(*value));
  return valid(buffer.data());
}

// One character as typed, or (≈ spec §3.3) 0x + two hex digits, the form GCFG prints. Held as
// the character itself. 0x00 is refused: a NUL delimiter or repeater could not be typed back.
NormalisedValue normalise_char(std::string_view input) {
  if (input.size() == 1) return valid(std::string(input));
  if (input.size() != 4 || input[0] != '0' || (input[1] != 'x' && input[1] != 'X') ||
      !is_hex_digit(input[2]) || !is_hex_digit(input[3])) {
    return invalid();
  }
  unsigned value = 0;
  std::from_chars(input.data() + 2, input.data() + 4, value, 16);
  if (value == 0) return invalid();
  return valid(std::string(1, static_cast<char>(value)));
}

NormalisedValue normalise_string(std::size_t size, std::string_view input) {
  if (input.size() > size) return too_long();
  return valid(std::string(input));
}

std::string format_bytes(const std::vector<std::uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string text;
  text.reserve(bytes.size() * 3);
  for (std::size_t index = 0; index < bytes.size(); ++index) {
    if (index != 0) text += ':';
    text += digits[bytes[index] >> 4];
    text += digits[bytes[index] & 0x0F];
  }
  return text;
}

NormalisedValue normalise_hex_bytes(const VariableSpec& spec, std::string_view input) {
  std::vector<std::uint8_t> bytes;
  // An empty value means "no bytes" (an empty SSID, or an all-zero key once padded).
  if (!input.empty()) {
    std::size_t start = 0;
    while (true) {
      const std::size_t colon = input.find(':', start);
      const std::string_view part = input.substr(
          start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
      if (part.empty() || part.size() > 2 || !std::all_of(part.begin(), part.end(), is_hex_digit)) {
        return invalid();
      }
      unsigned value = 0;
      std::from_chars(part.data(), part.data() + part.size(), value, 16);
      bytes.push_back(static_cast<std::uint8_t>(value));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
  }
  if (bytes.size() > spec.size) return too_long();
  if (!has_variable_length(spec.name)) bytes.resize(spec.size, 0);
  return valid(format_bytes(bytes));
}

NormalisedValue normalise_ipv4(std::string_view input) {
  std::array<unsigned, 4> parts{};
  std::size_t start = 0;
  for (std::size_t index = 0; index < parts.size(); ++index) {
    const std::size_t dot = input.find('.', start);
    const bool last = index + 1 == parts.size();
    if (last != (dot == std::string_view::npos)) return invalid();
    const std::string_view part = input.substr(start, last ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 3) return invalid();
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), parts[index]);
    if (ec != std::errc{} || ptr != part.data() + part.size() || parts[index] > 255) {
      return invalid();
    }
    start = dot + 1;
  }
  return valid(std::to_string(parts[0]) + '.' + std::to_string(parts[1]) + '.' +
               std::to_string(parts[2]) + '.' + std::to_string(parts[3]));
}

NormalisedValue normalise_ipv6(std::string_view input) {
  if (input.empty()) return valid(std::string(empty_ipv6));
  if (input.size() >= INET6_ADDRSTRLEN) return invalid();
  const std::string text(input);
  std::array<std::uint8_t, 16> address{};
  if (inet_pton(AF_INET6, text.c_str(), address.data()) != 1) return invalid();
  std::string printed;
  for (std::size_t group = 0; group < 8; ++group) {
    if (group != 0) printed += ':';
    std::array<char, 8> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%x",
                  static_cast<unsigned>(address[2 * group] << 8 | address[2 * group + 1]));
    printed += buffer.data();
  }
  return valid(printed);
}

NormalisedValue normalise_u16_pair(std::string_view input) {
  const std::size_t space = input.find(' ');
  if (space == std::string_view::npos) return invalid();
  std::array<std::string_view, 2> parts{input.substr(0, space), input.substr(space + 1)};
  std::string printed;
  for (const auto part : parts) {
    std::uint32_t value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size() || value > 65535) {
      return invalid();
    }
    if (!printed.empty()) printed += ' ';
    printed += std::to_string(value);
  }
  return valid(printed);
}

}  // namespace

std::span<const VariableSpec> configuration_variables() {
  return k_configuration_variables;
}

std::span<const StatusSpec> status_variables() {
  return k_status_variables;
}

const VariableSpec* find_configuration_variable(std::string_view name) {
  const auto found = std::ranges::find(k_configuration_variables, name, &VariableSpec::name);
  return found == std::ranges::end(k_configuration_variables) ? nullptr : found;
}

const StatusSpec* find_status_variable(std::string_view name) {
  const auto found = std::ranges::find(k_status_variables, name, &StatusSpec::name);
  return found == std::ranges::end(k_status_variables) ? nullptr : found;
}

std::string printed_value(const VariableSpec& spec, std::string_view held) {
  if (spec.type != VarType::char_value || held.size() != 1) return std::string(held);
  // ≈ spec §2.6: the 170726 listing shows console_repeater=0x21, console_delimiter=0x2C.
  char text[5];
  std::snprintf(text, sizeof text, "0x%02X",
                static_cast<unsigned>(static_cast<unsigned char>(held[0])));
  return text;
}

NormalisedValue normalise_value(const VariableSpec& spec, std::string_view input) {
  switch (spec.type) {
    case VarType::uint_value:
      return normalise_uint(spec.size, input);
    case VarType::int_value:
      return normalise_int(spec.size, input);
    case VarType::char_value:
      return normalise_char(input);
    case VarType::hex32:
      return normalise_hex32(input);
    case VarType::hex_bytes:
      return normalise_hex_bytes(spec, input);
    case VarType::string:
      return normalise_string(spec.size, input);
    case VarType::ip:
      return is_ipv6_slot(spec.name) ? normalise_ipv6(input) : normalise_ipv4(input);
    case VarType::u16_pair:
      return normalise_u16_pair(input);
  }
  return invalid();
}

}  // namespace spwf::config
