// The memory of verified certificate signatures (tls/VerifiedSignatures, issue 16): a pair is
// found only in the order it was added, the oldest pair goes first when full, and a chain whose
// leaf differs from a remembered one by a single signature byte still fails as bad_signature
// (Certificate Error) after the genuine chain has verified.

#include <gtest/gtest.h>

#include <string>

#include "tests/tls/TestCertificates.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/ChainVerifier.hpp"
#include "tls/VerifiedSignatures.hpp"

namespace spwf::tls {
namespace {

class VerifiedSignaturesTest : public TestCertificates {
 protected:
  static Certificate load(const std::string& name) {
    auto parsed = parse_certificates(read(name));
    EXPECT_TRUE(parsed) << name;
    return std::move(*parsed);
  }
  static Verdict verify(const mbedtls_x509_crt& chain, const std::string& root_pem) {
    const TrustSources trust{root_pem, {}, {}, {}};
    const HandshakeObserver observer;
    const VerifyContext context{trust, "ssllabs.com", 1717200000, observer, "test"};
    return verify_chain(chain, context);
  }
};

TEST_F(VerifiedSignaturesTest, RemembersPairsInOrderAndForgetsTheOldest) {
  const Certificate root = load("root-ca.pem");
  const Certificate seed = load("seed.pem");
  const Certificate www = load("www.pem");
  VerifiedSignatures memory{2};
  EXPECT_FALSE(memory.contains(*seed.get(), *root.get()));
  memory.add(*seed.get(), *root.get());
  EXPECT_TRUE(memory.contains(*seed.get(), *root.get()));
  EXPECT_FALSE(memory.contains(*root.get(), *seed.get()));
  EXPECT_FALSE(memory.contains(*www.get(), *root.get()));
  memory.add(*www.get(), *root.get());
  memory.add(*www.get(), *root.get());  // already there: nothing moves
  EXPECT_EQ(memory.size(), 2u);
  memory.add(*root.get(), *root.get());  // full: the oldest (seed) goes
  EXPECT_EQ(memory.size(), 2u);
  EXPECT_FALSE(memory.contains(*seed.get(), *root.get()));
  EXPECT_TRUE(memory.contains(*www.get(), *root.get()));
  EXPECT_TRUE(memory.contains(*root.get(), *root.get()));
  VerifiedSignatures none{0};  // a memory of no pairs remembers nothing
  none.add(*seed.get(), *root.get());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_FALSE(none.contains(*seed.get(), *root.get()));
}

TEST_F(VerifiedSignaturesTest, AForgedSignatureFailsAfterTheGenuineOneVerified) {
  const std::string root_pem = read("root-ca.pem");
  const Certificate seed = load("seed.pem");
  ASSERT_EQ(verify(*seed.get(), root_pem), Verdict::ok);
  ASSERT_EQ(verify(*seed.get(), root_pem), Verdict::ok);  // the second time from memory
  std::string der{reinterpret_cast<const char*>(seed.get()->raw.p), seed.get()->raw.len};
  der.back() = static_cast<char>(der.back() ^ 0x01);  // the signature's last byte
  const auto forged = parse_certificates(der);
  ASSERT_TRUE(forged);
  EXPECT_EQ(verify(*forged->get(), root_pem), Verdict::bad_signature);
}

}  // namespace
}  // namespace spwf::tls
