// HTTPS over a real pty (spec §3.8, §3.5.4, §7): the TLS path SOCKON uses, with <host> as the
// name (AN4963: CN only, SAN no rescue). Certificates from scripts/make-test-certs.sh, server
// tests/integration/TlsPeer:
//   AT+S.HTTPGET=www.ssllabs.com,,443,2,,,,   (leaf CN www.ssllabs.com, root CA loaded)
//     -> AT-S.Loading:1:2\r\nAT-S.Http Server Status Code:200\r\n<body>AT-S.OK\r\n
//   AT+S.HTTPGET=www.ssllabs.com,,443,2,,,,   (leaf CN ssllabs.com, SAN www.ssllabs.com)
//     -> AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\nAT-S.Http Client Error:2\r\n
//        AT-S.ERROR:111:Request failed\r\n
//   AT+S.HTTPGET=rsa4096.example,/,,2,,,,     (RSA-4096 intermediate, spec §7)
//     -> AT-S.Certificate Error:22\r\nAT-S.Http Client Error:2\r\nAT-S.ERROR:111:Request failed\r\n

#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/TlsPeer.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view request_failed = "AT-S.ERROR:111:Request failed\r\n";

/// "AT-S.Http Client Error:<number>" then the final 111 line.
std::string client_error(unsigned number) {
  return "AT-S.Http Client Error:" + std::to_string(number) + "\r\n" + std::string{request_failed};
}

class HttpsTest : public CertificateSuite {
 protected:
  static TlsIdentity identity(std::string_view name) {
    const auto& directory = SuiteCertificates::directory->path();
    return {directory / (std::string{name} + ".pem"), directory / (std::string{name} + ".key")};
  }

  /// An HTTP vhost presenting `identity` to every client.
  static TlsPeerOptions serving(TlsIdentity identity) {
    TlsPeerOptions options;
    options.default_identity = std::move(identity);
    return options;
  }
  /// Starts the emulator with `names`:443 mapped to the server, the clock in 2024 and, unless
  /// `load_ca` is false, the test root CA in the flash slot.
  void start(std::uint16_t port, std::initializer_list<std::string_view> names,
             bool load_ca = true) {
    std::vector<std::string> arguments;
    for (const auto name : names) {
      arguments.push_back("--connect-to");
      arguments.push_back(std::string{name} + ":443:127.0.0.1:" + std::to_string(port));
    }
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state", std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    ASSERT_EQ(m_host->command("AT+S.TIME=1717200000"), "AT-S.OK\r\n");
    if (load_ca) {
      const std::string ca = read_file(SuiteCertificates::directory->path() / "root-ca.pem");
      m_host->send("AT+S.TLSCERT=ca," + std::to_string(ca.size()) + "\r");
      m_host->send(ca);
      m_host->read_until("AT-S.OK\r\n");
    }
  }
  PtyHost& host() { return *m_host; }
  /// Sends a command and reads through `end`, with room for a handshake.
  std::string run(std::string_view command, std::string_view end) {
    host().send(std::string{command} + "\r");
    return host().read_until(end, 15s);
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(HttpsTest, GetWithTheCaLoadedSendsHostAsSni) {
  TlsPeer server{serving(identity("www"))};
  start(server.port(), {"www.ssllabs.com"});
  EXPECT_EQ(run("AT+S.HTTPGET=www.ssllabs.com,,443,2,,,,", ok),
            "AT-S.Loading:1:2\r\nAT-S.Http Server Status Code:200\r\n" +
                std::string{TlsPeer::ok_body} + "AT-S.OK\r\n");
  const auto connections = server.connections();
  ASSERT_EQ(connections.size(), 1u);
  EXPECT_EQ(connections[0].server_name, "www.ssllabs.com");
  ASSERT_EQ(connections[0].requests.size(), 1u);
  EXPECT_EQ(connections[0].requests[0],
            "GET / HTTP/1.1\r\nHost: www.ssllabs.com\r\nConnection: close\r\n\r\n");
}

// HTTPS takes one of the module's two TLS client sessions (spec §3.5): with two TLS sockets open
// it fails before any handshake line, and runs again once one is closed.
//   AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com (twice) -> ... AT-S.On:127.0.0.1:0 / :1
//   AT+S.HTTPGET=www.ssllabs.com,,443,2,,,, -> AT-S.Http Client Error:2 / AT-S.ERROR:111
//   AT+S.SOCKC=0 ; HTTPGET again -> AT-S.Loading:1:2 / AT-S.Http Server Status Code:200 ...
TEST_F(HttpsTest, TwoTlsSocketsLeaveNoSessionForHttps) {
  TlsPeer server{serving(identity("www"))};
  start(server.port(), {"www.ssllabs.com"});
  for (const char* id : {"0", "1"}) {
    EXPECT_EQ(run("AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com", ok),
              "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:" + std::string{id} + "\r\nAT-S.OK\r\n");
  }
  EXPECT_EQ(run("AT+S.HTTPGET=www.ssllabs.com,,443,2,,,,", request_failed), client_error(2));
  EXPECT_EQ(run("AT+S.SOCKC=0", ok), ok);
  EXPECT_EQ(run("AT+S.HTTPGET=www.ssllabs.com,,443,2,,,,", ok),
            "AT-S.Loading:1:2\r\nAT-S.Http Server Status Code:200\r\n" +
                std::string{TlsPeer::ok_body} + "AT-S.OK\r\n");
}

TEST_F(HttpsTest, CommonNameMustBeTheHostASubjectAltNameDoesNotRescue) {
  // The seed site's certificate: CN ssllabs.com, SAN www.ssllabs.com (spec §8.6, AN4963).
  TlsPeer server{serving(identity("seed"))};
  start(server.port(), {"www.ssllabs.com", "ssllabs.com"});
  EXPECT_EQ(run("AT+S.HTTPGET=www.ssllabs.com,/,443,2,,,,", request_failed),
            "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\n" + client_error(2));
  // With <host> equal to the CN the same certificate passes; <TLS>=1 behaves as 2.
  EXPECT_EQ(run("AT+S.HTTPGET=ssllabs.com,/,,1,,,,", ok),
            "AT-S.Loading:1:2\r\nAT-S.Http Server Status Code:200\r\n" +
                std::string{TlsPeer::ok_body} + "AT-S.OK\r\n");
}

TEST_F(HttpsTest, IntermediateChainPrintsSkipCaThenLoading) {
  // The picture of the real log (spec §8.3): the leaf's issuer is not the stored CA.
  TlsPeer server{serving({SuiteCertificates::directory->path() / "chain-fullchain.pem",
                          SuiteCertificates::directory->path() / "chain.key"})};
  start(server.port(), {"chain.example"});
  EXPECT_EQ(run("AT+S.HTTPGET=chain.example,/,,2,,,,", ok),
            "AT-S.Skip CA\r\nAT-S.Loading:1:2\r\nAT-S.Http Server Status Code:200\r\n" +
                std::string{TlsPeer::ok_body} + "AT-S.OK\r\n");
}

TEST_F(HttpsTest, WithoutATrustedCaTheRequestFails) {
  TlsPeer server{serving(identity("www"))};
  start(server.port(), {"www.ssllabs.com"}, false);
  EXPECT_EQ(run("AT+S.HTTPGET=www.ssllabs.com,/,,2,,,,", request_failed),
            "AT-S.Certificate Error:23\r\n" + client_error(2));
}

TEST_F(HttpsTest, PlainServerOnTheTlsPortIsAClientError) {
  TcpPeer server{TcpPeer::send_and_close("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")};
  start(server.port(), {"www.ssllabs.com"});
  EXPECT_EQ(run("AT+S.HTTPGET=www.ssllabs.com,/,,2,,,,", request_failed), client_error(2));
}
TEST_F(HttpsTest, ACertificateOverTheModulesLimitIsError22) {
  // Spec §7: each certificate the peer sends is limited to 2.5 KB (ST); big.pem is ~3.6 KB of
  // subjectAltName entries. The module refuses it as it arrives: no Loading line first.
  TlsPeer server{serving(identity("big"))};
  start(server.port(), {"big.example"});
  EXPECT_EQ(run("AT+S.HTTPGET=big.example,/,,2,,,,", request_failed),
            "AT-S.Certificate Error:22\r\n" + client_error(2));
}

TEST_F(HttpsTest, ErrorStatusOverTlsWithThePathSentVerbatim) {
  // Spec §3.8 (FW 1.1.0 log): the path goes out without a leading '/', the server answers 400.
  TlsPeer server{serving(identity("ip-server"))};
  start(server.port(), {"192.168.0.2"});
  EXPECT_EQ(run("AT+S.HTTPGET=192.168.0.2,tls/cert.pem,443,2,,,ServerCert.pem,", request_failed),
            "AT-S.Loading:1:2\r\nAT-S.Http Server Status Code:400\r\n"
            "AT-S.Http Server Error:400\r\n" +
                std::string{request_failed});
  const auto connections = server.connections();
  ASSERT_EQ(connections.size(), 1u);
  ASSERT_EQ(connections[0].requests.size(), 1u);
  EXPECT_EQ(connections[0].requests[0],
            "GET tls/cert.pem HTTP/1.1\r\nHost: 192.168.0.2\r\nConnection: close\r\n\r\n");
}

/// The RSA-4096 chain takes seconds to make, so only this suite asks the script for it.
class HttpsRsa4096Test : public HttpsTest {
 protected:
  static void SetUpTestSuite() {
    SuiteCertificates::directory = std::make_unique<TempDir>();
    const std::string output = testing::run(std::string{SPWF_MAKE_TEST_CERTS} + " '" +
                                            SuiteCertificates::directory->path().string() +
                                            "' --with-rsa4096 2>&1; echo exit=$?");
    ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  }
};

TEST_F(HttpsRsa4096Test, AnRsa4096IntermediateIsError22) {
  // Spec §7: Baltimore root -> RSA-4096 intermediate -> leaf gave "Certificate Error:22" (FW two
  // days older than 1.1.0), with HTTPGET and with SOCKON alike.
  TlsPeer server{serving({SuiteCertificates::directory->path() / "rsa4096-fullchain.pem",
                          SuiteCertificates::directory->path() / "rsa4096.key"})};
  start(server.port(), {"rsa4096.example"});
  EXPECT_EQ(run("AT+S.HTTPGET=rsa4096.example,/,,2,,,,", request_failed),
            "AT-S.Certificate Error:22\r\n" + client_error(2));
  EXPECT_EQ(run("AT+S.SOCKON=rsa4096.example,443,,s", "\r\n"), "AT-S.Certificate Error:22\r\n");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.ERROR:74:Failed to open socket\r\n");
}

}  // namespace
}  // namespace spwf::testing
