// The Wi-Fi model and its commands over a real pty (spec §2.9, §2.10, §3.3, §3.4), with virtual
// access points from a --config file written by each test (echo off after boot):
//   (boot)                        -> ... +WIND:32, 21, 35, 19, 25, +WIND:24:WiFi Up:0:192.168.1.100
//   AT+S.SSIDTXT=SecureNet / SCFG wifi_priv_mode,2 / SCFG wifi_wpa_psk_text,<passphrase>
//   AT+S.WIFI=0                   -> AT-S.OK, +WIND:49:WPA Terminated:0, +WIND:38:WiFi Powered Down
//   AT+S.WIFI=1                   -> AT-S.OK, +WIND:32, 21, 35, 19, 25, +WIND:51:WPA Handshake
//                                    Complete, +WIND:24:WiFi Up:0:<lease>
//   (wrong passphrase)            -> ... +WIND:25, +WIND:40:WiFi Deauthentication:15, then again
//   (SSID not in range)           -> +WIND:21 / +WIND:35 pairs, again and again
//   AT+S.SCAN=s,                  -> AT-S.Parsing Networks:<n>, "1:\t BSS ... CAPS: 0431 WPA2 ", OK
//   AT+S.PEERS=0,rx_rssi          -> AT-S.Var:0.rx_rssi=-56
//   AT+S.PING=2,56,127.0.0.1      -> AT-S.Start:127.0.0.1, AT-S.Reply:1:<ms>, ..., AT-S.Stop:2:2

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

// STTest first, so that the boot joins as in the factory configuration; then a WPA network seen
// through two access points, a WEP network, and a second SSID on STTest's BSSID.
constexpr std::string_view k_networks = R"({
  "join_retry_interval_ms": 50,
  "access_points": [
    {"ssid": "STTest"},
    {"ssid": "SecureNet", "bssid": "00:11:22:33:44:66", "channel": 11, "rssi": -70,
     "security": "wpa", "passphrase": "correct horse", "lease_address": "10.1.2.3",
     "netmask": "255.255.0.0", "gateway": "10.1.0.1", "dns": "10.1.0.2"},
    {"ssid": "SecureNet", "bssid": "aa:bb:cc:00:00:01", "channel": 1, "rssi": -5,
     "security": "wpa", "passphrase": "correct horse"},
    {"ssid": "OldNet", "bssid": "00:11:22:33:44:77", "channel": 13, "rssi": -100,
     "security": "wep", "passphrase": "abcde"},
    {"ssid": "Guest", "bssid": "00:11:22:33:44:55", "channel": 6, "rssi": -56}
  ]
})";

// The supplicant's end comes before the radio's, in every mode (spec §3.4.1).
constexpr std::string_view k_radio_off =
    "+WIND:49:WPA Terminated:0\r\n+WIND:38:WiFi Powered Down\r\n";
constexpr std::string_view k_scan_pair =
    "+WIND:21:WiFi Scanning\r\n+WIND:35:WiFi Scan Complete:00\r\n";

class WifiTest : public ::testing::Test {
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
  }
  PtyHost& host() { return *m_host; }

  /// AT+S.WIFI=0: OK, then WIND 38 (any indications queued before the command come first).
  void radio_off() {
    const std::string answer = host().command("AT+S.WIFI=0");
    ASSERT_TRUE(answer.ends_with("AT-S.OK\r\n")) << answer;
    ASSERT_EQ(host().read_until(k_radio_off), k_radio_off);
  }
  /// AT+S.WIFI=1: OK, then WIND 32 (the mode's sequence follows).
  void radio_on() {
    ASSERT_EQ(host().command("AT+S.WIFI=1"), "AT-S.OK\r\n");
    ASSERT_EQ(host().read_until("+WIND:32:WiFi Hardware Started\r\n"),
              "+WIND:32:WiFi Hardware Started\r\n");
  }
  /// Sets a configuration variable (expects OK).
  void set(std::string_view name, std::string_view value) {
    const std::string command = "AT+S.SCFG=" + std::string{name} + "," + std::string{value};
    ASSERT_EQ(host().command(command), "AT-S.OK\r\n") << command;
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(WifiTest, BootJoinedTheOpenNetwork) {
  EXPECT_EQ(host().command("AT+S.STS=wifi_state"), "AT-S.Var:wifi_state=10\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=ip_ipaddr"),
            "AT-S.Var:ip_ipaddr=192.168.1.100\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=wifi_bssid"),
            "AT-S.Var:wifi_bssid=00:11:22:33:44:55\r\nAT-S.OK\r\n");
}

TEST_F(WifiTest, WpaNetworkWithTheRightPassphrase) {
  EXPECT_EQ(host().command("AT+S.SSIDTXT=SecureNet"), "AT-S.OK\r\n");
  set("wifi_priv_mode", "2");
  set("wifi_wpa_psk_text", "correct horse");
  set("ip_use_v6", "0");
  radio_off();
  radio_on();
  const std::string join = std::string{"+WIND:21:WiFi Scanning\r\n"} +
                           "+WIND:35:WiFi Scan Complete:00\r\n"
                           "+WIND:19:WiFi Join:00:11:22:33:44:66\r\n"
                           "+WIND:25:WiFi Association successful:SecureNet\r\n"
                           "+WIND:51:WPA Handshake Complete\r\n"
                           "+WIND:24:WiFi Up:0:10.1.2.3\r\n" +
                           std::string{ntp_prefix};
  EXPECT_EQ(host().read_until(join), join);
  EXPECT_EQ(host().command("AT+S.STS=ip_gw"), "AT-S.Var:ip_gw=10.1.0.1\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.PEERS=0,addr"),
            "AT-S.Var:0.addr=00:11:22:33:44:66\r\nAT-S.OK\r\n");
}

TEST_F(WifiTest, WrongPassphraseIsDeauthenticatedAndRetried) {
  EXPECT_EQ(host().command("AT+S.SSIDTXT=SecureNet"), "AT-S.OK\r\n");
  set("wifi_priv_mode", "2");
  set("wifi_wpa_psk_text", "wrong horse");
  radio_off();
  radio_on();
  const std::string attempt = std::string{k_scan_pair} +
                              "+WIND:19:WiFi Join:00:11:22:33:44:66\r\n"
                              "+WIND:25:WiFi Association successful:SecureNet\r\n"
                              "+WIND:40:WiFi Deauthentication:15\r\n";
  EXPECT_EQ(host().read_until(attempt + attempt), attempt + attempt);
  const std::string state = host().command("AT+S.STS=wifi_state");
  EXPECT_EQ(state.find("wifi_state=10"), std::string::npos) << state;
  radio_off();
}

TEST_F(WifiTest, MissingNetworkKeepsScanningAndSocketsWaitForTheLink) {
  EXPECT_EQ(host().command("AT+S.SSIDTXT=Nowhere"), "AT-S.OK\r\n");
  radio_off();
  radio_on();
  const std::string three =
      std::string{k_scan_pair} + std::string{k_scan_pair} + std::string{k_scan_pair};
  EXPECT_EQ(host().read_until(three), three);
  // Scan indications may come first; the answers themselves are error 44.
  std::string answer = host().command("AT+S.SOCKON=127.0.0.1,80,,t");
  EXPECT_TRUE(answer.ends_with("AT-S.ERROR:44:Wait for Connection Up\r\n")) << answer;
  answer = host().command("AT+S.PING=1,56,127.0.0.1");
  EXPECT_TRUE(answer.ends_with("AT-S.ERROR:44:Wait for Connection Up\r\n")) << answer;
  answer = host().command("AT+S.PEERS");
  EXPECT_TRUE(answer.ends_with("\r\nAT-S.OK\r\n") || answer == "AT-S.OK\r\n") << answer;
  EXPECT_EQ(answer.find("AT-S.Var"), std::string::npos) << answer;
  radio_off();
}

TEST_F(WifiTest, StaticAddressIsReported) {
  set("ip_use_dhcpc", "0");
  set("ip_ipaddr", "10.9.8.7");
  set("ip_netmask", "255.0.0.0");
  set("ip_gw", "10.0.0.1");
  radio_off();
  EXPECT_EQ(host().command("AT+S.STS=ip_ipaddr"), "AT-S.Var:ip_ipaddr=0.0.0.0\r\nAT-S.OK\r\n");
  radio_on();
  std::string join = default_join_text();
  join.replace(join.find("192.168.1.100"), 13, "10.9.8.7");
  EXPECT_EQ(host().read_until(join), join);
  EXPECT_EQ(host().command("AT+S.STS=ip_ipaddr"), "AT-S.Var:ip_ipaddr=10.9.8.7\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=ip_netmask"), "AT-S.Var:ip_netmask=255.0.0.0\r\nAT-S.OK\r\n");
}

TEST_F(WifiTest, RadioOffAndOn) {
  radio_off();
  EXPECT_EQ(host().command("AT+S.STS=wifi_state"), "AT-S.Var:wifi_state=3\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=wifi_enabled"), "AT-S.Var:wifi_enabled=0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WIFI=0"), "AT-S.ERROR:18:Radio not running\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=d,"), "AT-S.ERROR:18:Radio not running\r\n");
  EXPECT_EQ(host().command("AT+S.WIFI=2"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.WIFI"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  radio_on();
  EXPECT_EQ(host().read_until(default_join_text()), default_join_text());
  EXPECT_EQ(host().command("AT+S.WIFI=1"), "AT-S.ERROR:17:Radio enabled\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=wifi_enabled"), "AT-S.Var:wifi_enabled=1\r\nAT-S.OK\r\n");
}

TEST_F(WifiTest, SavedRadioOffBootsWithoutTheRadio) {
  radio_off();
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  std::string boot = factory_boot_text();
  boot.erase(boot.find("+WIND:32"));
  EXPECT_EQ(host().read_until(boot), "+WIND:2:Reset\r\n" + boot);
  // WCFG saved console_echo=0 as well.
  EXPECT_EQ(host().command("AT+S.WIFI=0"), "AT-S.ERROR:18:Radio not running\r\n");
}

TEST_F(WifiTest, SsidText) {
  EXPECT_EQ(host().command("AT+S.SSIDTXT"), "AT-S.Var:ssidtxt=STTest\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SSIDTXT=My Net"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SSIDTXT"), "AT-S.Var:ssidtxt=My Net\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=wifi_ssid_len"), "AT-S.Var:wifi_ssid_len=6\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=wifi_ssid"),
            "AT-S.Var:wifi_ssid=4D:79:20:4E:65:74\r\nAT-S.OK\r\n");
  const std::string longest(32, 'x');
  EXPECT_EQ(host().command("AT+S.SSIDTXT=" + longest), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SSIDTXT"), "AT-S.Var:ssidtxt=" + longest + "\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SSIDTXT=" + longest + "y"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.SSIDTXT"), "AT-S.Var:ssidtxt=" + longest + "\r\nAT-S.OK\r\n");
}

// The result lines of the default test configuration's five access points, after "<n>:".
const std::string sttest =
    "\t BSS 00:11:22:33:44:55 CHAN: 06 RSSI: -56 SSID: 'STTest' CAPS: 0401 \r\n";
const std::string secure1 =
    "\t BSS 00:11:22:33:44:66 CHAN: 11 RSSI: -70 SSID: 'SecureNet' CAPS: 0431 WPA2 \r\n";
const std::string secure2 =
    "\t BSS AA:BB:CC:00:00:01 CHAN: 01 RSSI: -05 SSID: 'SecureNet' CAPS: 0431 WPA2 \r\n";
const std::string old =
    "\t BSS 00:11:22:33:44:77 CHAN: 13 RSSI: -100 SSID: 'OldNet' CAPS: 0411 \r\n";
const std::string guest =
    "\t BSS 00:11:22:33:44:55 CHAN: 06 RSSI: -56 SSID: 'Guest' CAPS: 0401 \r\n";

TEST_F(WifiTest, ScanListsTheNetworksByteExact) {
  EXPECT_EQ(host().command("AT+S.SCAN=d,"), "AT-S.Parsing Networks:5\r\n1:" + sttest +
                                                "2:" + secure1 + "3:" + secure2 + "4:" + old +
                                                "5:" + guest + "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=s,"), "AT-S.Parsing Networks:4\r\n1:" + sttest +
                                                "2:" + secure1 + "3:" + old + "4:" + guest +
                                                "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=m"), "AT-S.Parsing Networks:4\r\n1:" + sttest +
                                               "2:" + secure1 + "3:" + secure2 + "4:" + old +
                                               "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=x,"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  // With console_verbose=0 the I line is hidden; the result lines are not.
  EXPECT_EQ(host().command("AT+S.SCFG=console_verbose,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=s,"),
            "1:" + sttest + "2:" + secure1 + "3:" + old + "4:" + guest + "AT-S.OK\r\n");
}

// AT+S.SCAN=s,/scan.txt   -> AT-S.Parsing Networks:4 / AT-S.OK   (the lines go to the file)
// AT+S.FSP=/scan.txt,,     -> 1:<TAB> BSS ... 4:<TAB> BSS ... AT-S.OK
// AT+S.SCAN=m,/scan.txt   -> the file now holds the m list only (replaced, not appended)
// AT+S.SCAN=d,0:/scan.txt -> AT-S.ERROR:51:Unable to open file (read-only volume)
TEST_F(WifiTest, ScanToAFileReplacesItsContent) {
  const auto print = [this](std::string_view name) {
    host().send("AT+S.FSP=" + std::string{name} + ",,\r");
    return host().read_until("AT-S.OK\r\n");
  };
  EXPECT_EQ(host().command("AT+S.SCAN=s,/scan.txt"), "AT-S.Parsing Networks:4\r\nAT-S.OK\r\n");
  EXPECT_EQ(print("/scan.txt"),
            "1:" + sttest + "2:" + secure1 + "3:" + old + "4:" + guest + "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=m,/scan.txt"), "AT-S.Parsing Networks:4\r\nAT-S.OK\r\n");
  const std::string by_bssid = "1:" + sttest + "2:" + secure1 + "3:" + secure2 + "4:" + old;
  EXPECT_EQ(print("/scan.txt"), by_bssid + "AT-S.OK\r\n");
  // The RAM disk takes it too; a refused file answers the file system's errors and the console
  // shows no result.
  EXPECT_EQ(host().command("AT+S.SCAN=d,2:/scan.txt"), "AT-S.Parsing Networks:5\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=d,0:/scan.txt"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=d,5:/scan.txt"),
            "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.SCAN=d,/../scan.txt"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(print("/scan.txt"), by_bssid + "AT-S.OK\r\n");
}

TEST_F(WifiTest, PeersOfTheJoinedAccessPoint) {
  EXPECT_EQ(host().command("AT+S.PEERS=0,rx_rssi"), "AT-S.Var:0.rx_rssi=-56\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.PEERS=,0,rx_rssi"), "AT-S.Var:0.rx_rssi=-56\r\nAT-S.OK\r\n");
  const std::regex all(
      "AT-S\\.Var:0\\.link_id=0\r\nAT-S\\.Var:0\\.state=1\r\n"
      "AT-S\\.Var:0\\.addr=00:11:22:33:44:55\r\nAT-S\\.Var:0\\.last_rx=[0-9]+\r\n"
      "AT-S\\.Var:0\\.rx_rssi=-56\r\nAT-S\\.OK\r\n");
  const std::string peer = host().command("AT+S.PEERS=0");
  EXPECT_TRUE(std::regex_match(peer, all)) << peer;
  const std::string everything = host().command("AT+S.PEERS");
  EXPECT_TRUE(std::regex_match(everything, all)) << everything;
  EXPECT_EQ(host().command("AT+S.PEERS=0,tx_rssi"), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.PEERS=5"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.PEERS=5,rx_rssi"), "AT-S.OK\r\n");
  radio_off();
  EXPECT_EQ(host().command("AT+S.PEERS=0,rx_rssi"), "AT-S.OK\r\n");
}

// True when this host lets an unprivileged ICMP datagram socket be opened (Linux:
// /proc/sys/net/ipv4/ping_group_range must include one of the process's groups).
bool icmp_sockets_permitted() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

TEST_F(WifiTest, PingLoopback) {
  EXPECT_EQ(host().command("AT+S.PING=1,56,"), "AT-S.ERROR:65:DNS address failure\r\n");
  if (!icmp_sockets_permitted()) {
    // The module cannot ping from here: it says so with error 60 (and logs why).
    EXPECT_EQ(host().command("AT+S.PING=1,56,127.0.0.1"), "AT-S.ERROR:60:IP not ready to send\r\n");
    std::string range = "(unreadable)";
    std::getline(std::ifstream{"/proc/sys/net/ipv4/ping_group_range"}, range);
    GTEST_SKIP() << "ICMP datagram sockets are not permitted on this host "
                    "(net.ipv4.ping_group_range is \""
                 << range << "\", group " << ::getgid() << "); the echo path is not exercised";
  }
  const std::string answer = host().command("AT+S.PING=2,56,127.0.0.1");
  EXPECT_TRUE(std::regex_match(answer, std::regex("AT-S\\.Start:127\\.0\\.0\\.1\r\n"
                                                  "AT-S\\.Reply:1:[0-9]+\r\n"
                                                  "AT-S\\.Reply:2:[0-9]+\r\n"
                                                  "AT-S\\.Stop:2:2\r\nAT-S\\.OK\r\n")))
      << answer;
}

}  // namespace
}  // namespace spwf::testing
