// The transcript format and its matcher (tests/transcripts/README.md), on plain strings:
//   "< AT-S.Var:wifi_own_macaddr={mac}"  matches "AT-S.Var:wifi_own_macaddr=00:80:E1:BD:DC:52\r\n"
//   "< {body}AT-S.OK"                    matches any bytes followed by "AT-S.OK\r\n"
#include <gtest/gtest.h>

#include "tests/integration/Transcript.hpp"

namespace spwf::testing::transcript {
namespace {

/// The expected tokens of the one module line of a transcript.
std::vector<Token> line(std::string_view text) {
  std::string error;
  const auto parsed = parse("< " + std::string{text} + "\n", error);
  EXPECT_TRUE(parsed) << error;
  return parsed ? parsed->steps.front().expected : std::vector<Token>{};
}

TEST(TranscriptFormat, LiteralLinesMatchExactly) {
  EXPECT_EQ(match(line("AT-S.OK"), "AT-S.OK\r\n"), Match::full);
  EXPECT_EQ(match(line("AT-S.OK"), "AT-S.O"), Match::partial);
  EXPECT_EQ(match(line("AT-S.OK"), "AT-S.OK\n"), Match::mismatch);
  EXPECT_EQ(match(line("AT-S.OK"), "AT-S.OK\r\n+WIND"), Match::mismatch);
}

TEST(TranscriptFormat, PlaceholdersCoverOnlyTheirKind) {
  EXPECT_EQ(match(line("X={mac}"), "X=00:80:E1:BD:DC:52\r\n"), Match::full);
  EXPECT_EQ(match(line("X={mac}"), "X=00:80:e1:BD:DC:52\r\n"), Match::mismatch);
  EXPECT_EQ(match(line("On:{ip}:{n}"), "On:127.0.0.1:0\r\n"), Match::full);
  EXPECT_EQ(match(line("On:{ip}:{n}"), "On:127.0.0:0\r\n"), Match::mismatch);
  EXPECT_EQ(match(line("Id:{hex}"), "Id:7F:D3:65\r\n"), Match::full);
  EXPECT_EQ(match(line("T:{*}"), "T:1.12.2026:16:43:0.0.0\r\n"), Match::full);
  EXPECT_EQ(match(line("T:{*}"), "T:one\r\ntwo\r\n"), Match::mismatch);
  EXPECT_EQ(match(line("{n}"), "12"), Match::partial);
  EXPECT_EQ(match(line("{{n}"), "{n}\r\n"), Match::full);
}

TEST(TranscriptFormat, BodySpansLinesUpToTheNextLiteral) {
  EXPECT_EQ(match(line("{body}AT-S.OK"), "hello\r\nworld\nAT-S.OK\r\n"), Match::full);
  EXPECT_EQ(match(line("{body}AT-S.OK"), "AT-S.OK\r\n"), Match::full);
  EXPECT_EQ(match(line("{body}AT-S.OK"), "hello AT-S."), Match::partial);
}

TEST(TranscriptFormat, StepsEchoAndPayload) {
  std::string error;
  const auto parsed = parse(
      "# comment\n@source spec\n< boot\n> AT+S.TLSCERT=ca,3\n+ fill 3 x\n< AT-S.OK\n@echo off\n"
      "> AT\n< AT-S.OK\n",
      error);
  ASSERT_TRUE(parsed) << error;
  ASSERT_EQ(parsed->steps.size(), 3u);
  EXPECT_EQ(parsed->source, "spec");
  EXPECT_TRUE(parsed->skip.empty());
  const auto skipped = parse("@skip issue 12: the miniAP start crashes\n", error);
  ASSERT_TRUE(skipped) << error;
  EXPECT_EQ(skipped->skip, "issue 12: the miniAP start crashes");
  EXPECT_EQ(parsed->steps[1].inputs.size(), 2u);
  EXPECT_EQ(match(parsed->steps[1].expected, "AT+S.TLSCERT=ca,3\r\nAT-S.OK\r\n"), Match::full);
  EXPECT_EQ(match(parsed->steps[2].expected, "AT-S.OK\r\n"), Match::full);
  EXPECT_FALSE(parsed->echo_at_end);
  const auto text = parse("> AT+S.SOCKW=0,4\n+ text a\\r\\n\\\\\n", error);
  ASSERT_TRUE(text) << error;
  EXPECT_EQ(text->steps[1].inputs[1].text, "a\r\n\\");
  EXPECT_EQ(expand_sizes("ca,{size:a.pem}", [](const std::string&) { return 1239; }), "ca,1239");
}

TEST(TranscriptFormat, ErrorsNameTheLine) {
  std::string error;
  EXPECT_FALSE(parse("< ok\n< {nope}\n", error));
  EXPECT_EQ(error.rfind("line 2:", 0), 0u) << error;
  EXPECT_FALSE(parse("+ fill 3 x\n", error));
  EXPECT_FALSE(parse("@https name-only\n", error));
  EXPECT_FALSE(parse("AT\n", error));
}

}  // namespace
}  // namespace spwf::testing::transcript
