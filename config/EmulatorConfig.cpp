// The emulator's own configuration file. Parsing is strict: an unknown key, a wrong type or an
// invalid value stops the start-up with "<file>: <key path>: <what is wrong>", because a silently
// ignored typo ("chanel") would make the emulator behave differently from what the user wrote.

#include "config/EmulatorConfig.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <limits>

#include "config/StateDirectory.hpp"

namespace spwf::config {
namespace {

bool is_ipv4(const std::string& text) {
  std::array<unsigned char, 4> address{};
  return inet_pton(AF_INET, text.c_str(), address.data()) == 1;
}

bool is_ipv6(const std::string& text) {
  std::array<unsigned char, 16> address{};
  return inet_pton(AF_INET6, text.c_str(), address.data()) == 1;
}

bool is_hex_text(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
  });
}

// Six hex bytes separated by ':' -> the printed %m form (upper case, two digits), or nullopt.
std::optional<std::string> normalise_mac(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string printed;
  std::size_t count = 0;
  while (true) {
    const std::size_t colon = text.find(':');
    const std::string_view part = text.substr(0, colon);
    if (part.empty() || part.size() > 2 || !is_hex_text(part)) return std::nullopt;
    unsigned value = 0;
    std::from_chars(part.data(), part.data() + part.size(), value, 16);
    if (count++ != 0) printed += ':';
    printed += digits[value >> 4];
    printed += digits[value & 0x0F];
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  if (count != 6) return std::nullopt;
  return printed;
}

// Reads one JSON document, remembering the file name for messages.
class DocumentReader {
 public:
  explicit DocumentReader(const std::string& file_name) : m_file_name(file_name) {}

  [[noreturn]] void fail(const std::string& key_path, const std::string& problem) const {
    throw StartupError(m_file_name + ": " + key_path + ": " + problem);
  }

  void require_object(const nlohmann::json& value, const std::string& key_path) const {
    if (!value.is_object()) fail(key_path, "expected an object");
  }

  /// Refuses any key of `object` that is not in `known`.
  void check_keys(const nlohmann::json& object, const std::string& prefix,
                  std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail(prefix + key, "unknown key");
      }
    }
  }

  std::string get_string(const nlohmann::json& value, const std::string& key_path) const {
    if (!value.is_string()) fail(key_path, "expected a string");
    return value.get<std::string>();
  }

  std::int64_t get_integer(const nlohmann::json& value, const std::string& key_path,
                           std::int64_t minimum, std::int64_t maximum) const {
    if (!value.is_number_integer()) fail(key_path, "expected an integer");
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(maximum)) {
      fail(key_path, "out of range " + std::to_string(minimum) + ".." + std::to_string(maximum));
    }
    const auto number = value.get<std::int64_t>();
    if (number < minimum || number > maximum) {
      fail(key_path, "out of range " + std::to_string(minimum) + ".." + std::to_string(maximum));
    }
    return number;
  }

  std::string get_ipv4(const nlohmann::json& value, const std::string& key_path) const {
    auto text = get_string(value, key_path);
    if (!is_ipv4(text)) fail(key_path, "\"" + text + "\" is not a dotted IPv4 address");
    return text;
  }

  std::string get_mac(const nlohmann::json& value, const std::string& key_path) const {
    const auto text = get_string(value, key_path);
    auto printed = normalise_mac(text);
    if (!printed) fail(key_path, "\"" + text + "\" is not six hex bytes like 00:11:22:33:44:55");
    return *printed;
  }

  std::vector<std::string> get_string_array(const nlohmann::json& value,
                                            const std::string& key_path) const {
    if (!value.is_array()) fail(key_path, "expected an array of strings");
    std::vector<std::string> strings;
    for (std::size_t index = 0; index < value.size(); ++index) {
      const auto element_path = key_path + "[" + std::to_string(index) + "]";
      auto text = get_string(value[index], element_path);
      if (text.empty()) fail(element_path, "must not be empty");
      strings.push_back(std::move(text));
    }
    return strings;
  }

 private:
  const std::string& m_file_name;
};

// A text value for an nv_* identity variable, checked against that variable's size and type.
std::string get_identity_value(const DocumentReader& reader, const nlohmann::json& value,
                               const std::string& key_path, std::string_view variable) {
  const auto text = reader.get_string(value, key_path);
  const auto* spec = find_configuration_variable(variable);
  const auto normalised = normalise_value(*spec, text);
  if (normalised.error == ValueError::too_long) {
    reader.fail(key_path, "longer than " + std::to_string(spec->size) + " characters");
  }
  if (normalised.error) reader.fail(key_path, "invalid value \"" + text + "\"");
  return normalised.text;
}

Identity parse_identity(const DocumentReader& reader, const nlohmann::json& object,
                        Identity identity) {
  const std::string prefix = "identity.";
  reader.require_object(object, "identity");
  reader.check_keys(object, prefix, {"manufacturer", "model", "serial", "mac_address"});
  if (const auto found = object.find("manufacturer"); found != object.end()) {
    identity.manufacturer = get_identity_value(reader, *found, prefix + "manufacturer", "nv_manuf");
  }
  if (const auto found = object.find("model"); found != object.end()) {
    identity.model = get_identity_value(reader, *found, prefix + "model", "nv_model");
  }
  if (const auto found = object.find("serial"); found != object.end()) {
    identity.serial = get_identity_value(reader, *found, prefix + "serial", "nv_serial");
  }
  if (const auto found = object.find("mac_address"); found != object.end()) {
    identity.mac_address = reader.get_mac(*found, prefix + "mac_address");
  }
  return identity;
}

ApSecurity parse_security(const DocumentReader& reader, const nlohmann::json& value,
                          const std::string& key_path) {
  const auto text = reader.get_string(value, key_path);
  if (text == "open") return ApSecurity::open;
  if (text == "wep") return ApSecurity::wep;
  if (text == "wpa") return ApSecurity::wpa_personal;
  if (text == "wpa-enterprise") return ApSecurity::wpa_enterprise;
  reader.fail(key_path, "\"" + text + "\" is not one of open, wep, wpa, wpa-enterprise");
}

// "eap": {"method": "tls"|"peap"|"ttls", "server_chain": PEM, "client_ca": PEM (tls),
// "identity", "password" (peap, ttls)}.
EnterpriseSettings parse_enterprise(const DocumentReader& reader, const nlohmann::json& object,
                                    const std::string& path) {
  reader.require_object(object, path);
  const std::string prefix = path + ".";
  reader.check_keys(object, prefix,
                    {"method", "server_chain", "client_ca", "identity", "password"});
  EnterpriseSettings settings;
  const auto text = [&](std::string_view key) {
    const auto found = object.find(std::string{key});
    return found == object.end() ? std::string{} : reader.get_string(*found, prefix + std::string{key});
  };
  const std::string method = text("method");
  if (method == "peap") {
    settings.method = EapMethod::peap;
  } else if (method == "ttls") {
    settings.method = EapMethod::ttls;
  } else if (method != "tls") {
    reader.fail(prefix + "method", "\"" + method + "\" is not one of tls, peap, ttls");
  }
  settings.server_chain = text("server_chain");
  settings.client_ca = text("client_ca");
  settings.identity = text("identity");
  settings.password = text("password");
  const auto require_pem = [&](const std::string& value, std::string_view key) {
    if (value.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      reader.fail(prefix + std::string{key}, "a PEM certificate is needed");
    }
  };
  require_pem(settings.server_chain, "server_chain");
  if (settings.method == EapMethod::tls) {
    require_pem(settings.client_ca, "client_ca");
  } else if (settings.identity.empty()) {
    reader.fail(prefix + "identity", "PEAP and TTLS need an identity");
  }
  return settings;
}

// WPA: an 8..63 character passphrase or 64 hex digits. WEP: 5 or 13 characters, or 10 or 26 hex
// digits (40- and 104-bit keys). Open: no passphrase.
void check_passphrase(const DocumentReader& reader, const AccessPoint& access_point,
                      const std::string& key_path) {
  const auto& text = access_point.passphrase;
  const auto length = text.size();
  switch (access_point.security) {
    case ApSecurity::open:
      if (!text.empty()) reader.fail(key_path, "an open network takes no passphrase");
      return;
    case ApSecurity::wpa_enterprise:
      if (!text.empty())
        reader.fail(key_path, "a WPA-Enterprise network takes \"eap\", no passphrase");
      return;
    case ApSecurity::wep:
      if (length == 5 || length == 13 || ((length == 10 || length == 26) && is_hex_text(text))) {
        return;
      }
      reader.fail(key_path, "a WEP key is 5 or 13 characters, or 10 or 26 hex digits");
    case ApSecurity::wpa_personal:
      if ((length >= 8 && length <= 63) || (length == 64 && is_hex_text(text))) return;
      reader.fail(key_path, "a WPA passphrase is 8 to 63 characters, or 64 hex digits");
  }
}

AccessPoint parse_access_point(const DocumentReader& reader, const nlohmann::json& object,
                               const std::string& path) {
  reader.require_object(object, path);
  const std::string prefix = path + ".";
  reader.check_keys(object, prefix,
                    {"ssid", "bssid", "channel", "rssi", "security", "passphrase", "eap",
                     "lease_address", "netmask", "gateway", "dns"});
  AccessPoint access_point;
  bool has_eap = false;
  const auto ssid = object.find("ssid");
  if (ssid == object.end()) reader.fail(prefix + "ssid", "missing");
  access_point.ssid = reader.get_string(*ssid, prefix + "ssid");
  if (access_point.ssid.empty() || access_point.ssid.size() > 32) {
    reader.fail(prefix + "ssid", "an SSID is 1 to 32 bytes");
  }
  for (const auto& [key, value] : object.items()) {
    const auto key_path = prefix + key;
    if (key == "bssid") {
      access_point.bssid = reader.get_mac(value, key_path);
    } else if (key == "channel") {
      access_point.channel = static_cast<unsigned>(reader.get_integer(value, key_path, 1, 14));
    } else if (key == "rssi") {
      access_point.rssi = static_cast<int>(reader.get_integer(value, key_path, -127, 0));
    } else if (key == "security") {
      access_point.security = parse_security(reader, value, key_path);
    } else if (key == "passphrase") {
      access_point.passphrase = reader.get_string(value, key_path);
    } else if (key == "eap") {
      access_point.enterprise = parse_enterprise(reader, value, key_path);
      has_eap = true;
    } else if (key == "lease_address") {
      access_point.lease_address = reader.get_ipv4(value, key_path);
    } else if (key == "netmask") {
      access_point.netmask = reader.get_ipv4(value, key_path);
    } else if (key == "gateway") {
      access_point.gateway = reader.get_ipv4(value, key_path);
    } else if (key == "dns") {
      access_point.dns = reader.get_ipv4(value, key_path);
    }
  }
  check_passphrase(reader, access_point, prefix + "passphrase");
  if (has_eap != (access_point.security == ApSecurity::wpa_enterprise)) {
    reader.fail(prefix + "eap", "\"eap\" goes with security \"wpa-enterprise\", and only with it");
  }
  return access_point;
}

// Splits curl-style rule text into fields at ':' while keeping "[v6:address]" whole.
class RuleScanner {
 public:
  enum class Last { no, yes };
  enum class EmptyPort { refused, allowed };

  RuleScanner(std::string_view text, std::string_view rule_name, std::string_view expected)
      : m_text(text), m_rule_name(rule_name), m_expected(expected) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw StartupError("bad " + std::string(m_rule_name) + " rule \"" + std::string(m_text) +
                       "\": " + problem + " (expected " + std::string(m_expected) + ")");
  }

  /// A host name, IPv4 address or bracketed IPv6 address (returned without brackets); may be
  /// empty. `last` fields run to the end of the text.
  std::string host(Last last) {
    std::string_view field;
    if (!m_rest.empty() && m_rest.front() == '[') {
      const std::size_t close = m_rest.find(']');
      if (close == std::string_view::npos) fail("missing ']' after an IPv6 address");
      field = m_rest.substr(1, close - 1);
      if (!is_ipv6(std::string(field))) fail("\"" + std::string(field) + "\" is not IPv6");
      m_rest.remove_prefix(close + 1);
      finish_field(last);
      return std::string(field);
    }
    field = take_field(last);
    if (field.find_first_of("[] ") != std::string_view::npos) {
      fail("\"" + std::string(field) + "\" is not a host name or address");
    }
    return std::string(field);
  }

  /// A port 1..65535, or 0 when the field is empty and `empty_allowed`.
  std::uint16_t port(Last last, EmptyPort empty) {
    const auto field = take_field(last);
    if (field.empty() && empty == EmptyPort::allowed) return 0;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (field.empty() || ec != std::errc{} || ptr != field.data() + field.size() || value == 0 ||
        value > 65535) {
      fail("\"" + std::string(field) + "\" is not a port 1..65535");
    }
    return static_cast<std::uint16_t>(value);
  }

 private:
  std::string_view take_field(Last last) {
    if (last == Last::yes) {
      const auto field = m_rest;
      if (field.find(':') != std::string_view::npos) fail("too many ':' separated fields");
      m_rest = {};
      return field;
    }
    const std::size_t colon = m_rest.find(':');
    if (colon == std::string_view::npos) fail("too few ':' separated fields");
    const auto field = m_rest.substr(0, colon);
    m_rest.remove_prefix(colon + 1);
    return field;
  }

  void finish_field(Last last) {
    if (last == Last::yes) {
      if (!m_rest.empty()) fail("unexpected text after ']'");
      return;
    }
    if (m_rest.empty() || m_rest.front() != ':') fail("expected ':' after ']'");
    m_rest.remove_prefix(1);
  }

  std::string_view m_text;
  std::string_view m_rule_name;
  std::string_view m_expected;
  std::string_view m_rest = m_text;
};

}  // namespace

ResolveRule parse_resolve_rule(std::string_view text) {
  using Last = RuleScanner::Last;
  RuleScanner scanner(text, "resolve", "HOST:PORT:ADDRESS");
  ResolveRule rule;
  rule.host = scanner.host(Last::no);
  if (rule.host.empty()) scanner.fail("empty host");
  rule.port = scanner.port(Last::no, RuleScanner::EmptyPort::refused);
  const bool bracketed = text.ends_with("]");
  rule.address = scanner.host(Last::yes);
  if (!bracketed && !is_ipv4(rule.address)) {
    scanner.fail("\"" + rule.address + "\" is not an IPv4 address or a bracketed IPv6 address");
  }
  return rule;
}

ConnectToRule parse_connect_to_rule(std::string_view text) {
  using Last = RuleScanner::Last;
  using EmptyPort = RuleScanner::EmptyPort;
  RuleScanner scanner(text, "connect-to", "HOST1:PORT1:HOST2:PORT2");
  ConnectToRule rule;
  rule.from_host = scanner.host(Last::no);
  rule.from_port = scanner.port(Last::no, EmptyPort::allowed);
  rule.to_host = scanner.host(Last::no);
  rule.to_port = scanner.port(Last::yes, EmptyPort::allowed);
  return rule;
}

EmulatorConfig default_emulator_config() {
  EmulatorConfig config;
  AccessPoint access_point;
  access_point.ssid = "STTest";
  config.access_points.push_back(access_point);
  return config;
}

EmulatorConfig parse_emulator_config(const nlohmann::json& document,
                                     const std::string& file_name_for_messages) {
  const DocumentReader reader(file_name_for_messages);
  if (!document.is_object()) {
    throw StartupError(file_name_for_messages + ": the configuration must be a JSON object");
  }
  reader.check_keys(
      document, "",
      {"identity", "access_points", "resolve", "connect_to", "allow", "deny", "host_dns",
       "server_listen_address", "join_retry_interval_ms", "connect_timeout_ms",
       "http_idle_timeout_ms", "tftp_timeout_ms", "tftp_server_port"});
  auto config = default_emulator_config();
  constexpr auto max_milliseconds = std::int64_t{24} * 3600 * 1000;
  for (const auto& [key, value] : document.items()) {
    if (key == "identity") {
      config.identity = parse_identity(reader, value, config.identity);
    } else if (key == "access_points") {
      if (!value.is_array()) reader.fail(key, "expected an array of objects");
      config.access_points.clear();
      for (std::size_t index = 0; index < value.size(); ++index) {
        config.access_points.push_back(parse_access_point(
            reader, value[index], "access_points[" + std::to_string(index) + "]"));
      }
    } else if (key == "resolve" || key == "connect_to") {
      const auto texts = reader.get_string_array(value, key);
      for (std::size_t index = 0; index < texts.size(); ++index) {
        try {
          if (key == "resolve") {
            config.resolve.push_back(parse_resolve_rule(texts[index]));
          } else {
            config.connect_to.push_back(parse_connect_to_rule(texts[index]));
          }
        } catch (const StartupError& error) {
          reader.fail(key + "[" + std::to_string(index) + "]", error.what());
        }
      }
    } else if (key == "allow") {
      config.allow = reader.get_string_array(value, key);
    } else if (key == "deny") {
      config.deny = reader.get_string_array(value, key);
    } else if (key == "host_dns") {
      if (!value.is_boolean()) reader.fail(key, "expected true or false");
      config.host_dns = value.get<bool>();
    } else if (key == "server_listen_address") {
      const auto text = reader.get_string(value, key);
      if (!is_ipv4(text) && !is_ipv6(text)) {
        reader.fail(key, "\"" + text + "\" is not an IPv4 or IPv6 address");
      }
      config.server_listen_address = text;
    } else if (key == "join_retry_interval_ms") {
      config.join_retry_interval =
          std::chrono::milliseconds(reader.get_integer(value, key, 1, max_milliseconds));
    } else if (key == "connect_timeout_ms") {
      config.connect_timeout =
          std::chrono::milliseconds(reader.get_integer(value, key, 1, max_milliseconds));
    } else if (key == "http_idle_timeout_ms") {
      config.http_idle_timeout =
          std::chrono::milliseconds(reader.get_integer(value, key, 1, max_milliseconds));
    } else if (key == "tftp_server_port") {
      config.tftp_server_port =
          static_cast<std::uint16_t>(reader.get_integer(value, key, 0, 65535));
    } else if (key == "tftp_timeout_ms") {
      config.tftp_timeout =
          std::chrono::milliseconds(reader.get_integer(value, key, 1, max_milliseconds));
    }
  }
  return config;
}

EmulatorConfig load_emulator_config(const std::filesystem::path& path) {
  std::string text;
  if (const auto error = read_file(path, text)) {
    throw StartupError(path.string() + ": cannot be read: " + error.message());
  }
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw StartupError(path.string() + ": is not valid JSON: " + error.what());
  }
  return parse_emulator_config(document, path.string());
}

}  // namespace spwf::config
