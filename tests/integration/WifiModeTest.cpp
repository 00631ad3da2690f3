// Every wifi_mode with every wifi_priv_mode, at AT+S.WIFI=1 and at power-on (saved with WCFG,
// then RESET) over a real pty (spec §2.9, §3.4.1, §3.18, the FW 1.1.0 transcript of §8.1):
//   AT+S.SCFG=wifi_mode,3 / AT+S.SSIDTXT=MySSID / AT+S.WIFI=1
//       -> AT-S.OK, +WIND:32:WiFi Hardware Started, +WIND:26:Started AP:MySSID,
//          +WIND:24:WiFi Up:0:192.168.0.50, +WIND:24:WiFi Up::<link-local>   (ip_use_v6=1)
//   wifi_mode=1  -> AT-S.OK, +WIND:32, 21, 35, 19, 25, (51 for WPA), +WIND:24 (IPv4, IPv6)
//   wifi_mode=0  -> AT-S.OK, +WIND:32, nothing more (wifi_state 3)
//   wifi_mode=2  -> AT-S.OK, +WIND:32, nothing more: the emulator forms no ad-hoc (IBSS) network
//   ip_ntp_startup=1: +WIND:84 after WiFi Up in station mode only; AT+S.NTP in miniAP -> 66
//   AT+S.WCFG / AT+S.RESET -> AT-S.OK, +WIND:2:Reset, the boot through +WIND:32, the same sequence

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <tuple>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

// One network for each privacy mode a station may ask for.
constexpr std::string_view k_networks = R"({
  "join_retry_interval_ms": 50,
  "access_points": [
    {"ssid": "STTest"},
    {"ssid": "WepNet", "bssid": "00:11:22:33:44:77", "security": "wep", "passphrase": "abcde",
     "lease_address": "10.0.1.5"},
    {"ssid": "WpaNet", "bssid": "00:11:22:33:44:66", "security": "wpa",
     "passphrase": "correct horse", "lease_address": "10.0.2.5"}
  ]
})";

constexpr std::string_view k_link_local = "+WIND:24:WiFi Up::fe80:0:0:0:280:e1ff:febd:39\r\n";

// What follows +WIND:32 for a mode and privacy (ip_ntp_startup=0, ip_use_v6=1).
std::string mode_sequence(unsigned mode, unsigned privacy) {
  if (mode == 3) {
    return "+WIND:26:Started AP:MySSID\r\n+WIND:24:WiFi Up:0:192.168.0.50\r\n" +
           std::string{k_link_local};
  }
  if (mode != 1) return {};
  const char* bssid[] = {"00:11:22:33:44:55", "00:11:22:33:44:77", "00:11:22:33:44:66"};
  const char* ssid[] = {"STTest", "WepNet", "WpaNet"};
  const char* address[] = {"192.168.1.100", "10.0.1.5", "10.0.2.5"};
  return std::string{"+WIND:21:WiFi Scanning\r\n+WIND:35:WiFi Scan Complete:00\r\n"} +
         "+WIND:19:WiFi Join:" + bssid[privacy] + "\r\n" +
         "+WIND:25:WiFi Association successful:" + ssid[privacy] + "\r\n" +
         (privacy == 2 ? "+WIND:51:WPA Handshake Complete\r\n" : "") +
         "+WIND:24:WiFi Up:0:" + address[privacy] + "\r\n" + std::string{k_link_local};
}

class WifiModeTest : public ::testing::TestWithParam<std::tuple<unsigned, unsigned>> {
 protected:
  void SetUp() override {
    const auto file = m_temp.path() / "emulator.json";
    { std::ofstream{file} << k_networks; }
    m_emulator = std::make_unique<EmulatorProcess>(
        m_temp.path() / "state", std::vector<std::string>{"--config", file.string()});
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    ASSERT_EQ(host().read_until(factory_start_text()), factory_start_text());
    ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    command_ok("AT+S.SCFG=ip_ntp_startup,0");
    command_ok("AT+S.WIFI=0");
    const std::string off = "+WIND:49:WPA Terminated:0\r\n+WIND:38:WiFi Powered Down\r\n";
    ASSERT_EQ(host().read_until(off), off);
    const auto [mode, privacy] = GetParam();
    const char* station_ssid[] = {"STTest", "WepNet", "WpaNet"};
    command_ok("AT+S.SSIDTXT=" + std::string{mode == 3 ? "MySSID" : station_ssid[privacy]});
    command_ok("AT+S.SCFG=wifi_wpa_psk_text,correct horse");
    command_ok("AT+S.SCFG=wifi_priv_mode," + std::to_string(privacy));
    command_ok("AT+S.SCFG=wifi_mode," + std::to_string(mode));
  }
  PtyHost& host() { return *m_host; }
  void command_ok(const std::string& command) {
    ASSERT_EQ(host().command(command), "AT-S.OK\r\n") << command;
  }
  /// The mode's sequence, then wifi_state, and nothing else in between.
  void expect_started(const std::string& after_ok) {
    const auto [mode, privacy] = GetParam();
    const std::string sequence = after_ok + mode_sequence(mode, privacy);
    EXPECT_EQ(host().read_until(sequence), sequence);
    const bool up = mode == 1 || mode == 3;
    EXPECT_EQ(host().command("AT+S.STS=wifi_state"),
              std::string{"AT-S.Var:wifi_state="} + (up ? "10" : "3") + "\r\nAT-S.OK\r\n");
    EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n") << "the emulator is still alive";
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_P(WifiModeTest, StartsAtWifiOn) {
  ASSERT_EQ(host().command("AT+S.WIFI=1"), "AT-S.OK\r\n");
  expect_started("+WIND:32:WiFi Hardware Started\r\n");
}

TEST_P(WifiModeTest, StartsAtPowerOnWhenSaved) {
  command_ok("AT+S.WIFI=1");
  const auto [mode, privacy] = GetParam();
  const std::string first = "+WIND:32:WiFi Hardware Started\r\n" + mode_sequence(mode, privacy);
  ASSERT_EQ(host().read_until(first), first);
  command_ok("AT+S.WCFG");
  ASSERT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  expect_started("+WIND:2:Reset\r\n" + factory_boot_text());
  // A second start from the same saved state (the emulator restarted) does the same.
  m_host.reset();
  EXPECT_EQ(m_emulator->terminate(), 0);
  m_emulator = std::make_unique<EmulatorProcess>(
      m_temp.path() / "state",
      std::vector<std::string>{"--config", (m_temp.path() / "emulator.json").string()});
  m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
  expect_started(factory_boot_text());
}

// The startup NTP query needs an upstream: a station gets +WIND:84 after WiFi Up, a miniAP has
// no route to a time server (it is the network), so nothing comes and AT+S.NTP answers 66:
//   AT+S.SCFG=ip_ntp_startup,1 / AT+S.WIFI=1
//       station -> the sequence, then +WIND:84:NTP Server delivery:...
//       miniAP  -> the sequence; AT+S.NTP -> AT-S.ERROR:66:Cannot update DateTime
// The modes that bring a link up (station, miniAP).
class LinkModeTest : public WifiModeTest {};

TEST_P(LinkModeTest, TimeComesOnlyThroughAnUpstream) {
  const auto [mode, privacy] = GetParam();
  command_ok("AT+S.SCFG=ip_ntp_startup,1");
  ASSERT_EQ(host().command("AT+S.WIFI=1"), "AT-S.OK\r\n");
  const std::string sequence = "+WIND:32:WiFi Hardware Started\r\n" + mode_sequence(mode, privacy);
  ASSERT_EQ(host().read_until(sequence), sequence);
  if (mode == 1) {
    EXPECT_TRUE(host().read_until("\r\n").starts_with("+WIND:84:NTP Server delivery:"));
    EXPECT_EQ(host().command("AT+S.NTP"), "AT-S.OK\r\n");
    EXPECT_TRUE(host().read_until("\r\n").starts_with("+WIND:84:NTP Server delivery:"));
  } else {
    EXPECT_EQ(host().command("AT+S.NTP"), "AT-S.ERROR:66:Cannot update DateTime\r\n");
    EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryModeAndPrivacy, WifiModeTest,
                         ::testing::Combine(::testing::Values(0u, 1u, 2u, 3u),
                                            ::testing::Values(0u, 1u, 2u)),
                         [](const auto& info) {
                           return "mode" + std::to_string(std::get<0>(info.param)) + "_privacy" +
                                  std::to_string(std::get<1>(info.param));
                         });

INSTANTIATE_TEST_SUITE_P(StationAndMiniAp, LinkModeTest,
                         ::testing::Combine(::testing::Values(1u, 3u),
                                            ::testing::Values(0u, 1u, 2u)),
                         [](const auto& info) {
                           return "mode" + std::to_string(std::get<0>(info.param)) + "_privacy" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace spwf::testing
