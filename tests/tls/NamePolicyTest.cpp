// The module's TLS naming policy (spec §3.5.1, §3.5.4 steps 1, 2, 6):
//   AT+S.SOCKON=www.ssllabs.com,443,,ssllabs.com   -> name (SNI and CN check) "ssllabs.com"
//   AT+S.SOCKON=www.ssllabs.com,443,,s             -> name "www.ssllabs.com"
#include <gtest/gtest.h>

#include "tls/NamePolicy.hpp"

namespace spwf::tls {
namespace {

TEST(NamePolicy, LongKindIsTheServerName) {
  EXPECT_EQ(sockon_server_name("www.ssllabs.com", "ssllabs.com"), "ssllabs.com");
  EXPECT_EQ(sockon_server_name("www.ssllabs.com", "tcp"), "tcp");
}

TEST(NamePolicy, OneCharacterKindUsesTheHost) {
  EXPECT_EQ(sockon_server_name("www.ssllabs.com", "s"), "www.ssllabs.com");
  EXPECT_EQ(sockon_server_name("10.0.0.1", "x"), "10.0.0.1");
}

TEST(NamePolicy, SniIsTheServerName) {
  EXPECT_EQ(sni_for("ssllabs.com"), "ssllabs.com");
}

TEST(NamePolicy, CommonNameExactCaseInsensitive) {
  EXPECT_TRUE(common_name_matches("ssllabs.com", "ssllabs.com"));
  EXPECT_TRUE(common_name_matches("SSLLabs.COM", "ssllabs.com"));
  EXPECT_FALSE(common_name_matches("ssllabs.com", "www.ssllabs.com"));
  EXPECT_FALSE(common_name_matches("ssllabs.com", "ssllabs.co"));
  EXPECT_FALSE(common_name_matches("", ""));
}

TEST(NamePolicy, WildcardCommonNameMatchesOnlyItsLiteral) {
  EXPECT_FALSE(common_name_matches("*.example.com", "www.example.com"));
  EXPECT_TRUE(common_name_matches("*.example.com", "*.example.com"));
}

}  // namespace
}  // namespace spwf::tls
