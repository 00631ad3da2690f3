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
#include <functional>
#include <memory>
#include <sstream>

#include "tests/integration/TlsFixture.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view seed_request = "GET / HTTP/1.1\r\nHost: www.ssllabs.com\r\n\r\n";
constexpr std::string_view failed_to_open = "AT-S.ERROR:74:Failed to open socket\r\n";

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
