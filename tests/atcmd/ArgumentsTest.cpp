// Typed parameter access (spec §2.4): numbers read like strtoul on the leading digits, keywords
// compared case-insensitively, argument-count checks. Dialogues these conversions serve:
//
//   AT+S.SOCKON=10.0.0.1,80,NULL,t    NULL in a numeric field reads as 0
//   AT+S.TLSCERT=Ca,1200              "Ca" matches the keyword "ca"
//   AT+S.SOCKQ                        AT-S.ERROR:2:Missing argument(s)
//   AT+S.SOCKQ=0,1                    AT-S.ERROR:6:Too many argument(s)

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "atcmd/Arguments.hpp"

namespace spwf::atcmd {
namespace {

constexpr std::uint64_t max_value = std::numeric_limits<std::uint64_t>::max();

Arguments make(std::vector<std::string> params) {
  return Arguments(std::move(params));
}

TEST(ArgumentsTest, CountAndText) {
  const Arguments arguments = make({"a", "", "c"});
  EXPECT_EQ(arguments.count(), 3u);
  EXPECT_FALSE(arguments.empty());
  EXPECT_EQ(arguments.text(0), "a");
  EXPECT_EQ(arguments.text(1), "");
  EXPECT_EQ(arguments.text(3), "");  // absent
  EXPECT_TRUE(Arguments().empty());
}

TEST(ArgumentsTest, NumbersUseTheLeadingDigits) {
  const Arguments arguments = make({"123", "12ab", "0", "007", "1.5"});
  EXPECT_EQ(arguments.number(0), 123u);
  EXPECT_EQ(arguments.number(1), 12u);
  EXPECT_EQ(arguments.number(2), 0u);
  EXPECT_EQ(arguments.number(3), 7u);
  EXPECT_EQ(arguments.number(4), 1u);
}

TEST(ArgumentsTest, EmptyOrNonNumericFieldsAreZero) {
  const Arguments arguments = make({"", "NULL", "abc", "0x10", "t"});
  for (std::size_t i = 0; i < arguments.count(); ++i) EXPECT_EQ(arguments.number(i), 0u) << i;
  EXPECT_EQ(arguments.number(7), 0u);  // absent
}

TEST(ArgumentsTest, SignsAndBlanksAreNotDigits) {
  // Documented choice: only leading digits count, so a sign or a blank reads as 0.
  const Arguments arguments = make({" 5", "-1", "+5"});
  EXPECT_EQ(arguments.number(0), 0u);
  EXPECT_EQ(arguments.number(1), 0u);
  EXPECT_EQ(arguments.number(2), 0u);
}

TEST(ArgumentsTest, NumbersSaturate) {
  const Arguments arguments = make({"18446744073709551615", "18446744073709551616",
                                    "99999999999999999999999x", "18446744073709551610"});
  EXPECT_EQ(arguments.number(0), max_value);
  EXPECT_EQ(arguments.number(1), max_value);
  EXPECT_EQ(arguments.number(2), max_value);
  EXPECT_EQ(arguments.number(3), max_value - 5);
}

TEST(ArgumentsTest, IsNumberNeedsDigitsOnly) {
  const Arguments arguments = make({"42", "", "4x", "NULL", " 4", "0"});
  EXPECT_TRUE(arguments.is_number(0));
  EXPECT_FALSE(arguments.is_number(1));
  EXPECT_FALSE(arguments.is_number(2));
  EXPECT_FALSE(arguments.is_number(3));
  EXPECT_FALSE(arguments.is_number(4));
  EXPECT_TRUE(arguments.is_number(5));
  EXPECT_FALSE(arguments.is_number(6));  // absent
}

TEST(ArgumentsTest, KeywordsIgnoreCase) {
  const Arguments arguments = make({"Ca", "AUTH", "t", "cax", ""});
  EXPECT_TRUE(arguments.is_keyword(0, "ca"));
  EXPECT_TRUE(arguments.is_keyword(1, "auth"));
  EXPECT_TRUE(arguments.is_keyword(2, "T"));
  EXPECT_FALSE(arguments.is_keyword(3, "ca"));  // full length, not a prefix
  EXPECT_FALSE(arguments.is_keyword(0, "c"));
  EXPECT_TRUE(arguments.is_keyword(4, ""));
  EXPECT_FALSE(arguments.is_keyword(5, ""));  // absent
}

TEST(ArgumentsTest, KeywordIndex) {
  const Arguments arguments = make({"KEY", "s2", "x"});
  EXPECT_EQ(arguments.keyword_index(0, {"ca", "cert", "key", "content"}), 2);
  EXPECT_EQ(arguments.keyword_index(1, {"t", "u", "s1", "S2"}), 3);
  EXPECT_EQ(arguments.keyword_index(2, {"t", "u"}), -1);
  EXPECT_EQ(arguments.keyword_index(9, {"t", "u"}), -1);
  EXPECT_EQ(arguments.keyword_index(0, {}), -1);
}

TEST(ArgumentsTest, CheckCount) {
  EXPECT_EQ(make({}).check_count(1, 1), AtError::missing_arguments);
  EXPECT_EQ(make({"0"}).check_count(1, 1), AtError::none);
  EXPECT_EQ(make({"0", "1"}).check_count(1, 1), AtError::too_many_arguments);
  EXPECT_EQ(make({"0", "1"}).check_count(1, 3), AtError::none);
  EXPECT_EQ(make({}).check_count(0, 0), AtError::none);
}

}  // namespace
}  // namespace spwf::atcmd
