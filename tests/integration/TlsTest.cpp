// The TLS certificate store and TLS client sockets over a real pty, against a real mbedTLS
// server on loopback that picks its certificate by SNI (spec §3.5.4, §3.7, §7, §8.3, §8.6).
// Certificates come from scripts/make-test-certs.sh, run once per test program.
//
//   AT+S.TLSCERT=ca,<len><CR><root PEM>          -> AT-S.SubjectKeyId:<SKI, upper hex, ':'>
//                                                   AT-S.OK
//   AT+S.TLSCERT=content,1                       -> AT-S.CA:<n> AT-S.Cert:0 AT-S.Key:0 AT-S.Id:0
//   AT+S.SOCKON=www.ssllabs.com,443,,ssllabs.com -> AT-S.Loading:1:2 / AT-S.On:127.0.0.1:0 / OK
//   AT+S.SOCKW=0,41<CR>GET / HTTP/1.1 Host: www.ssllabs.com -> ... HTTP/1.1 400 Bad Request
//   AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com -> AT-S.Loading:1:2
//                                                   AT-S.Certificate Error:5
//                                                   AT-S.ERROR:74:Failed to open socket
//
// Dates: the certificates are valid 2020..2049 (root 2000..2099) and the module clock is 0 at
// power-on, so every handshake test first sets AT+S.TIME inside the window it wants.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/TlsPeer.hpp"

namespace spwf::testing {
namespace {

/// 2024-06-01T00:00:00Z: inside every normal certificate's validity.
constexpr std::string_view time_2024 = "1717200000";
/// 2050-06-01: after the leaves' notAfter (2049-12-31), before the root's.
constexpr std::string_view time_2050 = "2537395200";
/// 2019-06-01: before the leaves' notBefore (2020-01-01), after the root's.
constexpr std::string_view time_2019 = "1559347200";

/// The SubjectKeyId as `openssl x509 -ext subjectKeyIdentifier` prints it (upper hex with ':').
std::string openssl_subject_key_id(const std::filesystem::path& certificate) {
  const std::string text =
      run("openssl x509 -noout -ext subjectKeyIdentifier -in '" + certificate.string() + "'");
  const auto line = text.find('\n');
  std::string value = line == std::string::npos ? std::string{} : text.substr(line + 1);
  std::erase_if(value, [](char c) { return c == ' ' || c == '\n'; });
  return value;
}

class TlsTest : public CertificateSuite {
 protected:
  static TlsIdentity identity(std::string_view name) {
    return {cert(std::string{name} + ".pem"), cert(std::string{name} + ".key")};
  }
  /// An echo server with the seed identity that requires a client certificate from root-ca.
  static TlsPeerOptions mutual_authentication_echo() {
    TlsPeerOptions options;
    options.default_identity = identity("seed");
    options.mode = TlsPeerMode::echo;
    options.client_auth = ClientAuth::required;
    options.client_ca = cert("root-ca.pem");
    return options;
  }

  std::filesystem::path state_dir() const { return m_temp.path() / "state"; }

  /// Starts the emulator (echo off) with the two seed names pointed at `port`.
  void start(std::uint16_t port = 0, std::vector<std::string> arguments = {}) {
    if (port != 0) {
      for (const char* name : {"www.ssllabs.com", "ssllabs.com"}) {
        arguments.push_back("--connect-to");
        arguments.push_back(std::string{name} + ":443:127.0.0.1:" + std::to_string(port));
      }
    }
    m_arguments = arguments;
    m_host.reset();
    m_emulator.reset();  // one emulator owns the state directory at a time
    m_emulator = std::make_unique<EmulatorProcess>(state_dir(), std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  /// Stops the emulator and starts it again on the same flash.
  void restart() {
    m_host.reset();
    m_emulator->terminate();
    m_emulator.reset();
    start(0, m_arguments);
  }
  PtyHost& host() { return *m_host; }

  /// TLSCERT=<keyword>,<length> followed at once by the payload; returns the answer.
  std::string load(std::string_view keyword, std::string_view payload) {
    host().send("AT+S.TLSCERT=" + std::string{keyword} + "," + std::to_string(payload.size()) +
                "\r");
    host().send(payload);
    return read_answer();
  }
  std::string load_file(std::string_view keyword, std::string_view file) {
    return load(keyword, read_file(cert(file)));
  }
  /// Everything through the final OK or ERROR line.
  std::string read_answer(std::chrono::milliseconds deadline = 10s) {
    std::string answer;
    for (;;) {
      const std::string line = host().read_until("\r\n", deadline);
      answer += line;
      if (line.empty() || line == "AT-S.OK\r\n" || line.starts_with("AT-S.ERROR:")) return answer;
    }
  }
  std::string ca_loaded_answer() {
    return "AT-S.SubjectKeyId:" + openssl_subject_key_id(cert("root-ca.pem")) + "\r\nAT-S.OK\r\n";
  }
  std::string content(std::size_t ca, std::size_t certificate, std::size_t key, std::size_t id) {
    return "AT-S.CA:" + std::to_string(ca) + "\r\nAT-S.Cert:" + std::to_string(certificate) +
           "\r\nAT-S.Key:" + std::to_string(key) + "\r\nAT-S.Id:" + std::to_string(id) +
           "\r\nAT-S.OK\r\n";
  }
  std::size_t size_of(std::string_view file) { return read_file(cert(file)).size(); }
  void set_time(std::string_view seconds) {
    ASSERT_EQ(host().command("AT+S.TIME=" + std::string{seconds}), "AT-S.OK\r\n");
  }
  /// SOCKON with a deadline long enough for a handshake that has to time out.
  std::string sockon(std::string_view arguments, std::chrono::milliseconds deadline = 15s) {
    host().send("AT+S.SOCKON=" + std::string{arguments} + "\r");
    return read_answer(deadline);
  }
  /// Sends `data` on socket `id` and returns what the server answers (one WIND 55's worth).
  std::string exchange(unsigned id, std::string_view data) {
    host().send("AT+S.SOCKW=" + std::to_string(id) + "," + std::to_string(data.size()) + "\r");
    host().send(data);
    EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
    const std::string wind =
        host().read_until("+WIND:55:Pending Data::" + std::to_string(id) + ":", 10s);
    host().read_until("\r\n");
    host().send("AT+S.SOCKR=" + std::to_string(id) + ",0\r");
    std::string header = host().read_until("\r\n");
    unsigned count = 0, pending = 0;
    EXPECT_EQ(std::sscanf(header.c_str(), "AT-S.Reading:%u:%u", &count, &pending), 2) << header;
    std::string received = host().read_exactly(count);
    EXPECT_EQ(host().read_exactly(9), "AT-S.OK\r\n");
    return received;
  }

  TempDir m_temp;
  std::vector<std::string> m_arguments;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

constexpr std::string_view seed_request = "GET / HTTP/1.1\r\nHost: www.ssllabs.com\r\n\r\n";
constexpr std::string_view failed_to_open = "AT-S.ERROR:74:Failed to open socket\r\n";

// ---------------------------------------------------------------------------------------------
// AT+S.TLSCERT on its own.

TEST_F(TlsTest, CaPrintsItsSubjectKeyIdAsOpensslDoesAndContentListsTheSizes) {
  start();
  EXPECT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(size_of("root-ca.pem"), 0, 0, 0));
  EXPECT_EQ(
      host().command("AT+S.STS=ip_cert_len_ca"),
      "AT-S.Var:ip_cert_len_ca=" + std::to_string(size_of("root-ca.pem")) + "\r\nAT-S.OK\r\n");
  // DER works too and replaces the PEM; keywords are case-insensitive (X-CUBE sends "Ca").
  EXPECT_EQ(load_file("Ca", "root-ca.der"), ca_loaded_answer());
  EXPECT_EQ(load_file("cert", "client.pem"), "AT-S.OK\r\n");
  EXPECT_EQ(load_file("KEY", "client.key"), "AT-S.OK\r\n");
  EXPECT_EQ(load("Auth", "client.example"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"),
            content(size_of("root-ca.der"), size_of("client.pem"), size_of("client.key"), 14));
  EXPECT_EQ(load_file("cert", "client.der"), "AT-S.OK\r\n");
  EXPECT_EQ(load_file("key", "client.key.der"), "AT-S.OK\r\n");
  EXPECT_EQ(
      host().command("AT+S.STS=ip_cert_len_cert"),
      "AT-S.Var:ip_cert_len_cert=" + std::to_string(size_of("client.der")) + "\r\nAT-S.OK\r\n");
  EXPECT_EQ(
      host().command("AT+S.STS=ip_cert_len_key"),
      "AT-S.Var:ip_cert_len_key=" + std::to_string(size_of("client.key.der")) + "\r\nAT-S.OK\r\n");
  // A CA without the extension says so.
  EXPECT_EQ(load_file("ca", "no-ski-ca.pem"), "AT-S.No SubjectKeyId\r\nAT-S.OK\r\n");
}

TEST_F(TlsTest, BadMaterialAnswers8AfterThePayloadAndLeavesTheStoreAsItWas) {
  start();
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  const std::string root = read_file(cert("root-ca.pem"));
  const std::string invalid = "AT-S.ERROR:8:Invalid value\r\n";
  EXPECT_EQ(load("ca", root.substr(0, root.size() / 2)), invalid);  // truncated PEM
  const std::string der = read_file(cert("root-ca.der"));
  EXPECT_EQ(load("ca", der.substr(0, der.size() - 10)), invalid);  // truncated DER
  EXPECT_EQ(load("ca", der + "junk"), invalid);                    // DER with trailing bytes
  EXPECT_EQ(load("cert", read_file(cert("client.der")) + "junk"), invalid);
  EXPECT_EQ(load("key", read_file(cert("client.key.der")) + "junk"), invalid);
  EXPECT_EQ(load("ca", std::string(300, '\x5a')), invalid);       // garbage
  EXPECT_EQ(load("ca", read_file(cert("client.key"))), invalid);  // a key is no certificate
  EXPECT_EQ(load("cert", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            invalid);
  EXPECT_EQ(load("key", root), invalid);  // a certificate is no key
  EXPECT_EQ(load("key", std::string(64, '\x01')), invalid);
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(root.size(), 0, 0, 0));
  EXPECT_EQ(read_file(state_dir() / "tls" / "ca"), root);
}

TEST_F(TlsTest, ArgumentErrorsComeBeforeThePayload) {
  start();
  EXPECT_EQ(host().command("AT+S.TLSCERT=ca,0"), "AT-S.ERROR:33:Argument evaluated to zero\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=ca,4097"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=key,100000"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=dhp,10"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,3"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,0"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=ca"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=ca,1,2"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(0, 0, 0, 0));
  // The full 4096 bytes are read as payload (and refused as material).
  EXPECT_EQ(load("ca", std::string(4096, 'x')), "AT-S.ERROR:8:Invalid value\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(0, 0, 0, 0));
}

TEST_F(TlsTest, CleanEmptiesEverySlotAndTheFlash) {
  start();
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  ASSERT_EQ(load_file("cert", "client.pem"), "AT-S.OK\r\n");
  ASSERT_EQ(load_file("key", "client.key"), "AT-S.OK\r\n");
  ASSERT_EQ(load("auth", "x"), "AT-S.OK\r\n");
  EXPECT_TRUE(std::filesystem::exists(state_dir() / "tls" / "key"));
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,2"), "AT-S.Clean\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(0, 0, 0, 0));
  for (const char* slot : {"ca", "cert", "key", "auth"}) {
    EXPECT_FALSE(std::filesystem::exists(state_dir() / "tls" / slot)) << slot;
  }
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,2"), "AT-S.Clean\r\nAT-S.OK\r\n");
  restart();
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(0, 0, 0, 0));
}

TEST_F(TlsTest, TheSlotsSurviveResetAndRestartWithoutWcfg) {
  start();
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  ASSERT_EQ(load_file("cert", "client.pem"), "AT-S.OK\r\n");
  ASSERT_EQ(load_file("key", "client.key.der"), "AT-S.OK\r\n");
  const std::string listed =
      content(size_of("root-ca.pem"), size_of("client.pem"), size_of("client.key.der"), 0);
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  host().read_until(factory_start_text());
  ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"), "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), listed);
  restart();
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), listed);
  // AT&F / factory configuration does not touch the certificate slots.
  EXPECT_EQ(host().command("AT&F"), "AT-S.OK\r\n");
  ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"), "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), listed);
}

TEST_F(TlsTest, ConsoleVerboseZeroHidesTheInformationalLines) {
  start();
  ASSERT_EQ(host().command("AT+S.SCFG=console_verbose,0"), "AT-S.OK\r\n");
  EXPECT_EQ(load_file("ca", "root-ca.pem"), "AT-S.OK\r\n");
  EXPECT_EQ(load_file("ca", "no-ski-ca.pem"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,2"), "AT-S.OK\r\n");
  // R lines stay.
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(0, 0, 0, 0));
}

// ---------------------------------------------------------------------------------------------
// TLS client sockets (SOCKON over TLS).

/// The seed thread's server: one certificate (CN ssllabs.com, SAN www.ssllabs.com) for both
/// names, as ssllabs.com had in 2017, but the vhost is chosen by SNI and checks Host against it.
TlsPeerOptions seed_site(const std::function<TlsIdentity(std::string_view)>& identity) {
  TlsPeerOptions options;
  options.default_identity = identity("seed");
  options.names = {{"ssllabs.com", identity("seed")}, {"www.ssllabs.com", identity("seed")}};
  return options;
}

TEST_F(TlsTest, SeedThreadEndToEnd) {
  TlsPeer server{seed_site(identity)};
  start(server.port());
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());

  EXPECT_EQ(sockon("www.ssllabs.com,443,,ssllabs.com"),
            "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  ASSERT_EQ(seed_request.size(), 41u);
  const std::string answer = exchange(0, seed_request);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 Bad Request\r\n")) << answer;
  ASSERT_EQ(server.connections().size(), 1u);
  EXPECT_EQ(server.connections()[0].server_name, "ssllabs.com");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");

  const std::string name_mismatch =
      "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\n" + std::string{failed_to_open};
  EXPECT_EQ(sockon("www.ssllabs.com,443,,www.ssllabs.com"), name_mismatch);
  EXPECT_EQ(sockon("www.ssllabs.com,443,,s"), name_mismatch);
  ASSERT_GE(server.connections().size(), 3u);
  EXPECT_EQ(server.connections()[1].server_name, "www.ssllabs.com");

  // Connecting to ssllabs.com itself works: name, SNI and Host agree.
  EXPECT_EQ(sockon("ssllabs.com,443,,s"), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  const std::string page = exchange(0, "GET / HTTP/1.1\r\nHost: ssllabs.com\r\n\r\n");
  EXPECT_TRUE(page.starts_with("HTTP/1.1 200 OK\r\n")) << page;
  EXPECT_TRUE(page.ends_with(TlsPeer::ok_body)) << page;
}

// The module speaks TLS 1.0, 1.1 and 1.2 and takes what the server offers.
TEST_F(TlsTest, Tls10To12AreNegotiated) {
  for (const auto& [minor, name] :
       {std::pair{1, "TLSv1.0"}, std::pair{2, "TLSv1.1"}, std::pair{3, "TLSv1.2"}}) {
    TlsPeerOptions options = seed_site(identity);
    options.max_minor_version = minor;
    TlsPeer server{options};
    start(server.port());
    set_time(time_2024);
    ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
    EXPECT_EQ(sockon("ssllabs.com,443,,s"),
              "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
    // TLS 1.0 servers split CBC records 1/n-1, so the answer may arrive in several pieces:
    // wait for the pending total to reach the whole answer, then read it at once.
    const std::string request = "GET / HTTP/1.1\r\nHost: ssllabs.com\r\n\r\n";
    const std::string expected = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                 std::to_string(TlsPeer::ok_body.size()) + "\r\n\r\n" +
                                 std::string{TlsPeer::ok_body};
    host().send("AT+S.SOCKW=0," + std::to_string(request.size()) + "\r" + request);
    EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
    host().read_until(":" + std::to_string(expected.size()) + "\r\n");
    host().send("AT+S.SOCKR=0,0\r");
    EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.Reading:" + std::to_string(expected.size()) +
                                                    ":" + std::to_string(expected.size()) + "\r\n" +
                                                    expected + "AT-S.OK\r\n")
        << name;
    ASSERT_EQ(server.connections().size(), 1u);
    const std::string version = server.connections()[0].version;
    EXPECT_TRUE(version == name || (minor == 1 && version == "TLSv1")) << version;
    EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  }
}

// A TLS socket behaves as a TCP one when the peer closes: WIND 58, data still readable, 78, SOCKC.
//   +WIND:55:Pending Data::0:<n>:<n>  +WIND:58:Socket Closed:0:0
TEST_F(TlsTest, PeerCloseOverTlsIsReportedLikeTcp) {
  TlsPeerOptions options = seed_site(identity);
  options.close_after_response = true;
  TlsPeer server{options};
  start(server.port());
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(sockon("ssllabs.com,443,,s"), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  const std::string request = "GET / HTTP/1.1\r\nHost: ssllabs.com\r\n\r\n";
  host().send("AT+S.SOCKW=0," + std::to_string(request.size()) + "\r" + request);
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  const std::string indications = host().read_until("+WIND:58:Socket Closed:0:0\r\n");
  EXPECT_NE(indications.find("+WIND:55:Pending Data::0:"), std::string::npos) << indications;
  host().send("AT+S.SOCKW=0,1\rx");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.ERROR:78:Socket not connected\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.ERROR:77:Pending data\r\n");
  host().send("AT+S.SOCKR=0,0\r");
  const std::string header = host().read_until("\r\n");
  unsigned count = 0, pending = 0;
  ASSERT_EQ(std::sscanf(header.c_str(), "AT-S.Reading:%u:%u", &count, &pending), 2) << header;
  EXPECT_TRUE(host().read_exactly(count).starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(host().read_exactly(9), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
}

TEST_F(TlsTest, TheServerPicksItsCertificateBySni) {
  TlsPeerOptions options;
  options.default_identity = identity("seed");
  options.names = {{"ssllabs.com", identity("seed")}, {"www.ssllabs.com", identity("www")}};
  TlsPeer server{options};
  start(server.port());
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  // The www vhost has a certificate with CN www.ssllabs.com: the name check passes.
  EXPECT_EQ(sockon("www.ssllabs.com,443,,s"),
            "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_TRUE(exchange(0, seed_request).starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(server.connections().at(0).server_name, "www.ssllabs.com");
  EXPECT_TRUE(server.connections().at(0).handshake_done);
}

TEST_F(TlsTest, NameMatrixCommonNameOnlyExactCaseInsensitiveNoWildcards) {
  TlsPeerOptions options;
  options.default_identity = identity("wildcard");
  TlsPeer wildcard{options};
  options.default_identity = identity("seed");
  TlsPeer seed{options};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  const std::string opened = "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n";
  const std::string mismatch =
      "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\n" + std::string{failed_to_open};
  const std::string seed_port = "127.0.0.1," + std::to_string(seed.port()) + ",,";
  const std::string wildcard_port = "127.0.0.1," + std::to_string(wildcard.port()) + ",,";
  EXPECT_EQ(sockon(seed_port + "SSLLABS.COM"), opened);
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(sockon(seed_port + "ssllabs.co"), mismatch);
  EXPECT_EQ(sockon(seed_port + "www.ssllabs.com"), mismatch);  // only in the SAN
  EXPECT_EQ(sockon(wildcard_port + "www.example.com"), mismatch);
  EXPECT_EQ(sockon(wildcard_port + "*.example.com"), opened);
  EXPECT_EQ(wildcard.connections().back().server_name, "*.example.com");
}

TEST_F(TlsTest, UnknownCaAndSelfSignedLeafAnswer23) {
  TlsPeerOptions options;
  options.default_identity = identity("unknown-ca-leaf");
  TlsPeer unknown{options};
  options.default_identity = identity("self-signed");
  TlsPeer self_signed{options};
  start();
  set_time(time_2024);
  // No CA at all: no anchor (and no file-system CA).
  const std::string prefix = "127.0.0.1,";
  EXPECT_TRUE(sockon(prefix + std::to_string(unknown.port()) + ",,ssllabs.com")
                  .ends_with("AT-S.Certificate Error:23\r\n" + std::string{failed_to_open}));
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(sockon(prefix + std::to_string(unknown.port()) + ",,ssllabs.com"),
            "AT-S.Skip CA\r\nAT-S.Certificate Error:23\r\n" + std::string{failed_to_open});
  EXPECT_TRUE(sockon(prefix + std::to_string(self_signed.port()) + ",,ssllabs.com")
                  .ends_with("AT-S.Certificate Error:23\r\n" + std::string{failed_to_open}));
}

TEST_F(TlsTest, ChainThroughAnIntermediateSkipsThenLoadsTheRoot) {
  TlsPeerOptions options;
  options.default_identity = {cert("chain-fullchain.pem"), cert("chain.key")};
  TlsPeer server{options};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(sockon("127.0.0.1," + std::to_string(server.port()) + ",,chain.example"),
            "AT-S.Skip CA\r\nAT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  // After a restart the root comes from the flash.
  restart();
  set_time(time_2024);
  EXPECT_EQ(sockon("127.0.0.1," + std::to_string(server.port()) + ",,chain.example"),
            "AT-S.Skip CA\r\nAT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

// With the flash slots empty the module looks in its file system: <AuthorityKeyId>.ca (40 hex
// digits, case-insensitive) for the CA, tls.cert / tls.key for its own identity (spec §3.5.4).
TEST_F(TlsTest, WithTheFlashSlotsEmptyTheFileSystemProvidesCaCertificateAndKey) {
  TlsPeer server{mutual_authentication_echo()};
  start();
  set_time(time_2024);
  std::string ski = openssl_subject_key_id(cert("root-ca.pem"));
  std::erase(ski, ':');
  const auto create = [&](const std::string& name, const std::string& data) {
    host().send("AT+S.FSC=/" + name + "," + std::to_string(data.size()) + "\r");
    host().send(data);
    return read_answer();
  };
  ASSERT_EQ(create(ski + ".ca", read_file(cert("root-ca.pem"))), "AT-S.OK\r\n");
  ASSERT_EQ(create("tls.cert", read_file(cert("client.pem"))), "AT-S.OK\r\n");
  ASSERT_EQ(create("tls.key", read_file(cert("client.key"))), "AT-S.OK\r\n");
  const std::string answer = sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com");
  EXPECT_NE(answer.find("AT-S.Loading:1:1\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("AT-S.Loading:2:1\r\nAT-S.Loading:3:1\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n")) << answer;
  EXPECT_EQ(exchange(0, "from the file system"), "from the file system");
  EXPECT_EQ(server.connections().at(0).client_common_name, "client.example");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  // A CA in the flash slot takes precedence, even one that does not anchor the chain.
  const std::string other_ca = load_file("ca", "other-ca.pem");
  ASSERT_TRUE(other_ca.starts_with("AT-S.SubjectKeyId:") && other_ca.ends_with("AT-S.OK\r\n"))
      << other_ca;
  EXPECT_EQ(sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com"),
            "AT-S.Skip CA\r\nAT-S.Certificate Error:23\r\n" + std::string{failed_to_open});
}

TEST_F(TlsTest, DatesAreCheckedAgainstTheModuleClock) {
  TlsPeerOptions options;
  options.default_identity = identity("seed");
  TlsPeer seed{options};
  options.default_identity = identity("expired");
  TlsPeer expired{options};
  options.default_identity = identity("future");
  TlsPeer future{options};
  start();
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  auto open = [&](const TlsPeer& server) {
    return sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com");
  };
  const auto failure = [](int code) {
    return "AT-S.Loading:1:2\r\nAT-S.Certificate Error:" + std::to_string(code) + "\r\n" +
           std::string{failed_to_open};
  };
  set_time(time_2050);
  EXPECT_EQ(open(seed), failure(10));
  set_time(time_2019);
  EXPECT_EQ(open(seed), failure(9));
  set_time(time_2024);
  EXPECT_EQ(open(expired), failure(10));
  EXPECT_EQ(open(future), failure(9));
  EXPECT_EQ(open(seed), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

// A leaf that names the stored root as its issuer (name and key identifier) but was signed by
// another key: only the signature check of the chain walk catches it (issue 10 item 18).
//   AT+S.SOCKON=127.0.0.1,<port>,,ssllabs.com -> AT-S.Loading:1:2
//                                                AT-S.Certificate Error:7
//                                                AT-S.ERROR:74:Failed to open socket
TEST_F(TlsTest, AForgedSignatureIsCertificateError7) {
  TlsPeerOptions options;
  options.default_identity = identity("forged");
  TlsPeer forged{options};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(sockon("127.0.0.1," + std::to_string(forged.port()) + ",,ssllabs.com"),
            "AT-S.Loading:1:2\r\nAT-S.Certificate Error:7\r\n" + std::string{failed_to_open});
}

// A chain that brings its own self-signed root, which is not the stored CA (spec §7: 19).
//   AT+S.SOCKON=127.0.0.1,<port>,,ssllabs.com -> AT-S.Skip CA (per certificate of the chain)
//                                                AT-S.Certificate Error:19
//                                                AT-S.ERROR:74:Failed to open socket
TEST_F(TlsTest, ASelfSignedRootInTheChainThatIsNotTheStoredCaIsError19) {
  TlsPeerOptions options;
  options.default_identity = {cert("unknown-ca-fullchain.pem"), cert("unknown-ca-leaf.key")};
  TlsPeer server{options};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com"),
            "AT-S.Skip CA\r\nAT-S.Skip CA\r\nAT-S.Certificate Error:19\r\n" +
                std::string{failed_to_open});
}

// The NSS key log through the executable: --keylog FILE, and SSLKEYLOGFILE when --keylog is not
// given; each handshake adds its CLIENT_RANDOM line (issue 10 item 19).
TEST_F(TlsTest, KeyLogThroughTheOptionAndTheVariable) {
  TlsPeerOptions options;
  options.default_identity = identity("seed");
  TlsPeer server{options};
  TempDir logs;
  const auto open_once = [&] {
    set_time(time_2024);
    ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
    ASSERT_EQ(sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com"),
              "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
    ASSERT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  };
  start(0, {"--keylog", (logs.path() / "option.log").string()});
  open_once();
  EXPECT_TRUE(read_file(logs.path() / "option.log").starts_with("CLIENT_RANDOM "));
  ::setenv("SSLKEYLOGFILE", (logs.path() / "variable.log").c_str(), 1);
  start();
  ::unsetenv("SSLKEYLOGFILE");
  open_once();
  EXPECT_TRUE(read_file(logs.path() / "variable.log").starts_with("CLIENT_RANDOM "));
}

TEST_F(TlsTest, MutualAuthenticationPresentsTheStoredCertificateAndKey) {
  TlsPeer server{mutual_authentication_echo()};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  ASSERT_EQ(load_file("cert", "client.pem"), "AT-S.OK\r\n");
  ASSERT_EQ(load_file("key", "client.key"), "AT-S.OK\r\n");
  const std::string answer = sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com");
  EXPECT_NE(answer.find("AT-S.Loading:1:2\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("AT-S.Loading:2:2\r\nAT-S.Loading:3:2\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n")) << answer;
  // After the handshake the socket is a plain data pipe (and the server has finished its side).
  EXPECT_EQ(exchange(0, "ping over tls"), "ping over tls");
  ASSERT_EQ(server.connections().size(), 1u);
  EXPECT_EQ(server.connections()[0].client_common_name, "client.example");
}

TEST_F(TlsTest, AtMostTwoTlsSocketsAtOnce) {
  TlsPeerOptions options;
  options.default_identity = identity("seed");
  options.mode = TlsPeerMode::echo;
  TlsPeer server{options};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  const std::string target = "127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com";
  EXPECT_EQ(sockon(target), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockon(target), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockon(target), failed_to_open);
  EXPECT_EQ(exchange(1, "second"), "second");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(sockon(target), "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

TEST_F(TlsTest, AServerThatStallsMidHandshakeFailsWith74) {
  TlsPeerOptions options;
  options.default_identity = identity("seed");
  options.mode = TlsPeerMode::stall;
  TlsPeer server{options};
  start();
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  EXPECT_EQ(sockon("127.0.0.1," + std::to_string(server.port()) + ",,ssllabs.com", 30s),
            failed_to_open);
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"),
            content(size_of("root-ca.pem"), 0, 0, 0));  // the console is still alive
}

TEST_F(TlsTest, ConsoleVerboseZeroHidesTheHandshakeLines) {
  TlsPeer server{seed_site(identity)};
  start(server.port());
  set_time(time_2024);
  ASSERT_EQ(load_file("ca", "root-ca.pem"), ca_loaded_answer());
  ASSERT_EQ(host().command("AT+S.SCFG=console_verbose,0"), "AT-S.OK\r\n");
  EXPECT_EQ(sockon("www.ssllabs.com,443,,ssllabs.com"), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockon("www.ssllabs.com,443,,s"), failed_to_open);
}

}  // namespace
}  // namespace spwf::testing
