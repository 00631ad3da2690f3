// The tls_certificate_error fault: a chain that would pass is answered as a real verification
// failure with the rule's code, on a TLS client socket against a real mbedTLS server:
//   AT+S.TLSCERT=ca,<len><CR><root PEM>     -> AT-S.SubjectKeyId:… / AT-S.OK
//   tls_certificate_error {code:10}
//   AT+S.SOCKON=ssllabs.com,443,,s          -> AT-S.Loading:1:2 / AT-S.Certificate Error:10 /
//                                              AT-S.ERROR:74:Failed to open socket
//   (rule removed) the same SOCKON          -> AT-S.Loading:1:2 / AT-S.On:127.0.0.1:0 / AT-S.OK

#include <gtest/gtest.h>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/ControlPeer.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/TlsPeer.hpp"

namespace spwf::testing {
namespace {
using namespace std::chrono_literals;

class FaultTlsTest : public CertificateSuite {
 protected:
  /// Starts with ssllabs.com:443 pointed at `port`, the control interface, the root CA loaded
  /// and the clock inside the certificates' validity.
  void start(std::uint16_t port) {
    m_emulator = std::make_unique<EmulatorProcess>(
        m_temp.path() / "state",
        std::vector<std::string>{"--connect-to",
                                 "ssllabs.com:443:127.0.0.1:" + std::to_string(port), "--control",
                                 control_path(m_temp.path())});
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    ASSERT_EQ(m_host->command("AT+S.TIME=1717200000"), "AT-S.OK\r\n");  // 2024-06-01
    const std::string root = read_file(cert("root-ca.pem"));
    m_host->send("AT+S.TLSCERT=ca," + std::to_string(root.size()) + "\r");
    m_host->send(root);
    const std::string answer = m_host->read_until("AT-S.OK\r\n");
    ASSERT_TRUE(answer.starts_with("AT-S.SubjectKeyId:")) << answer;
    m_control = std::make_unique<ControlPeer>(control_path(m_temp.path()));
    m_control->ok("subscribe", {{"events", {"fault"}}});
  }
  /// SOCKON through its final line.
  std::string sockon(std::string_view arguments) {
    m_host->send("AT+S.SOCKON=" + std::string{arguments} + "\r");
    std::string answer;
    for (;;) {
      const std::string line = m_host->read_until("\r\n", 10s);
      answer += line;
      if (line.empty() || line == "AT-S.OK\r\n" || line.starts_with("AT-S.ERROR:")) return answer;
    }
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
  std::unique_ptr<ControlPeer> m_control;
};

TEST_F(FaultTlsTest, CertificateErrorRuleFailsAChainThatWouldPass) {
  TlsPeerOptions options;
  options.default_identity = {cert("seed.pem"), cert("seed.key")};
  TlsPeer server{options};
  start(server.port());
  const unsigned id = m_control->ok(
      "fault.add", {{"rule", {{"kind", "tls_certificate_error"}, {"code", 10}}}})["id"];
  EXPECT_EQ(sockon("ssllabs.com,443,,s"),
            "AT-S.Loading:1:2\r\nAT-S.Certificate Error:10\r\n"
            "AT-S.ERROR:74:Failed to open socket\r\n");
  EXPECT_EQ(m_control->next_event("fault")["text"],
            "socket 0 rule 1 tls_certificate_error: Certificate Error:10");
  m_control->ok("fault.remove", {{"rule", id}});
  EXPECT_EQ(sockon("ssllabs.com,443,,s"), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
