// The console's line editor (spec §2.2, §2.3, §9 Q1-Q3), byte for byte. Each test feeds the
// same input whole, in 1-byte and in 8-byte pieces and expects identical results. Dialogues:
//
//   host sends            module echoes              editor reports
//   "AT\r"                "AT\r\n"                   execute "AT"
//   "AT\r\n"              "AT\r\n" "\n"              execute "AT" (LF read at pos 0)
//   "AT\n\r"              "AT\r\n"                   execute "AT" (LF inside a line ignored)
//   "AT\n"                "AT"                       nothing
//   "XAT\r"               "XAT\r\n"                  nothing (line dropped)
//   "xT+S.FOO\r"          "xT+S.FOO\r\n"             execute "xT+S.FOO" (parser answers error 1)
//   "ATX\bI\r"            "ATX\b \bI\r\n"            execute "ATI"
//   "AT+S.STS\r" "!"      ... "!"                    execute, then repeat "AT+S.STS"
//   "AT" + 509 x + "\r"   the same, CR as "\r\n"     execute (511 characters)
//   "AT" + 510 x + ...    the same                   discarded at the 512th character

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "atcmd/LineReader.hpp"

namespace spwf::atcmd {
namespace {

// What the editor did with a whole input: everything echoed and one entry per reported action.
struct Transcript {
  std::string echo;
  std::vector<std::string> events;
  bool in_line = false;
  bool operator==(const Transcript&) const = default;
};

// Feeds `input` to `reader` in pieces of `piece` bytes (0: all at once), as a transport would
// deliver it, and records what comes out.
Transcript feed(LineReader& reader, std::string_view input, std::size_t piece, char repeater) {
  Transcript transcript;
  if (piece == 0) piece = input.size();
  while (!input.empty()) {
    const std::string_view chunk = input.substr(0, piece);
    input.remove_prefix(chunk.size());
    for (const char byte : chunk) {
      const LineStep step = reader.feed(byte, repeater);
      transcript.echo += step.echo();
      switch (step.action) {
        case LineAction::none:
          break;
        case LineAction::execute:
          transcript.events.push_back("execute:" + std::string(reader.line()));
          break;
        case LineAction::repeat:
          transcript.events.push_back("repeat:" + std::string(reader.previous()));
          break;
        case LineAction::discarded:
          transcript.events.push_back("discarded");
          break;
      }
    }
  }
  transcript.in_line = reader.in_line();
  return transcript;
}

// Runs the input on fresh readers whole, in 1-byte and in 8-byte pieces; all must agree.
Transcript run(std::string_view input, char repeater = '!') {
  LineReader whole_reader;
  const Transcript whole = feed(whole_reader, input, 0, repeater);
  LineReader byte_reader;
  EXPECT_EQ(feed(byte_reader, input, 1, repeater), whole) << "1-byte pieces differ";
  LineReader eight_reader;
  EXPECT_EQ(feed(eight_reader, input, 8, repeater), whole) << "8-byte pieces differ";
  return whole;
}

using Events = std::vector<std::string>;

TEST(LineReaderTest, ExecutesALineEndedByCarriageReturn) {
  const Transcript result = run("AT\r");
  EXPECT_EQ(result.echo, "AT\r\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, KeepsTheCaseOfTheLine) {
  const Transcript result = run("at+s.sts=wifi_state\r");
  EXPECT_EQ(result.echo, "at+s.sts=wifi_state\r\n");
  EXPECT_EQ(result.events, Events{"execute:at+s.sts=wifi_state"});
}

TEST(LineReaderTest, ExecutesSeveralLinesInOneChunk) {
  const Transcript result = run("AT\rAT+S.SCFG=console_echo,0\rAT+S.WCFG\r");
  EXPECT_EQ(result.echo, "AT\r\nAT+S.SCFG=console_echo,0\r\nAT+S.WCFG\r\n");
  EXPECT_EQ(result.events,
            (Events{"execute:AT", "execute:AT+S.SCFG=console_echo,0", "execute:AT+S.WCFG"}));
}

TEST(LineReaderTest, CrLfExecutesOnceAndEchoesTheLfAfterwards) {
  const Transcript result = run("AT\r\nAT\r\n");
  EXPECT_EQ(result.echo, "AT\r\n\nAT\r\n\n");
  EXPECT_EQ(result.events, (Events{"execute:AT", "execute:AT"}));
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, LfCrExecutesOnceWithoutEchoingTheLf) {
  const Transcript result = run("AT\n\rAT\n\r");
  EXPECT_EQ(result.echo, "AT\r\nAT\r\n");
  EXPECT_EQ(result.events, (Events{"execute:AT", "execute:AT"}));
}

TEST(LineReaderTest, LfAloneNeverExecutes) {
  const Transcript result = run("AT\n");
  EXPECT_EQ(result.echo, "AT");
  EXPECT_TRUE(result.events.empty());
  EXPECT_TRUE(result.in_line);
}

TEST(LineReaderTest, StrayLfBeforeACommandIsEchoedAndDiscarded) {
  const Transcript result = run("\n\nAT\r");
  EXPECT_EQ(result.echo, "\n\nAT\r\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
}

TEST(LineReaderTest, StrayLfAfterACommandIsEchoedAndDiscarded) {
  const Transcript result = run("AT\r\n\n\n");
  EXPECT_EQ(result.echo, "AT\r\n\n\n\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, StrayByteBeforeAtDropsTheLine) {
  const Transcript result = run("XAT\r");
  EXPECT_EQ(result.echo, "XAT\r\n");
  EXPECT_TRUE(result.events.empty());
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, StrayCrSwallowsTheNextCommandButNotTheOneAfter) {
  // The CR lands at pos 0 and is stored; the 'A' then falls at pos 1 and resets the line.
  const Transcript result = run("\rAT\rAT\r");
  EXPECT_EQ(result.echo, "\r\nAT\r\nAT\r\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
}

TEST(LineReaderTest, OnlyTheSecondCharacterIsChecked) {
  const Transcript result = run("xT+S.FOO\r");
  EXPECT_EQ(result.echo, "xT+S.FOO\r\n");
  EXPECT_EQ(result.events, Events{"execute:xT+S.FOO"});
}

TEST(LineReaderTest, CarriageReturnAtPosOneResetsTheLine) {
  const Transcript result = run("A\rAT\r");
  EXPECT_EQ(result.echo, "A\r\nAT\r\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
}

TEST(LineReaderTest, LfAtPosOneResetsTheLineAndIsEchoed) {
  const Transcript result = run("A\nAT\r");
  EXPECT_EQ(result.echo, "A\nAT\r\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
}

TEST(LineReaderTest, BackspaceDeletesTheLastCharacter) {
  const Transcript result = run("ATX\bI\r");
  EXPECT_EQ(result.echo, "ATX\b \bI\r\n");
  EXPECT_EQ(result.events, Events{"execute:ATI"});
}

TEST(LineReaderTest, BackspaceOverTheTLeavesPosOne) {
  // BS at pos 2 deletes the 'T'; the pos-1 rule then applies to the next byte again.
  const Transcript retyped = run("AT\bt+S.STS\r");
  EXPECT_EQ(retyped.echo, "AT\b \bt+S.STS\r\n");
  EXPECT_EQ(retyped.events, Events{"execute:At+S.STS"});

  const Transcript reset = run("AT\bXAT\r");
  EXPECT_EQ(reset.echo, "AT\b \bXAT\r\n");
  EXPECT_EQ(reset.events, Events{"execute:AT"});  // 'X' reset the line, "AT" started anew
}

TEST(LineReaderTest, BackspaceAtPosOneAndZeroIsAnOrdinaryByte) {
  // At pos 1 a BS resets the line; at pos 0 it is stored, so the following 'A' is lost.
  const Transcript result = run("A\b\bAT\rAT\r");
  EXPECT_EQ(result.echo, "A\b\bAT\r\nAT\r\n");
  EXPECT_EQ(result.events, Events{"execute:AT"});
}

TEST(LineReaderTest, NulAndHighBytesAreOrdinaryCharacters) {
  using namespace std::string_literals;
  const std::string input = "AT+S.\x00\xff\x80x\r"s;
  const Transcript result = run(input);
  EXPECT_EQ(result.echo, "AT+S.\x00\xff\x80x\r\n"s);
  EXPECT_EQ(result.events, Events{"execute:AT+S.\x00\xff\x80x"s});
}

TEST(LineReaderTest, NulOrHighByteAtPosZeroIsStored) {
  using namespace std::string_literals;
  const Transcript nul = run("\x00T\r"s);
  EXPECT_EQ(nul.echo, "\x00T\r\n"s);
  EXPECT_EQ(nul.events, Events{"execute:\x00T"s});

  const std::string high_byte = "\xff";
  const Transcript high = run(high_byte + "AT\r");
  EXPECT_EQ(high.echo, high_byte + "AT\r\n");
  EXPECT_TRUE(high.events.empty());
}

TEST(LineReaderTest, RepeaterBeforeAnyCommandOnlyEchoes) {
  const Transcript result = run("!");
  EXPECT_EQ(result.echo, "!");
  EXPECT_TRUE(result.events.empty());
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, RepeaterAtPosZeroRepeatsThePreviousLine) {
  const Transcript result = run("AT+S.STS=wifi_state\r!!");
  EXPECT_EQ(result.echo, "AT+S.STS=wifi_state\r\n!!");
  EXPECT_EQ(result.events, (Events{"execute:AT+S.STS=wifi_state", "repeat:AT+S.STS=wifi_state",
                                   "repeat:AT+S.STS=wifi_state"}));
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, RepeatMakesThePreviousLineAvailableAsLine) {
  LineReader reader;
  for (const char byte : std::string_view("AT+S.RANDOM\r")) reader.feed(byte, '!');
  const LineStep step = reader.feed('!', '!');
  EXPECT_EQ(step.action, LineAction::repeat);
  EXPECT_EQ(reader.line(), "AT+S.RANDOM");
  EXPECT_EQ(reader.previous(), "AT+S.RANDOM");
}

TEST(LineReaderTest, RepeaterInsideALineIsAnOrdinaryCharacter) {
  const Transcript result = run("AT\rAT+S.SCFG=wifi_ssid,hi!\r");
  EXPECT_EQ(result.echo, "AT\r\nAT+S.SCFG=wifi_ssid,hi!\r\n");
  EXPECT_EQ(result.events, (Events{"execute:AT", "execute:AT+S.SCFG=wifi_ssid,hi!"}));
}

TEST(LineReaderTest, RepeaterAtPosOneResetsTheLine) {
  const Transcript result = run("AT\rA!");
  EXPECT_EQ(result.echo, "AT\r\nA!");
  EXPECT_EQ(result.events, Events{"execute:AT"});
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, RepeaterFollowsConsoleRepeater) {
  const Transcript result = run("AT\r!#", '#');
  EXPECT_EQ(result.echo, "AT\r\n!#");
  // '!' is now an ordinary byte stored at pos 0; '#' at pos 1 resets that line.
  EXPECT_EQ(result.events, Events{"execute:AT"});

  const Transcript repeated = run("AT\r#", '#');
  EXPECT_EQ(repeated.events, (Events{"execute:AT", "repeat:AT"}));
}

TEST(LineReaderTest, PreviousIsTheLastExecutedLine) {
  LineReader reader;
  EXPECT_TRUE(reader.previous().empty());
  for (const char byte : std::string_view("AT+S.STS\rAT+S.GCFG\rXX")) reader.feed(byte, '!');
  EXPECT_EQ(reader.previous(), "AT+S.GCFG");
}

TEST(LineReaderTest, ExecutesALineOf511Characters) {
  const std::string line = "AT" + std::string(509, 'x');
  const Transcript result = run(line + "\r");
  EXPECT_EQ(result.echo, line + "\r\n");
  EXPECT_EQ(result.events, Events{"execute:" + line});
}

TEST(LineReaderTest, DiscardsTheLineAtThe512thCharacter) {
  const std::string line = "AT" + std::string(510, 'x');
  const Transcript result = run(line);
  EXPECT_EQ(result.echo, line);  // the 512th byte is still echoed
  EXPECT_EQ(result.events, Events{"discarded"});
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, RemainderOfAnOverlongLineIsNotACommand) {
  // The tail after the discard starts at pos 0 and, not beginning with "AT", is dropped too;
  // the "=1" after the 512th character must not complete a command either.
  const std::string line = "AT" + std::string(510, 'x') + "=1";
  const Transcript result = run(line + "\r\n");
  EXPECT_EQ(result.echo, line + "\r\n\n");
  EXPECT_EQ(result.events, Events{"discarded"});
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, ExecutesTheNextCrLfLineAfterADiscard) {
  const std::string line = "AT+S.SCFG=wifi_ssid," + std::string(600, 'y') + "+S.FOO";
  const Transcript result = run(line + "\r\nAT\r\n");
  EXPECT_EQ(result.echo, line + "\r\n\nAT\r\n\n");
  EXPECT_EQ(result.events, (Events{"discarded", "execute:AT"}));
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, CrOnlyTailOfADiscardedLineCanSwallowTheNextCommand) {
  // After the discard ten 'x' leave pos 0, so the CR is stored there and the next "AT" is lost
  // (spec §2.2: a CR at pos 0 swallows the following 'A'); the command after that runs.
  const std::string overlong = "AT" + std::string(520, 'x');
  const Transcript result = run(overlong + "\rAT\rAT\r");
  EXPECT_EQ(result.events, (Events{"discarded", "execute:AT"}));
  EXPECT_FALSE(result.in_line);
}

TEST(LineReaderTest, BackspaceKeepsALongLineUnderTheLimit) {
  // 511 characters typed, one deleted, one more typed: still 511 stored, so it executes.
  const std::string line = "AT" + std::string(509, 'x');
  const Transcript result = run(line + "\bz\r");
  EXPECT_EQ(result.events, Events{"execute:" + line.substr(0, 510) + "z"});
}

TEST(LineReaderTest, ClearForgetsThePartialLineButKeepsPrevious) {
  LineReader reader;
  for (const char byte : std::string_view("AT\rAT+S.PART")) reader.feed(byte, '!');
  EXPECT_TRUE(reader.in_line());
  reader.clear();
  EXPECT_FALSE(reader.in_line());
  EXPECT_EQ(reader.previous(), "AT");
  EXPECT_EQ(reader.feed('!', '!').action, LineAction::repeat);
}

TEST(LineReaderTest, InLineFromTheFirstStoredByte) {
  LineReader reader;
  EXPECT_FALSE(reader.in_line());
  reader.feed('A', '!');
  EXPECT_TRUE(reader.in_line());
  reader.feed('T', '!');
  EXPECT_TRUE(reader.in_line());
  reader.feed('\r', '!');
  EXPECT_FALSE(reader.in_line());
}

}  // namespace
}  // namespace spwf::atcmd
