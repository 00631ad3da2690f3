// MQTT over TLS against a real mosquitto TLS listener (spec §3.10, §3.5.4): the name is <host>,
// checked against the leaf's CN only; client certificates come from the TLSCERT slots.
//   AT+S.MQTTCONN=www.ssllabs.com,8883,,2,,,,,,,,   (leaf CN www.ssllabs.com, root CA loaded)
//     -> AT-S.Loading:1:2\r\nAT-S.On:0\r\nAT-S.OK\r\n
//   AT+S.MQTTCONN=www.ssllabs.com,8883,,2,,,,,,,,   (leaf CN ssllabs.com)
//     -> AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\nAT-S.ERROR:111:Request failed\r\n
//   (broker requires a client certificate; client.pem/client.key loaded)
//     -> AT-S.Loading:1:2\r\nAT-S.Loading:2:2\r\nAT-S.Loading:3:2\r\nAT-S.On:0\r\nAT-S.OK\r\n

#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/MosquittoPeer.hpp"
#include "tests/integration/MqttTestSupport.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view connected = "AT-S.On:0\r\nAT-S.OK\r\n";
constexpr std::string_view connect_command = "AT+S.MQTTCONN=www.ssllabs.com,8883,,2,,,,,,,,";

class MqttTlsTest : public CertificateSuite {
 protected:
  static std::filesystem::path file(std::string_view name) {
    return SuiteCertificates::directory->path() / std::string{name};
  }
  /// A broker whose TLS listener presents the certificate `name`.
  static std::unique_ptr<MosquittoPeer> broker(std::string_view name, bool client_auth = false) {
    MosquittoOptions options;
    options.tls = true;
    options.require_certificate = client_auth;
    options.ca_file = file("root-ca.pem");
    options.cert_file = file(std::string{name} + ".pem");
    options.key_file = file(std::string{name} + ".key");
    return std::make_unique<MosquittoPeer>(options);
  }
  /// The emulator with www.ssllabs.com:8883 mapped to the broker's TLS port, the clock in 2024
  /// and the test root CA in the flash slot.
  void start(std::uint16_t tls_port) {
    m_emulator = std::make_unique<EmulatorProcess>(
        m_temp.path() / "state",
        std::vector<std::string>{"--connect-to",
                                 "www.ssllabs.com:8883:127.0.0.1:" + std::to_string(tls_port)});
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    ASSERT_EQ(m_host->command("AT+S.TIME=1717200000"), "AT-S.OK\r\n");
    load("ca", "root-ca.pem");
  }
  void load(std::string_view slot, std::string_view name) {
    const std::string material = read_file(file(name));
    m_host->send("AT+S.TLSCERT=" + std::string{slot} + "," + std::to_string(material.size()) +
                 "\r");
    m_host->send(material);
    m_host->read_until("AT-S.OK\r\n");
  }
  PtyHost& host() { return *m_host; }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(MqttTlsTest, RoundTripOverTls) {
  auto peer = broker("www");
  start(peer->tls_port());
  ASSERT_EQ(host().command(connect_command, 15s), "AT-S.Loading:1:2\r\n" + std::string{connected});
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0,spwf/tls,1"), "AT-S.OK\r\n");
  const std::string payload(4096, ':');
  ASSERT_TRUE(peer->publish("spwf/tls", payload, 1));
  const MqttMessage message = read_mqtt_message(host());
  EXPECT_EQ(message.payload, payload);
  EXPECT_TRUE(message.chunks_well_formed);
  auto subscriber = peer->subscribe("spwf/back", 0);
  host().send("AT+S.MQTTPUB=0,spwf/back,1,0,4\r\r\n:x");
  EXPECT_EQ(host().read_until("\r\n", 10s), "AT-S.OK\r\n");
  EXPECT_EQ(MosquittoPeer::message(*subscriber).first, "\r\n:x");
}

TEST_F(MqttTlsTest, CommonNameMismatchIsCertificateError5) {
  // CN ssllabs.com (SAN www.ssllabs.com, which does not count) for the name www.ssllabs.com.
  auto peer = broker("seed");
  start(peer->tls_port());
  EXPECT_EQ(host().command(connect_command, 15s),
            "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\nAT-S.ERROR:111:Request failed\r\n");
  // The instance was given back.
  EXPECT_EQ(host().command("AT+S.MQTTSUB=0,t,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
}

TEST_F(MqttTlsTest, MutualTlsSendsTheStoredClientCertificate) {
  auto peer = broker("www", true);
  start(peer->tls_port());
  // Without a client certificate the broker refuses the handshake.
  const std::string refused = host().command(connect_command, 15s);
  EXPECT_TRUE(refused.ends_with("AT-S.ERROR:111:Request failed\r\n")) << refused;
  load("cert", "client.pem");
  load("key", "client.key");
  EXPECT_EQ(
      host().command(connect_command, 15s),
      "AT-S.Loading:1:2\r\nAT-S.Loading:2:2\r\nAT-S.Loading:3:2\r\n" + std::string{connected});
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0,spwf/m,0"), "AT-S.OK\r\n");
  ASSERT_TRUE(peer->publish("spwf/m", "mutual", 0));
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:86:MQTT Published:0:spwf/m:0:0:0:6:6:mutual\r\n");
}

// The module's two TLS client sessions are shared by SOCKON and the application clients (spec
// §3.5): with two TLS sockets open a TLS MQTTCONN fails before its handshake; with one closed it
// connects, and a further TLS socket is then the third session. MQTTDISC gives its session back.
//   AT+S.SOCKON=www.ssllabs.com,8883,,www.ssllabs.com (twice) -> ... AT-S.On:127.0.0.1:0 / :1
//   AT+S.MQTTCONN=www.ssllabs.com,8883,,2,,,,,,,, -> AT-S.ERROR:111:Request failed
//   AT+S.SOCKC=1 ; AT+S.MQTTCONN=... -> AT-S.Loading:1:2 / AT-S.On:0 / AT-S.OK
//   AT+S.SOCKON=... -> AT-S.ERROR:74:Failed to open socket
//   AT+S.MQTTDISC=0 ; AT+S.SOCKON=... -> AT-S.Loading:1:2 / AT-S.On:127.0.0.1:1 / AT-S.OK
TEST_F(MqttTlsTest, TlsSessionsAreSharedWithSockets) {
  auto peer = broker("www");
  start(peer->tls_port());
  const std::string socket_command = "AT+S.SOCKON=www.ssllabs.com,8883,,www.ssllabs.com";
  const auto opened = [](unsigned id) {
    return "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:" + std::to_string(id) + "\r\nAT-S.OK\r\n";
  };
  ASSERT_EQ(host().command(socket_command, 15s), opened(0));
  ASSERT_EQ(host().command(socket_command, 15s), opened(1));
  EXPECT_EQ(host().command(connect_command, 15s), "AT-S.ERROR:111:Request failed\r\n");
  ASSERT_EQ(host().command("AT+S.SOCKC=1"), "AT-S.OK\r\n");
  ASSERT_EQ(host().command(connect_command, 15s), "AT-S.Loading:1:2\r\n" + std::string{connected});
  EXPECT_EQ(host().command(socket_command, 15s), "AT-S.ERROR:74:Failed to open socket\r\n");
  ASSERT_EQ(host().command("AT+S.MQTTDISC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command(socket_command, 15s), opened(1));
}

}  // namespace
}  // namespace spwf::testing
