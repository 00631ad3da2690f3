// TLS socket servers over a real pty, with a real mbedTLS client on loopback (spec §3.6, §3.7,
// §9 Q29). Certificates come from scripts/make-test-certs.sh, run once per test program; the
// server presents `seed` (CN ssllabs.com, SAN www.ssllabs.com, signed by root-ca); the client
// checks it against root-ca for www.ssllabs.com (mbedTLS matches the SAN).
//
//   AT+S.TLSCERT=cert,<n> / key,<n>  (seed.pem, seed.key)   -> AT-S.OK
//   AT+S.SOCKDON=<port>,s1           -> AT-S.On:0 / AT-S.OK
//   (a TLS client completes its handshake)
//                                    -> +WIND:61:Incoming Socket Client:127.0.0.1:<cport>:0:0
//   (it sends "hello over tls")      -> +WIND:55:Pending Data:0:0:14:14
//   AT+S.SOCKDR=0,0,0                -> AT-S.Reading:14:14\r\nhello over tls AT-S.OK
//   AT+S.SOCKDW=0,0,5\rabcde         -> AT-S.OK (the client decrypts "abcde")
//   AT+S.SOCKDL                      -> AT-S.List:0:0:1:3:0:127.0.0.1:<cport> / AT-S.OK
//   AT+S.SOCKDON=<port>,s2 (+ CA)    -> a client without a certificate fails its handshake:
//                                       +WIND:62:Socket Client Gone:127.0.0.1:<cport>:0:0:1
//                                       (no WIND 61 before it)
//   AT+S.SOCKDON=<port>,s1 (nothing stored) -> AT-S.ERROR:74:Failed to open socket
//
// The module clock is set to 2024 first: s2 checks the client certificate's dates against it.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view time_2024 = "1717200000";

/// A port on 127.0.0.1 that is free: bound to port 0, read back, released.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

/// A blocking mbedTLS client with bounded reads (5 s), run on the test thread: the emulator is
/// another process, so nothing waits on the test thread meanwhile.
class TlsClient {
 public:
  TlsClient() {
    mbedtls_net_init(&m_net);
    mbedtls_ssl_init(&m_ssl);
    mbedtls_ssl_config_init(&m_config);
    mbedtls_x509_crt_init(&m_ca);
    mbedtls_x509_crt_init(&m_certificate);
    mbedtls_pk_init(&m_key);
    mbedtls_entropy_init(&m_entropy);
    mbedtls_ctr_drbg_init(&m_random);
  }
  ~TlsClient() {
    mbedtls_ssl_free(&m_ssl);
    mbedtls_net_free(&m_net);
    mbedtls_ssl_config_free(&m_config);
    mbedtls_x509_crt_free(&m_ca);
    mbedtls_x509_crt_free(&m_certificate);
    mbedtls_pk_free(&m_key);
    mbedtls_ctr_drbg_free(&m_random);
    mbedtls_entropy_free(&m_entropy);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  /// Connects to 127.0.0.1:<port> and runs the handshake, checking the server's certificate
  /// against `ca` for the name `server_name`; presents `certificate`/`key` if given. Returns the
  /// mbedTLS result (0 on success).
  int connect(std::uint16_t port, const std::filesystem::path& ca, const char* server_name,
              const std::filesystem::path& certificate = {},
              const std::filesystem::path& key = {}) {
    int result = mbedtls_ctr_drbg_seed(&m_random, mbedtls_entropy_func, &m_entropy, nullptr, 0);
    if (result == 0) result = mbedtls_x509_crt_parse_file(&m_ca, ca.c_str());
    if (result == 0) {
      result =
          mbedtls_ssl_config_defaults(&m_config, MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    }
    if (result != 0) return result;
    mbedtls_ssl_conf_authmode(&m_config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&m_config, &m_ca, nullptr);
    mbedtls_ssl_conf_rng(&m_config, mbedtls_ctr_drbg_random, &m_random);
    mbedtls_ssl_conf_read_timeout(&m_config, 5000);
    if (!certificate.empty()) {
      result = mbedtls_x509_crt_parse_file(&m_certificate, certificate.c_str());
      if (result == 0) {
        result = mbedtls_pk_parse_keyfile(&m_key, key.c_str(), nullptr);
      }
      if (result == 0) result = mbedtls_ssl_conf_own_cert(&m_config, &m_certificate, &m_key);
      if (result != 0) return result;
    }
    if ((result = mbedtls_ssl_setup(&m_ssl, &m_config)) != 0) return result;
    if ((result = mbedtls_ssl_set_hostname(&m_ssl, server_name)) != 0) return result;
    const std::string port_text = std::to_string(port);
    result = mbedtls_net_connect(&m_net, "127.0.0.1", port_text.c_str(), MBEDTLS_NET_PROTO_TCP);
    if (result != 0) return result;
    mbedtls_ssl_set_bio(&m_ssl, &m_net, mbedtls_net_send, nullptr, mbedtls_net_recv_timeout);
    do {
      result = mbedtls_ssl_handshake(&m_ssl);
    } while (result == MBEDTLS_ERR_SSL_WANT_READ || result == MBEDTLS_ERR_SSL_WANT_WRITE);
    return result;
  }
  /// The client's local port (as WIND 61 prints it).
  std::uint16_t local_port() const {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    ::getsockname(m_net.fd, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const int written = mbedtls_ssl_write(
          &m_ssl, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
      if (written <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
  }
  /// Decrypts exactly `count` bytes, or what arrived before a 5 s read timeout / close.
  std::string receive(std::size_t count) {
    std::string data;
    while (data.size() < count) {
      unsigned char buffer[4096];
      const int received =
          mbedtls_ssl_read(&m_ssl, buffer, std::min(sizeof buffer, count - data.size()));
      if (received <= 0) break;
      data.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(received));
    }
    return data;
  }
  void close() {
    (void)mbedtls_ssl_close_notify(&m_ssl);
    mbedtls_net_free(&m_net);
  }

 private:
  mbedtls_net_context m_net;
  mbedtls_ssl_context m_ssl;
  mbedtls_ssl_config m_config;
  mbedtls_x509_crt m_ca;
  mbedtls_x509_crt m_certificate;
  mbedtls_pk_context m_key;
  mbedtls_entropy_context m_entropy;
  mbedtls_ctr_drbg_context m_random;
};

class TlsServerTest : public CertificateSuite {
 protected:
  void SetUp() override {
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state");
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    ASSERT_EQ(m_host->command("AT+S.TIME=" + std::string{time_2024}), "AT-S.OK\r\n");
  }
  PtyHost& host() { return *m_host; }

  /// TLSCERT=<keyword>,<length> followed at once by the file's bytes; returns the answer.
  std::string load(std::string_view keyword, std::string_view file) {
    const std::string payload = read_file(cert(file));
    host().send("AT+S.TLSCERT=" + std::string{keyword} + "," + std::to_string(payload.size()) +
                "\r");
    host().send(payload);
    std::string answer;
    for (;;) {
      const std::string line = host().read_until("\r\n");
      answer += line;
      if (line.empty() || line == "AT-S.OK\r\n" || line.starts_with("AT-S.ERROR:")) return answer;
    }
  }
  void load_server_identity() {
    ASSERT_EQ(load("cert", "seed.pem"), "AT-S.OK\r\n");
    ASSERT_EQ(load("key", "seed.key"), "AT-S.OK\r\n");
  }
  /// SOCKDON on a fresh port; returns the port.
  std::uint16_t open_server(std::string_view kind) {
    const std::uint16_t port = free_port();
    EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(port) + "," + std::string{kind}),
              "AT-S.On:0\r\nAT-S.OK\r\n");
    return port;
  }
  /// Connects a TLS client that checks the server against root-ca (optionally with the client
  /// certificate); the mbedTLS result.
  int connect(TlsClient& client, std::uint16_t port, bool with_client_certificate = false) {
    if (with_client_certificate) {
      return client.connect(port, cert("root-ca.pem"), "www.ssllabs.com", cert("client.pem"),
                            cert("client.key"));
    }
    return client.connect(port, cert("root-ca.pem"), "www.ssllabs.com");
  }
  void expect_line(const std::string& line) {
    EXPECT_EQ(host().read_until("\r\n", 10s), line + "\r\n");
  }
  static std::string arrived(std::uint16_t port, unsigned cid = 0) {
    return "+WIND:61:Incoming Socket Client:127.0.0.1:" + std::to_string(port) +
           ":0:" + std::to_string(cid);
  }
  static std::string gone(std::uint16_t port, unsigned cid, unsigned reason) {
    return "+WIND:62:Socket Client Gone:127.0.0.1:" + std::to_string(port) +
           ":0:" + std::to_string(cid) + ":" + std::to_string(reason);
  }
  /// Both directions, byte-exact, through SOCKDR / SOCKDW on client `cid`.
  void exchange(TlsClient& client, unsigned cid) {
    static constexpr char bytes[] = "hello over tls\r\n\0\xff binary";
    const std::string up{bytes, sizeof bytes - 1};
    ASSERT_TRUE(client.send(up));
    const std::string prefix = "+WIND:55:Pending Data:0:" + std::to_string(cid) + ":";
    std::string total;
    do {
      host().read_until(prefix, 10s);
      const std::string rest = host().read_until("\r\n");
      total = rest.substr(rest.find(':') + 1);
      total.resize(total.size() - 2);
    } while (total != std::to_string(up.size()));
    host().send("AT+S.SOCKDR=0," + std::to_string(cid) + ",0\r");
    EXPECT_EQ(host().read_until("\r\n"), "AT-S.Reading:" + std::to_string(up.size()) + ":" +
                                             std::to_string(up.size()) + "\r\n");
    EXPECT_EQ(host().read_exactly(up.size()), up);
    EXPECT_EQ(host().read_exactly(9), "AT-S.OK\r\n");
    std::string down(3000, '\0');
    for (std::size_t i = 0; i < down.size(); ++i) down[i] = static_cast<char>(i * 7 + 1);
    host().send("AT+S.SOCKDW=0," + std::to_string(cid) + "," + std::to_string(down.size()) + "\r");
    host().send(down);
    EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
    EXPECT_EQ(client.receive(down.size()), down);
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(TlsServerTest, S1ServesTheStoredCertificateAndCarriesDataBothWays) {
  load_server_identity();
  const std::uint16_t port = open_server("s1");
  TlsClient client;
  ASSERT_EQ(connect(client, port), 0);
  expect_line(arrived(client.local_port()));
  exchange(client, 0);
  EXPECT_EQ(
      host().command("AT+S.SOCKDL"),
      "AT-S.List:0:0:1:3:0:127.0.0.1:" + std::to_string(client.local_port()) + "\r\nAT-S.OK\r\n");
  const std::uint16_t client_port = client.local_port();
  client.close();
  const std::string expected =
      "+WIND:62:Socket Client Gone:127.0.0.1:" + std::to_string(client_port) + ":0:0:";
  EXPECT_EQ(host().read_until(expected, 10s), expected);
}

TEST_F(TlsServerTest, KindsAreCaseInsensitiveAndS1AsksForNoClientCertificate) {
  load_server_identity();
  const std::uint16_t port = open_server("S1");
  TlsClient client;  // presents a certificate nobody asked for: still fine
  ASSERT_EQ(connect(client, port, true), 0);
  expect_line(arrived(client.local_port()));
  exchange(client, 0);
}

TEST_F(TlsServerTest, S2WithoutAClientCertificateFailsWithWind62AndNo61) {
  ASSERT_NE(load("ca", "root-ca.pem").find("AT-S.OK\r\n"), std::string::npos);
  load_server_identity();
  const std::uint16_t port = open_server("s2");
  std::uint16_t client_port = 0;
  {
    TlsClient client;
    EXPECT_NE(connect(client, port), 0);
    client_port = client.local_port();
  }
  // The next indication is the 62 (reason 1), with no 61 before it.
  expect_line(gone(client_port, 0, 1));
  EXPECT_EQ(host().command("AT+S.SOCKDL"), "AT-S.OK\r\n");
  // The slot is free again: a client with the certificate from the script gets cid 0.
  TlsClient good;
  ASSERT_EQ(connect(good, port, true), 0);
  expect_line(arrived(good.local_port(), 0));
  exchange(good, 0);
}

TEST_F(TlsServerTest, S2WithTheClientCertificateWorks) {
  ASSERT_NE(load("Ca", "root-ca.pem").find("AT-S.OK\r\n"), std::string::npos);
  load_server_identity();
  const std::uint16_t port = open_server("s2");
  TlsClient client;
  ASSERT_EQ(connect(client, port, true), 0);
  expect_line(arrived(client.local_port()));
  exchange(client, 0);
}

TEST_F(TlsServerTest, S2RefusesAClientCertificateWithoutTheStoredCa) {
  // No CA stored: the client certificate cannot be anchored.
  load_server_identity();
  const std::uint16_t port = open_server("s2");
  std::uint16_t client_port = 0;
  {
    TlsClient client;
    EXPECT_NE(connect(client, port, true), 0);
    client_port = client.local_port();
  }
  expect_line(gone(client_port, 0, 1));
}

TEST_F(TlsServerTest, NoCertificateOrKeyStoredAnswers74) {
  const std::string port = std::to_string(free_port());
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + port + ",s1"),
            "AT-S.ERROR:74:Failed to open socket\r\n");
  ASSERT_EQ(load("cert", "seed.pem"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + port + ",s2"),
            "AT-S.ERROR:74:Failed to open socket\r\n");
  ASSERT_EQ(load("key", "seed.key"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + port + ",s1"), "AT-S.On:0\r\nAT-S.OK\r\n");
}

TEST_F(TlsServerTest, AStallingClientBlocksNeitherTheConsoleNorOtherClients) {
  load_server_identity();
  const std::uint16_t port = open_server("s1");
  // A TCP client that never says ClientHello holds cid 0 during its handshake.
  const int staller = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(staller, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ::getsockname(staller, reinterpret_cast<sockaddr*>(&local), &length);
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  TlsClient client;
  ASSERT_EQ(connect(client, port), 0);
  expect_line(arrived(client.local_port(), 1));
  exchange(client, 1);
  // connect_timeout (5 s by default) ends the stalled handshake: WIND 62 reason 1, no 61.
  expect_line(gone(ntohs(local.sin_port), 0, 1));
  ::close(staller);
}

}  // namespace
}  // namespace spwf::testing
