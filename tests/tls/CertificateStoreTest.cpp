// tls/CertificateStore.hpp and tls/KeyIdentifiers.hpp on the certificates of
// scripts/make-test-certs.sh (spec §3.7): PEM and DER material, refused material leaves the slot
// as it was, the SubjectKeyId as openssl prints it, a leaf's AuthorityKeyId equal to its
// issuer's SubjectKeyId, and the two hex spellings.

#include <gtest/gtest.h>
#include <mbedtls/x509_crt.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/tls/TestCertificates.hpp"
#include "tls/CertificateStore.hpp"
#include "tls/KeyIdentifiers.hpp"

namespace spwf::tls {
namespace {

class CertificateStoreTest : public TestCertificates {
 protected:
  /// `openssl x509 -noout -ext subjectKeyIdentifier` of a file, as "AB:CD:...".
  static std::string openssl_subject_key_id(std::string_view name) {
    const std::string command =
        "openssl x509 -noout -ext subjectKeyIdentifier -in " + path(name).string();
    std::string output;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      char buffer[256];
      while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
      ::pclose(pipe);
    }
    output = output.substr(output.find('\n') + 1);
    std::erase_if(output, [](char c) { return c == ' ' || c == '\n'; });
    return output;
  }
  /// The key identifiers of a PEM or DER certificate file.
  static std::pair<std::optional<std::vector<std::uint8_t>>,
                   std::optional<std::vector<std::uint8_t>>>
  identifiers(std::string_view name) {
    mbedtls_x509_crt certificate;
    mbedtls_x509_crt_init(&certificate);
    std::pair<std::optional<std::vector<std::uint8_t>>, std::optional<std::vector<std::uint8_t>>>
        result;
    if (mbedtls_x509_crt_parse_file(&certificate, path(name).c_str()) == 0) {
      result = {subject_key_id(certificate), authority_key_id(certificate)};
    }
    mbedtls_x509_crt_free(&certificate);
    return result;
  }

  CertificateStore m_store;
};

TEST_F(CertificateStoreTest, HexSpellings) {
  EXPECT_EQ(colon_hex({0x7F, 0xD3, 0x05}), "7F:D3:05");
  EXPECT_EQ(colon_hex({}), "");
  EXPECT_EQ(plain_hex({0x7F, 0xD3, 0x05}), "7fd305");
}

TEST_F(CertificateStoreTest, CaInPemAndDerGivesTheSubjectKeyIdOpensslPrints) {
  const std::string expected = openssl_subject_key_id("root-ca.pem");
  ASSERT_EQ(expected.size(), 59u);  // 20 bytes
  for (const char* name : {"root-ca.pem", "root-ca.der"}) {
    StoredCa stored;
    ASSERT_EQ(m_store.store_ca(read(name), stored), StoreError::none) << name;
    ASSERT_TRUE(stored.subject_key_id) << name;
    EXPECT_EQ(colon_hex(*stored.subject_key_id), expected) << name;
    EXPECT_EQ(m_store.slot(Slot::ca), read(name));
  }
  StoredCa without;
  ASSERT_EQ(m_store.store_ca(read("no-ski-ca.pem"), without), StoreError::none);
  EXPECT_FALSE(without.subject_key_id);
}

TEST_F(CertificateStoreTest, AuthorityKeyIdOfALeafIsItsIssuersSubjectKeyId) {
  const auto [root_subject, root_authority] = identifiers("root-ca.pem");
  const auto [intermediate_subject, intermediate_authority] = identifiers("intermediate-ca.pem");
  const auto [chain_subject, chain_authority] = identifiers("chain.pem");
  const auto [seed_subject, seed_authority] = identifiers("seed.der");
  ASSERT_TRUE(root_subject && intermediate_subject && chain_subject && seed_subject);
  EXPECT_EQ(intermediate_authority, root_subject);
  EXPECT_EQ(chain_authority, intermediate_subject);
  EXPECT_EQ(seed_authority, root_subject);
  EXPECT_FALSE(identifiers("self-signed.pem").second);  // no AKI on the self-signed leaf
}

TEST_F(CertificateStoreTest, RefusedMaterialLeavesTheSlotAsItWas) {
  const std::string root = read("root-ca.pem");
  StoredCa stored;
  ASSERT_EQ(m_store.store_ca(root, stored), StoreError::none);
  for (const std::string& bad :
       {root.substr(0, root.size() / 2), read("root-ca.der").substr(0, 100), std::string(50, 'x'),
        read("client.key"), std::string{}}) {
    StoredCa ignored;
    EXPECT_EQ(m_store.store_ca(bad, ignored), StoreError::not_parseable);
    EXPECT_EQ(m_store.slot(Slot::ca), root);
  }
  EXPECT_EQ(m_store.store(Slot::key, root), StoreError::not_parseable);
  EXPECT_EQ(m_store.store(Slot::cert, read("client.key")), StoreError::not_parseable);
  EXPECT_EQ(m_store.store(Slot::auth, ""), StoreError::not_parseable);
  EXPECT_TRUE(m_store.slot(Slot::key).empty());
  EXPECT_TRUE(m_store.slot(Slot::cert).empty());
}

TEST_F(CertificateStoreTest, OwnCertificateKeyAndAuthInEitherEncodingThenClear) {
  EXPECT_EQ(m_store.store(Slot::cert, read("client.pem")), StoreError::none);
  EXPECT_EQ(m_store.store(Slot::cert, read("client.der")), StoreError::none);
  EXPECT_EQ(m_store.store(Slot::key, read("client.key")), StoreError::none);
  EXPECT_EQ(m_store.store(Slot::key, read("client.key.der")), StoreError::none);
  EXPECT_EQ(m_store.store(Slot::auth, "client.example"), StoreError::none);
  EXPECT_EQ(m_store.slot(Slot::cert), read("client.der"));
  EXPECT_EQ(m_store.slot(Slot::key), read("client.key.der"));
  m_store.clear();
  for (const Slot slot : {Slot::ca, Slot::cert, Slot::key, Slot::auth}) {
    EXPECT_TRUE(m_store.slot(slot).empty());
  }
  m_store.restore(Slot::ca, "raw bytes from the flash");
  EXPECT_EQ(m_store.slot(Slot::ca), "raw bytes from the flash");
}

}  // namespace
}  // namespace spwf::tls
