// Covers config/EmulatorConfig: the defaults (one open AP "STTest"), a full document, strict
// errors of the form "<file>: <key path>: <problem>", the curl-style --resolve / --connect-to
// rules, and loading from a file.

#include <gtest/gtest.h>

#include <fstream>

#include "config/EmulatorConfig.hpp"
#include "tests/config/TempDirectory.hpp"

namespace spwf::config {
namespace {

using nlohmann::json;

// Parses `document` expecting a StartupError; returns its message.
std::string parse_error(const json& document) {
  try {
    parse_emulator_config(document, "spwf.json");
  } catch (const StartupError& error) {
    return error.what();
  }
  ADD_FAILURE() << "accepted " << document.dump();
  return {};
}

TEST(EmulatorConfigTest, DefaultsMakeAWorkingModule) {
  const auto config = default_emulator_config();
  EXPECT_EQ(config.identity.model, "SPWF04SA");
  EXPECT_EQ(config.identity.mac_address, "00:80:E1:BD:00:39");
  ASSERT_EQ(config.access_points.size(), 1u);
  const auto& access_point = config.access_points.front();
  EXPECT_EQ(access_point.ssid, "STTest");
  EXPECT_EQ(access_point.bssid, "00:11:22:33:44:55");
  EXPECT_EQ(access_point.channel, 6u);
  EXPECT_EQ(access_point.rssi, -56);
  EXPECT_EQ(access_point.security, ApSecurity::open);
  EXPECT_EQ(access_point.lease_address, "192.168.1.100");
  EXPECT_EQ(access_point.netmask, "255.255.255.0");
  EXPECT_EQ(access_point.gateway, "192.168.1.1");
  EXPECT_EQ(access_point.dns, "192.168.1.1");
  EXPECT_TRUE(config.resolve.empty());
  EXPECT_TRUE(config.host_dns);
  EXPECT_EQ(config.server_listen_address, "127.0.0.1");
  EXPECT_EQ(config.join_retry_interval, std::chrono::milliseconds(10000));
  EXPECT_EQ(config.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.tftp_timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(config.tftp_server_port, 6969);
  EXPECT_EQ(parse_emulator_config(json::object(), "x.json").access_points.size(), 1u);
}

TEST(EmulatorConfigTest, ParsesAFullDocument) {
  const auto document = json::parse(R"({
    "identity": {"manufacturer": "ACME", "model": "EMU", "serial": "1", "mac_address": "2:0:0:ab:cd:ef"},
    "access_points": [
      {"ssid": "Home", "bssid": "aa:bb:cc:dd:ee:ff", "channel": 11, "rssi": -40,
       "security": "wpa", "passphrase": "password123", "lease_address": "10.0.0.5",
       "netmask": "255.0.0.0", "gateway": "10.0.0.1", "dns": "10.0.0.2"},
      {"ssid": "Old", "security": "wep", "passphrase": "0102030405"}
    ],
    "resolve": ["example.com:443:127.0.0.1"],
    "connect_to": ["example.com:443:localhost:8443"],
    "allow": ["127.0.0.0/8"],
    "deny": ["evil.example"],
    "host_dns": false,
    "server_listen_address": "::1",
    "join_retry_interval_ms": 50,
    "connect_timeout_ms": 250,
    "tftp_timeout_ms": 120,
    "tftp_server_port": 16969
  })");
  const auto config = parse_emulator_config(document, "spwf.json");
  EXPECT_EQ(config.identity.manufacturer, "ACME");
  EXPECT_EQ(config.identity.mac_address, "02:00:00:AB:CD:EF");
  ASSERT_EQ(config.access_points.size(), 2u);
  EXPECT_EQ(config.access_points[0].bssid, "AA:BB:CC:DD:EE:FF");
  EXPECT_EQ(config.access_points[0].channel, 11u);
  EXPECT_EQ(config.access_points[0].rssi, -40);
  EXPECT_EQ(config.access_points[0].security, ApSecurity::wpa_personal);
  EXPECT_EQ(config.access_points[0].passphrase, "password123");
  EXPECT_EQ(config.access_points[0].dns, "10.0.0.2");
  EXPECT_EQ(config.access_points[1].security, ApSecurity::wep);
  EXPECT_EQ(config.access_points[1].channel, 6u);
  ASSERT_EQ(config.resolve.size(), 1u);
  EXPECT_EQ(config.resolve[0].host, "example.com");
  EXPECT_EQ(config.resolve[0].port, 443);
  EXPECT_EQ(config.resolve[0].address, "127.0.0.1");
  ASSERT_EQ(config.connect_to.size(), 1u);
  EXPECT_EQ(config.connect_to[0].to_port, 8443);
  EXPECT_EQ(config.allow, std::vector<std::string>{"127.0.0.0/8"});
  EXPECT_EQ(config.deny, std::vector<std::string>{"evil.example"});
  EXPECT_FALSE(config.host_dns);
  EXPECT_EQ(config.server_listen_address, "::1");
  EXPECT_EQ(config.join_retry_interval, std::chrono::milliseconds(50));
  EXPECT_EQ(config.connect_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(config.tftp_timeout, std::chrono::milliseconds(120));
  EXPECT_EQ(config.tftp_server_port, 16969);
}

TEST(EmulatorConfigTest, EmptyAccessPointListReplacesTheDefault) {
  const auto config = parse_emulator_config(json{{"access_points", json::array()}}, "f");
  EXPECT_TRUE(config.access_points.empty());
}

TEST(EmulatorConfigTest, UnknownKeysAreNamedWithTheirPath) {
  EXPECT_EQ(parse_error(json::parse(R"({"access_points": [{"ssid": "A", "chanel": 6}]})")),
            "spwf.json: access_points[0].chanel: unknown key");
  EXPECT_EQ(parse_error(json::parse(R"({"identiy": {}})")), "spwf.json: identiy: unknown key");
  EXPECT_EQ(parse_error(json::parse(R"({"identity": {"mac": "x"}})")),
            "spwf.json: identity.mac: unknown key");
}

TEST(EmulatorConfigTest, WrongTypesAndValuesAreNamed) {
  struct Case {
    const char* document;
    const char* message;
  };
  const Case cases[] = {
      {R"([])", "spwf.json: the configuration must be a JSON object"},
      {R"({"access_points": {}})", "spwf.json: access_points: expected an array of objects"},
      {R"({"access_points": [1]})", "spwf.json: access_points[0]: expected an object"},
      {R"({"access_points": [{"channel": 6}]})", "spwf.json: access_points[0].ssid: missing"},
      {R"({"access_points": [{"ssid": "A", "channel": "6"}]})",
       "spwf.json: access_points[0].channel: expected an integer"},
      {R"({"access_points": [{"ssid": "A", "channel": 15}]})",
       "spwf.json: access_points[0].channel: out of range 1..14"},
      {R"({"access_points": [{"ssid": "A", "rssi": 1.5}]})",
       "spwf.json: access_points[0].rssi: expected an integer"},
      {R"({"access_points": [{"ssid": "A", "bssid": "00:11:22:33:44"}]})",
       "spwf.json: access_points[0].bssid: \"00:11:22:33:44\" is not six hex bytes like "
       "00:11:22:33:44:55"},
      {R"({"access_points": [{"ssid": "A", "gateway": "10.0.0.256"}]})",
       "spwf.json: access_points[0].gateway: \"10.0.0.256\" is not a dotted IPv4 address"},
      {R"({"access_points": [{"ssid": "A", "security": "wpa3"}]})",
       "spwf.json: access_points[0].security: \"wpa3\" is not one of open, wep, wpa, "
       "wpa-enterprise"},
      {R"({"access_points": [{"ssid": "A", "security": "wpa-enterprise"}]})",
       "spwf.json: access_points[0].eap: \"eap\" goes with security \"wpa-enterprise\", and "
       "only with it"},
      {R"({"access_points": [{"ssid": "A", "eap": {"method": "tls", "server_chain": "x"}}]})",
       "spwf.json: access_points[0].eap.server_chain: a PEM certificate is needed"},
      {R"({"access_points": [{"ssid": "A", "eap": {"method": "leap"}}]})",
       "spwf.json: access_points[0].eap.method: \"leap\" is not one of tls, peap, ttls"},
      {R"({"access_points": [{"ssid": "A", "security": "wpa-enterprise", "passphrase": "x",
           "eap": {"method": "peap", "identity": "a",
                   "server_chain": "-----BEGIN CERTIFICATE-----"}}]})",
       "spwf.json: access_points[0].passphrase: a WPA-Enterprise network takes \"eap\", no "
       "passphrase"},
      {R"({"access_points": [{"ssid": "A", "security": "wpa-enterprise",
           "eap": {"method": "peap", "server_chain": "-----BEGIN CERTIFICATE-----"}}]})",
       "spwf.json: access_points[0].eap.identity: PEAP and TTLS need an identity"},
      {R"({"access_points": [{"ssid": "A", "security": "wpa", "passphrase": "short"}]})",
       "spwf.json: access_points[0].passphrase: a WPA passphrase is 8 to 63 characters, or 64 "
       "hex digits"},
      {R"({"identity": {"model": "a model name that is too long"}})",
       "spwf.json: identity.model: longer than 16 characters"},
      {R"({"identity": {"mac_address": "00:80:E1:BD:00:GG"}})",
       "spwf.json: identity.mac_address: \"00:80:E1:BD:00:GG\" is not six hex bytes like "
       "00:11:22:33:44:55"},
      {R"({"allow": "127.0.0.1"})", "spwf.json: allow: expected an array of strings"},
      {R"({"deny": ["a", 2]})", "spwf.json: deny[1]: expected a string"},
      {R"({"host_dns": "no"})", "spwf.json: host_dns: expected true or false"},
      {R"({"server_listen_address": "localhost"})",
       "spwf.json: server_listen_address: \"localhost\" is not an IPv4 or IPv6 address"},
      {R"({"connect_timeout_ms": 0})", "spwf.json: connect_timeout_ms: out of range 1..86400000"},
      {R"({"join_retry_interval_ms": -5})",
       "spwf.json: join_retry_interval_ms: out of range 1..86400000"},
      {R"({"resolve": ["example.com:0:127.0.0.1"]})",
       "spwf.json: resolve[0]: bad resolve rule \"example.com:0:127.0.0.1\": \"0\" is not a port "
       "1..65535 (expected HOST:PORT:ADDRESS)"},
  };
  for (const auto& test : cases) {
    EXPECT_EQ(parse_error(json::parse(test.document)), test.message) << test.document;
  }
}

TEST(EmulatorConfigTest, ResolveRulesFollowCurl) {
  const auto plain = parse_resolve_rule("example.com:443:127.0.0.1");
  EXPECT_EQ(plain.host, "example.com");
  EXPECT_EQ(plain.port, 443);
  EXPECT_EQ(plain.address, "127.0.0.1");
  const auto v6 = parse_resolve_rule("example.com:80:[::1]");
  EXPECT_EQ(v6.address, "::1");
  const auto v6_host = parse_resolve_rule("[fe80::1]:80:10.0.0.1");
  EXPECT_EQ(v6_host.host, "fe80::1");
  for (const auto* bad :
       {"", "example.com", "example.com:443", ":443:127.0.0.1", "example.com:x:127.0.0.1",
        "example.com:65536:127.0.0.1", "example.com:443:not-an-address", "example.com:443:::1",
        "example.com:443:[::1", "example.com:443:[1.2.3.4]", "example.com:443:[::1]x"}) {
    EXPECT_THROW(parse_resolve_rule(bad), StartupError) << bad;
  }
}

TEST(EmulatorConfigTest, ConnectToRulesFollowCurl) {
  const auto full = parse_connect_to_rule("example.com:443:localhost:8443");
  EXPECT_EQ(full.from_host, "example.com");
  EXPECT_EQ(full.from_port, 443);
  EXPECT_EQ(full.to_host, "localhost");
  EXPECT_EQ(full.to_port, 8443);
  const auto any = parse_connect_to_rule("::[::1]:9000");
  EXPECT_EQ(any.from_host, "");
  EXPECT_EQ(any.from_port, 0);
  EXPECT_EQ(any.to_host, "::1");
  EXPECT_EQ(any.to_port, 9000);
  const auto keep = parse_connect_to_rule("a:80::");
  EXPECT_EQ(keep.to_host, "");
  EXPECT_EQ(keep.to_port, 0);
  for (const auto* bad : {"", "a:80:b", "a:80:b:1:2", "a:0:b:1", "a:80:b:x", "[::1:80:b:1"}) {
    EXPECT_THROW(parse_connect_to_rule(bad), StartupError) << bad;
  }
}

TEST(EmulatorConfigTest, LoadsFromAFile) {
  const testing_support::TempDirectory directory;
  const auto path = directory.path() / "spwf.json";
  std::ofstream(path) << R"({"access_points": [{"ssid": "FromFile"}]})";
  const auto config = load_emulator_config(path);
  ASSERT_EQ(config.access_points.size(), 1u);
  EXPECT_EQ(config.access_points[0].ssid, "FromFile");

  std::ofstream(path) << R"({"access_points": [{"ssid": "A", "chanel": 1}]})";
  try {
    load_emulator_config(path);
    ADD_FAILURE() << "accepted an unknown key";
  } catch (const StartupError& error) {
    EXPECT_EQ(std::string(error.what()), path.string() + ": access_points[0].chanel: unknown key");
  }
  std::ofstream(path) << "{ not json";
  EXPECT_THROW(load_emulator_config(path), StartupError);
  EXPECT_THROW(load_emulator_config(directory.path() / "missing.json"), StartupError);
}

}  // namespace
}  // namespace spwf::config
