// AT+S.SMTP over a real pty against a real SMTP server (spec §3.12): Debian's aiosmtpd run by
// tests/peers/smtp_server.py on loopback, reached through --connect-to; the message the server
// received is compared byte for byte. Certificates from scripts/make-test-certs.sh (seed: CN
// ssllabs.com, SAN www.ssllabs.com).
//   AT+S.SMTP=mail.example.com,25,,,,,alice@example.com,bob@example.com,,,Hello,,21<CR>
//   line one\n.dot\r\nlast          (X-CUBE's form: empty fields take the defaults)
//     -> AT-S.OK\r\n
//     (received) From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Hello\r\n\r\n
//                line one\r\n.dot\r\nlast\r\n
//   AT+S.SMTP=ssllabs.com,587,1,alice,secret,client.example,a@x.test,b@y.test,,,S,,2<CR>hi
//     -> AT-S.Loading:1:2\r\nAT-S.OK\r\n            (STARTTLS, then AUTH PLAIN over TLS)
//   AT+S.SMTP=ssllabs.com,,2,alice,secret,,a@x.test,b@y.test,,,S,,2<CR>hi
//     -> AT-S.Loading:1:2\r\nAT-S.OK\r\n            (implicit TLS on 465, AUTH LOGIN)
//   AT+S.SMTP=…,reject@y.test,,,S,,2<CR>hi -> AT-S.Server Error\r\nAT-S.ERROR:111:Request
//   failed\r\n (server closes after EHLO, or never greets) -> AT-S.Request
//   Error\r\nAT-S.ERROR:111:…\r\n AT+S.SMTP=www.ssllabs.com,,2,… (CN ssllabs.com)
//     -> AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\nAT-S.Request Error\r\nAT-S.ERROR:111:…

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/SmtpPeer.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view request_failed = "AT-S.ERROR:111:Request failed\r\n";
const std::string server_error = "AT-S.Server Error\r\n" + std::string{request_failed};
const std::string request_error = "AT-S.Request Error\r\n" + std::string{request_failed};

class SmtpTest : public CertificateSuite {
 protected:
  /// The server's TLS arguments with the seed certificate (CN ssllabs.com).
  static std::vector<std::string> tls_arguments() {
    const auto& directory = SuiteCertificates::directory->path();
    return {"--cert", (directory / "seed.pem").string(), "--key",
            (directory / "seed.key").string()};
  }
  /// Starts the emulator with every port of `names` mapped to `port`, the clock in 2024, the
  /// root CA in the flash slot and `json` as its configuration file.
  void start(std::uint16_t port, std::initializer_list<std::string_view> names,
             const std::string& json = "{}") {
    const auto config = m_temp.path() / "config.json";
    std::ofstream{config} << json;
    std::vector<std::string> arguments{"--config", config.string()};
    for (const auto name : names) {
      arguments.push_back("--connect-to");
      arguments.push_back(std::string{name} + "::127.0.0.1:" + std::to_string(port));
    }
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state", std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    ASSERT_EQ(m_host->command("AT+S.TIME=1717200000"), "AT-S.OK\r\n");
    const std::string ca = read_file(SuiteCertificates::directory->path() / "root-ca.pem");
    m_host->send("AT+S.TLSCERT=ca," + std::to_string(ca.size()) + "\r" + ca);
    m_host->read_until("AT-S.OK\r\n");
  }
  PtyHost& host() { return *m_host; }
  /// Sends the command, CR and the body, and reads through `end`.
  std::string send_mail(std::string_view command, std::string_view body,
                        std::string_view end = ok) {
    host().send(std::string{command} + std::to_string(body.size()) + "\r" + std::string{body});
    return host().read_until(end, 15s);
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(SmtpTest, PlainMailInXCubesFormArrivesByteForByte) {
  SmtpPeer server;
  start(server.port(), {"mail.example.com"});
  EXPECT_EQ(send_mail("AT+S.SMTP=mail.example.com,25,,,,,alice@example.com,bob@example.com,,,"
                      "Hello,,",
                      "line one\n.dot\r\nlast"),
            ok);
  const auto received = nlohmann::json::parse(server.read_line());
  EXPECT_EQ(received["data"],
            "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Hello\r\n\r\n"
            "line one\r\n.dot\r\nlast\r\n");
  EXPECT_EQ(received["from"], "alice@example.com");
  EXPECT_EQ(received["to"], nlohmann::json::array({"bob@example.com"}));
  EXPECT_EQ(received["tls"], false);
  // Without <ID> and ip_hostname the EHLO name is the module's address as a literal.
  const std::string ehlo = received["ehlo"];
  EXPECT_TRUE(ehlo.size() > 2 && ehlo.front() == '[' && ehlo.back() == ']') << ehlo;
}

TEST_F(SmtpTest, StartTlsThenAuthPlainWithTheGivenId) {
  auto arguments = tls_arguments();
  arguments.insert(arguments.end(), {"--user", "alice", "--password", "secret"});
  SmtpPeer server{arguments};
  start(server.port(), {"ssllabs.com"});
  EXPECT_EQ(send_mail("AT+S.SMTP=ssllabs.com,587,1,alice,secret,client.example,a@x.test,b@y.test,"
                      ",,S,,",
                      "hi"),
            "AT-S.Loading:1:2\r\nAT-S.OK\r\n");
  const auto received = nlohmann::json::parse(server.read_line());
  EXPECT_EQ(received["tls"], true);
  EXPECT_EQ(received["login"], "alice");
  EXPECT_EQ(received["ehlo"], "client.example");
  EXPECT_EQ(received["data"], "From: a@x.test\r\nTo: b@y.test\r\nSubject: S\r\n\r\nhi\r\n");
  // A wrong password is the server's verdict (535).
  EXPECT_EQ(send_mail("AT+S.SMTP=ssllabs.com,587,1,alice,wrong,,a@x.test,b@y.test,,,S,,", "hi",
                      request_failed),
            "AT-S.Loading:1:2\r\n" + server_error);
}

TEST_F(SmtpTest, ImplicitTlsOnTheDefaultPortWithAuthLoginAndTheHostName) {
  auto arguments = tls_arguments();
  arguments.insert(arguments.end(),
                   {"--implicit", "--user", "alice", "--password", "secret", "--login-only"});
  SmtpPeer server{arguments};
  start(server.port(), {"ssllabs.com"});
  ASSERT_EQ(host().command("AT+S.SCFG=ip_hostname,module1"), "AT-S.OK\r\n");
  EXPECT_EQ(send_mail("AT+S.SMTP=ssllabs.com,,2,alice,secret,,a@x.test,b@y.test,,,S,,", ".\n"),
            "AT-S.Loading:1:2\r\nAT-S.OK\r\n");
  const auto received = nlohmann::json::parse(server.read_line());
  EXPECT_EQ(received["tls"], true);
  EXPECT_EQ(received["login"], "alice");
  EXPECT_EQ(received["ehlo"], "module1");
  // A body that is a lone "." line goes out dot-stuffed and arrives as it was sent.
  EXPECT_EQ(received["data"], "From: a@x.test\r\nTo: b@y.test\r\nSubject: S\r\n\r\n.\r\n");
}

TEST_F(SmtpTest, ARefusedRecipientIsAServerError) {
  SmtpPeer server;
  start(server.port(), {"mail.example.com"});
  EXPECT_EQ(send_mail("AT+S.SMTP=mail.example.com,,0,,,,a@x.test,reject@y.test,,,S,,", "hi",
                      request_failed),
            server_error);
  // The next mail on the same module goes through.
  EXPECT_EQ(send_mail("AT+S.SMTP=mail.example.com,,0,,,,a@x.test,b@y.test,,,S,,", ""), ok);
  const auto received = nlohmann::json::parse(server.read_line());
  EXPECT_EQ(received["data"], "From: a@x.test\r\nTo: b@y.test\r\nSubject: S\r\n\r\n");
}

TEST_F(SmtpTest, AServerThatClosesAfterEhloIsARequestError) {
  TcpPeer server{[](int fd) {
    write_all(fd, "220 mail.test ready\r\n");
    char buffer[256];
    (void)::recv(fd, buffer, sizeof buffer, 0);  // EHLO, then the connection closes
  }};
  start(server.port(), {"mail.example.com"});
  EXPECT_EQ(
      send_mail("AT+S.SMTP=mail.example.com,,,,,,a@x.test,b@y.test,,,S,,", "hi", request_failed),
      request_error);
}

TEST_F(SmtpTest, AServerThatNeverGreetsTimesOut) {
  TcpPeer server{[](int fd) {
    char byte;
    while (::recv(fd, &byte, 1, 0) > 0) {
    }
  }};
  start(server.port(), {"mail.example.com"}, R"({"http_idle_timeout_ms": 300})");
  EXPECT_EQ(
      send_mail("AT+S.SMTP=mail.example.com,,,,,,a@x.test,b@y.test,,,S,,", "hi", request_failed),
      request_error);
}

TEST_F(SmtpTest, TheTlsNameIsTheHostCommonNameOnly) {
  auto arguments = tls_arguments();
  arguments.push_back("--implicit");
  SmtpPeer server{arguments};
  start(server.port(), {"www.ssllabs.com"});
  EXPECT_EQ(
      send_mail("AT+S.SMTP=www.ssllabs.com,,2,,,,a@x.test,b@y.test,,,S,,", "hi", request_failed),
      "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\n" + request_error);
}

TEST_F(SmtpTest, FieldChecksComeBeforeTheBody) {
  SmtpPeer server;
  start(server.port(), {"mail.example.com"});
  EXPECT_EQ(host().command("AT+S.SMTP=mail.example.com,25"),
            "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SMTP=mail.example.com,25,3,,,,a@x.test,b@y.test,,,S,,0"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SMTP=mail.example.com,25,0,,,,a@x.test,,,,S,,0"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  // An empty host is a name that does not resolve, as for HTTP.
  EXPECT_EQ(host().command("AT+S.SMTP=,25,0,,,,a@x.test,b@y.test,,,S,,0"),
            "AT-S.ERROR:65:DNS address failure\r\n");
}

}  // namespace
}  // namespace spwf::testing
