// AT+S.WPAECERT and WPA-Enterprise access points (spec §3.7's "same forms" for the supplicant,
// §6 wifi_eap_*, issue 15): the store over a real pty, and joins that pass or fail on real
// certificates from scripts/make-test-certs.sh (echo off after boot; ip_use_v6 0):
//   AT+S.WPAECERT=content,1            -> AT-S.CA:0 / AT-S.Cert:0 / AT-S.Key:0 / AT-S.OK
//   AT+S.WPAECERT=ca,<n><CR><root CA>  -> AT-S.SubjectKeyId:<hex> / AT-S.OK (kept over a reset)
//   AT+S.WPAECERT=auth,5               -> AT-S.ERROR:7:Invalid argument(s)
//   AT+S.WPAECERT=content,2            -> AT-S.Clean / AT-S.OK
//   (EAP-TLS network, no certificate)  -> ... +WIND:25:WiFi Association successful:CorpTLS
//                                             +WIND:40:WiFi Deauthentication:23, again and again
//   (clock 2017: server not valid yet) -> ... +WIND:40:WiFi Deauthentication:23
//   (certificate, key, CA, clock 2024) -> ... +WIND:25, +WIND:51:WPA Handshake Complete,
//                                             +WIND:24:WiFi Up:0:10.9.0.5
//   (PEAP network, wrong password)     -> ... +WIND:40:WiFi Deauthentication:23

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view k_radio_off =
    "+WIND:49:WPA Terminated:0\r\n+WIND:38:WiFi Powered Down\r\n";

void expect_ends(const std::string& text, const std::string& end) {
  EXPECT_TRUE(text.ends_with(end)) << text;
}

class WpaEnterpriseTest : public CertificateSuite {
 protected:
  static std::string material(std::string_view name) {
    return read_file(SuiteCertificates::directory->path() / std::string{name});
  }

  void SetUp() override {
    // STTest first (the boot joins it); an EAP-TLS network whose server trusts the test root,
    // and a PEAP network that knows alice.
    nlohmann::json config = {{"join_retry_interval_ms", 50},
                             {"access_points",
                              {{{"ssid", "STTest"}},
                               {{"ssid", "CorpTLS"},
                                {"bssid", "00:11:22:33:44:88"},
                                {"security", "wpa-enterprise"},
                                {"lease_address", "10.9.0.5"},
                                {"eap",
                                 {{"method", "tls"},
                                  {"server_chain", material("www.pem")},
                                  {"client_ca", material("root-ca.pem")}}}},
                               {{"ssid", "CorpPEAP"},
                                {"bssid", "00:11:22:33:44:99"},
                                {"security", "wpa-enterprise"},
                                {"lease_address", "10.9.0.6"},
                                {"eap",
                                 {{"method", "peap"},
                                  {"server_chain", material("www.pem")},
                                  {"identity", "alice"},
                                  {"password", "secret"}}}}}}};
    const auto file = m_temp.path() / "emulator.json";
    { std::ofstream{file} << config.dump(); }
    m_emulator = std::make_unique<EmulatorProcess>(
        m_temp.path() / "state", std::vector<std::string>{"--config", file.string()});
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    ASSERT_EQ(host().read_until(factory_start_text()), factory_start_text());
    ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    set("ip_use_v6", "0");
    radio_off();  // the boot joined STTest; each test joins from a radio that is off
  }
  PtyHost& host() { return *m_host; }
  void set(std::string_view name, std::string_view value) {
    const std::string command = "AT+S.SCFG=" + std::string{name} + "," + std::string{value};
    ASSERT_EQ(host().command(command), ok) << command;
  }
  /// WPAECERT=<slot>,<len> with the file's bytes; returns the answer through OK or ERROR.
  std::string load(std::string_view slot, std::string_view name) {
    const std::string bytes = material(name);
    host().send("AT+S.WPAECERT=" + std::string{slot} + "," + std::to_string(bytes.size()) + "\r");
    host().send(bytes);
    return host().answer();
  }
  void radio_off() {
    const std::string answer = host().command("AT+S.WIFI=0");
    ASSERT_TRUE(answer.ends_with(ok)) << answer;
    ASSERT_EQ(host().read_until(k_radio_off), k_radio_off);
  }
  /// Switches the radio on to join `ssid` (the radio is off) and reads through the first
  /// attempt's end.
  std::string join(std::string_view ssid) {
    EXPECT_EQ(host().command("AT+S.SSIDTXT=" + std::string{ssid}), ok);
    set("wifi_priv_mode", "2");
    EXPECT_EQ(host().command("AT+S.WIFI=1"), ok);
    // Through the first attempt's end: WiFi Up, or the deauthentication line.
    std::string lines;
    while (!lines.ends_with("+WIND:40:WiFi Deauthentication:23\r\n")) {
      const std::string line = host().read_until("\r\n");
      if (line.empty()) break;  // the deadline passed (read_until has reported it)
      lines += line;
      if (line.starts_with("+WIND:24:WiFi Up")) break;
    }
    return lines;
  }
  static std::string joined(std::string_view ssid, std::string_view bssid, std::string_view lease) {
    return "+WIND:19:WiFi Join:" + std::string{bssid} +
           "\r\n+WIND:25:WiFi Association successful:" + std::string{ssid} +
           "\r\n+WIND:51:WPA Handshake Complete\r\n+WIND:24:WiFi Up:0:" + std::string{lease} +
           "\r\n";
  }
  static std::string refused(std::string_view ssid, std::string_view bssid) {
    return "+WIND:19:WiFi Join:" + std::string{bssid} +
           "\r\n+WIND:25:WiFi Association successful:" + std::string{ssid} +
           "\r\n+WIND:40:WiFi Deauthentication:23\r\n";
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(WpaEnterpriseTest, TheStoreHasTlscertsFormsAndItsOwnFlashSlots) {
  EXPECT_EQ(host().command("AT+S.WPAECERT=content,1"),
            "AT-S.CA:0\r\nAT-S.Cert:0\r\nAT-S.Key:0\r\nAT-S.OK\r\n");
  const std::string ca = material("root-ca.pem");
  const std::string stored = load("ca", "root-ca.pem");
  EXPECT_TRUE(stored.starts_with("AT-S.SubjectKeyId:")) << stored;
  EXPECT_TRUE(stored.ends_with(ok)) << stored;
  EXPECT_EQ(load("cert", "client.pem"), ok);
  EXPECT_EQ(load("key", "client.key"), ok);
  EXPECT_EQ(load("cert", "client.key"), "AT-S.ERROR:8:Invalid value\r\n");
  EXPECT_EQ(host().command("AT+S.WPAECERT=auth,5"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.WPAECERT=ca,0"), "AT-S.ERROR:33:Argument evaluated to zero\r\n");
  EXPECT_EQ(host().command("AT+S.WPAECERT=content,3"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  const std::string sizes = "AT-S.CA:" + std::to_string(ca.size()) +
                            "\r\nAT-S.Cert:" + std::to_string(material("client.pem").size()) +
                            "\r\nAT-S.Key:" + std::to_string(material("client.key").size()) +
                            "\r\nAT-S.OK\r\n";
  EXPECT_EQ(host().command("AT+S.WPAECERT=content,1"), sizes);
  EXPECT_EQ(host().command("AT+S.STS=wifi_cert_len_ca"),
            "AT-S.Var:wifi_cert_len_ca=" + std::to_string(ca.size()) + "\r\nAT-S.OK\r\n");
  // The TLS store is another one.
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"),
            "AT-S.CA:0\r\nAT-S.Cert:0\r\nAT-S.Key:0\r\nAT-S.Id:0\r\nAT-S.OK\r\n");
  // The slots are flash: a reset keeps them.
  host().send("AT+S.RESET\r");
  host().read_until(factory_start_text());
  ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"), "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WPAECERT=content,1"), sizes);
  EXPECT_EQ(host().command("AT+S.WPAECERT=content,2"), "AT-S.Clean\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WPAECERT=content,1"),
            "AT-S.CA:0\r\nAT-S.Cert:0\r\nAT-S.Key:0\r\nAT-S.OK\r\n");
}

TEST_F(WpaEnterpriseTest, EapTlsNeedsTheCertificateTheKeyAndTheClock) {
  set("wifi_eap_type", "0");
  // No certificate: refused after the association, and tried again.
  const std::string attempt = refused("CorpTLS", "00:11:22:33:44:88");
  expect_ends(join("CorpTLS"), attempt);
  EXPECT_TRUE(host().read_until(attempt).ends_with(attempt));
  radio_off();
  ASSERT_TRUE(load("ca", "root-ca.pem").ends_with(ok));
  ASSERT_EQ(load("cert", "client.pem"), ok);
  // A key that is not the certificate's.
  ASSERT_EQ(load("key", "www.key"), ok);
  expect_ends(join("CorpTLS"), attempt);
  radio_off();
  ASSERT_EQ(load("key", "client.key"), ok);
  // The module clock in 2017 (the boot's NTP answer set it to the host's time): the server's
  // certificate (2020..2049) is not valid yet.
  ASSERT_EQ(host().command("AT+S.TIME=1500000000"), ok);
  expect_ends(join("CorpTLS"), attempt);
  radio_off();
  ASSERT_EQ(host().command("AT+S.TIME=1717200000"), ok);
  expect_ends(join("CorpTLS"), joined("CorpTLS", "00:11:22:33:44:88", "10.9.0.5"));
  radio_off();
}

TEST_F(WpaEnterpriseTest, PeapChecksThePasswordAndTheServerAgainstTheStoredCa) {
  set("wifi_eap_type", "1");
  set("wifi_eap_identity", "alice");
  set("wifi_eap_passwd", "wrong");
  set("wifi_eap_skip_datechecks", "1");
  const std::string attempt = refused("CorpPEAP", "00:11:22:33:44:99");
  expect_ends(join("CorpPEAP"), attempt);
  radio_off();
  set("wifi_eap_passwd", "secret");
  // A stored CA that did not sign the server's certificate.
  ASSERT_TRUE(load("ca", "no-ski-ca.pem").ends_with(ok));
  expect_ends(join("CorpPEAP"), attempt);
  radio_off();
  // The method must be the server's: EAP-TLS (0) to a PEAP server fails too.
  ASSERT_TRUE(load("ca", "root-ca.pem").ends_with(ok));
  set("wifi_eap_type", "0");
  expect_ends(join("CorpPEAP"), attempt);
  radio_off();
  set("wifi_eap_type", "1");
  expect_ends(join("CorpPEAP"), joined("CorpPEAP", "00:11:22:33:44:99", "10.9.0.6"));
  radio_off();
}

}  // namespace
}  // namespace spwf::testing
