// The codes of "AT-S.Certificate Error:<n>" (spec §7): 5 name, 23 no anchor (both confirmed),
// 22 for certificates beyond the module's limits (number seen, meaning inferred), the rest
// adopted placeholders.
#include <gtest/gtest.h>

#include "tls/CertificateErrors.hpp"

namespace spwf::tls {
namespace {

TEST(CertificateErrors, TableOfSpecSection7) {
  EXPECT_EQ(certificate_error(Verdict::name_mismatch).code, 5);
  EXPECT_EQ(certificate_error(Verdict::no_trust_anchor).code, 23);
  EXPECT_EQ(certificate_error(Verdict::self_signed_in_chain).code, 19);
  EXPECT_EQ(certificate_error(Verdict::self_signed_leaf).code, 23);
  EXPECT_EQ(certificate_error(Verdict::expired).code, 10);
  EXPECT_EQ(certificate_error(Verdict::not_yet_valid).code, 9);
  EXPECT_EQ(certificate_error(Verdict::bad_signature).code, 7);
  EXPECT_EQ(certificate_error(Verdict::unsupported_certificate).code, 22);
  EXPECT_EQ(certificate_error(Verdict::other).code, 1);
}

TEST(CertificateErrors, OnlyNameAndMissingCaAreConfirmed) {
  for (const auto& entry : certificate_error_table()) {
    const bool expected =
        entry.verdict == Verdict::name_mismatch || entry.verdict == Verdict::no_trust_anchor;
    EXPECT_EQ(entry.confirmed, expected) << entry.meaning;
    EXPECT_FALSE(entry.meaning.empty());
  }
  EXPECT_EQ(certificate_error_table().size(), 9u);
}

}  // namespace
}  // namespace spwf::tls
