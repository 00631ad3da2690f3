// FWUPDATE/FSUPDATE over HTTPS (spec §3.14, §3.8 name rule, §3.5.4): the HTTP client's TLS with
// <host> as the name, the CN compared, a subjectAltName no rescue. Certificates from
// scripts/make-test-certs.sh, server tests/integration/TlsPeer (200 with its fixed body):
//   AT+S.FWUPDATE=e,www.ssllabs.com,/fw.ota,443,2,,   (leaf CN www.ssllabs.com, root CA loaded)
//     -> AT-S.Loading:1:2\r\nAT-S.OK\r\n   (update/firmware.pending = the body)
//   AT+S.FSUPDATE=e,www.ssllabs.com,/fs.img,443,2,,   (leaf CN ssllabs.com, SAN www.ssllabs.com)
//     -> AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\nAT-S.Http Client Error:2\r\n
//        AT-S.ERROR:111:Request failed\r\n

#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/TlsPeer.hpp"

namespace spwf::testing {
namespace {

class UpdateTlsTest : public CertificateSuite {
 protected:
  static TlsPeerOptions serving(std::string_view name) {
    TlsPeerOptions options;
    const auto& directory = SuiteCertificates::directory->path();
    options.default_identity = {directory / (std::string{name} + ".pem"),
                                directory / (std::string{name} + ".key")};
    return options;
  }
  /// Starts with www.ssllabs.com:443 mapped to `port`, the clock in 2024, the root CA loaded.
  void start(std::uint16_t port) {
    m_emulator = std::make_unique<EmulatorProcess>(
        m_temp.path() / "state",
        std::vector<std::string>{"--connect-to",
                                 "www.ssllabs.com:443:127.0.0.1:" + std::to_string(port)});
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    ASSERT_EQ(m_host->command("AT+S.TIME=1717200000"), "AT-S.OK\r\n");
    const std::string ca = read_file(SuiteCertificates::directory->path() / "root-ca.pem");
    m_host->send("AT+S.TLSCERT=ca," + std::to_string(ca.size()) + "\r");
    m_host->send(ca);
    m_host->read_until("AT-S.OK\r\n");
  }
  std::filesystem::path update_file(std::string_view name) const {
    return m_temp.path() / "state" / "update" / name;
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(UpdateTlsTest, FirmwareOverHttpsWithTheCnAsHost) {
  TlsPeer server{serving("www")};
  start(server.port());
  EXPECT_EQ(m_host->command("AT+S.FWUPDATE=e,www.ssllabs.com,/fw.ota,443,2,,", 15s),
            "AT-S.Loading:1:2\r\nAT-S.OK\r\n");
  EXPECT_EQ(read_file(update_file("firmware.pending")), TlsPeer::ok_body);
  const auto connections = server.connections();
  ASSERT_EQ(connections.size(), 1u);
  EXPECT_EQ(connections[0].server_name, "www.ssllabs.com");
}

// A download over HTTPS takes one of the module's two TLS client sessions, as HTTPGET does:
//   AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com (twice)
//   AT+S.FWUPDATE=e,www.ssllabs.com,/fw.ota,443,2,, -> AT-S.Http Client Error:2 / 111
//   AT+S.SOCKC=0 ; FWUPDATE again                    -> AT-S.Loading:1:2 / AT-S.OK
TEST_F(UpdateTlsTest, TwoTlsSocketsLeaveNoSessionForTheDownload) {
  TlsPeer server{serving("www")};
  start(server.port());
  for (const char* id : {"0", "1"}) {
    EXPECT_EQ(m_host->command("AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com", 15s),
              "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:" + std::string{id} + "\r\nAT-S.OK\r\n");
  }
  EXPECT_EQ(m_host->command("AT+S.FWUPDATE=e,www.ssllabs.com,/fw.ota,443,2,,", 15s),
            "AT-S.Http Client Error:2\r\nAT-S.ERROR:111:Request failed\r\n");
  EXPECT_FALSE(std::filesystem::exists(update_file("firmware.pending")));
  EXPECT_EQ(m_host->command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(m_host->command("AT+S.FWUPDATE=e,www.ssllabs.com,/fw.ota,443,2,,", 15s),
            "AT-S.Loading:1:2\r\nAT-S.OK\r\n");
  EXPECT_EQ(read_file(update_file("firmware.pending")), TlsPeer::ok_body);
}

TEST_F(UpdateTlsTest, CnMismatchIsCertificateError5ThenHttpClientError2) {
  TlsPeer server{serving("seed")};
  start(server.port());
  EXPECT_EQ(m_host->command("AT+S.FSUPDATE=e,www.ssllabs.com,/fs.img,443,2,,", 15s),
            "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\nAT-S.Http Client Error:2\r\n"
            "AT-S.ERROR:111:Request failed\r\n");
  EXPECT_FALSE(std::filesystem::exists(update_file("fs-e.img")));
}

}  // namespace
}  // namespace spwf::testing
