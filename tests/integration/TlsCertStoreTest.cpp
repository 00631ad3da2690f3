// AT+S.TLSCERT over a real pty: loading the store's slots (PEM and DER), the SubjectKeyId line,
// the errors before and after the payload, CLEAN, and what survives a reset (spec §3.5.4, §3.7).
//   AT+S.TLSCERT=ca,<len><CR><root PEM>  -> AT-S.SubjectKeyId:<SKI, upper hex, ':'> / AT-S.OK
//   AT+S.TLSCERT=content,1               -> AT-S.CA:<n> AT-S.Cert:0 AT-S.Key:0 AT-S.Id:0 / AT-S.OK

#include <gtest/gtest.h>

#include "tests/integration/TlsFixture.hpp"

namespace spwf::testing {
namespace {

/// The store's tests share TlsTest's fixture under a suite name of their own.
class TlsCertStoreTest : public TlsTest {};

TEST_F(TlsCertStoreTest, CaPrintsItsSubjectKeyIdAsOpensslDoesAndContentListsTheSizes) {
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

TEST_F(TlsCertStoreTest, BadMaterialAnswers8AfterThePayloadAndLeavesTheStoreAsItWas) {
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

TEST_F(TlsCertStoreTest, ArgumentErrorsComeBeforeThePayload) {
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

TEST_F(TlsCertStoreTest, CleanEmptiesEverySlotAndTheFlash) {
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

TEST_F(TlsCertStoreTest, TheSlotsSurviveResetAndRestartWithoutWcfg) {
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

TEST_F(TlsCertStoreTest, ConsoleVerboseZeroHidesTheInformationalLines) {
  start();
  ASSERT_EQ(host().command("AT+S.SCFG=console_verbose,0"), "AT-S.OK\r\n");
  EXPECT_EQ(load_file("ca", "root-ca.pem"), "AT-S.OK\r\n");
  EXPECT_EQ(load_file("ca", "no-ski-ca.pem"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,2"), "AT-S.OK\r\n");
  // R lines stay.
  EXPECT_EQ(host().command("AT+S.TLSCERT=content,1"), content(0, 0, 0, 0));
}

}  // namespace
}  // namespace spwf::testing
