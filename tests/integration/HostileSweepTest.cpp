// Every command of the command table (atcmd/CommandTable.cpp), each with the same hostile
// argument shapes, over the real pty: each line gets exactly one final line, AT-S.OK or one of
// the module's own errors with its own text (never 91/111, the answers of a handler that failed
// unexpectedly), and a following AT still answers. The sweep counts the names it covered against
// the table, so a new command cannot be left out silently.
//   AT+S.SOCKW                                        -> AT-S.ERROR:2:Missing argument(s)
//   AT+S.SOCKW=,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,, -> AT-S.ERROR:6:Too many argument(s)
//   AT+S.FSC=<300 x A>                                -> AT-S.ERROR:2:Missing argument(s)
//   AT+S.SOCKON=-1,-1,-1,-1                           -> AT-S.ERROR:… (the module's own)
//   AT+S.FSC=4294967296,4294967296                    -> AT-S.ERROR:32:Argument exceeds allowed
//   size AT+S.GCFG=\x01\x1f\x00\x7f                          -> AT-S.ERROR:4:Variable not found
//   (each followed by) AT                             -> AT-S.OK

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atcmd/CommandTable.hpp"
#include "atcmd/Wire.hpp"
#include "tests/integration/ConsoleFixture.hpp"

namespace spwf::testing {
namespace {

using namespace std::string_literals;

class HostileSweepTest : public ConsoleFixture {};

/// The fields a command's syntax string shows before its payload (at least one).
std::size_t field_count(std::string_view syntax) {
  const auto payload = syntax.find("<CR>");
  const std::string_view fields = syntax.substr(0, payload);
  std::size_t count = 1;
  for (char c : fields) count += c == ',' ? 1 : 0;
  return count;
}

std::string repeat_field(std::string_view value, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += (i == 0 ? "" : ",") + std::string(value);
  return text;
}

/// The hostile argument parts sent after a command's name.
std::vector<std::string> hostile_arguments(const atcmd::CommandSpec& command) {
  const std::size_t fields = field_count(command.syntax);
  std::vector<std::string> arguments{"", "=", "=" + std::string(40, ','),
                                     "=" + std::string(300, 'A')};
  std::vector<std::string> values{"-1", "abc", "\x01\x1f\x00\x7f"s, "\x80\xff", "\"a,b\""};
  // CMDREQ and BYPASS take a payload of any length (spec §3.2): a huge one is waited for.
  if (!command.syntax.starts_with("=<length><CR>")) {
    values.insert(values.end(), {"4294967296", "18446744073709551616"});
  }
  for (const std::string& value : values) arguments.push_back("=" + repeat_field(value, fields));
  return arguments;
}

/// The last line of an answer, without its CR LF.
std::string final_line(std::string answer) {
  if (answer.ends_with("\r\n")) answer.resize(answer.size() - 2);
  const auto start = answer.rfind("\r\n");
  return start == std::string::npos ? answer : answer.substr(start + 2);
}

/// AT-S.OK, or AT-S.ERROR:<n>:<the module's text for n>, n not an "unexpected failure" code.
void expect_module_answer(const std::string& line, const std::string& answer) {
  const std::string last = final_line(answer);
  if (last == "AT-S.OK") return;
  const std::string prefix = "AT-S.ERROR:";
  ASSERT_TRUE(last.starts_with(prefix)) << line << " -> " << answer;
  const auto colon = last.find(':', prefix.size());
  ASSERT_NE(colon, std::string::npos) << line << " -> " << last;
  const int number = std::stoi(last.substr(prefix.size(), colon - prefix.size()));
  const auto error = static_cast<atcmd::AtError>(number);
  EXPECT_EQ(last.substr(colon + 1), atcmd::error_text(error)) << line;
  EXPECT_NE(error, atcmd::AtError::low_memory) << line;
  EXPECT_NE(error, atcmd::AtError::request_failed) << line;
}

TEST_F(HostileSweepTest, EveryCommandAnswersHostileArgumentsWithItsOwnErrors) {
  start({"--no-host-dns"});
  std::set<std::string> covered;
  for (const atcmd::CommandSpec& command : atcmd::command_table()) {
    for (const std::string& argument : hostile_arguments(command)) {
      const std::string line = std::string(command.name) + argument;
      expect_module_answer(line, host().command(line));
      const std::string alive = host().command("AT");
      ASSERT_TRUE(alive.ends_with("AT-S.OK\r\n")) << "after " << line << ": " << alive;
    }
    covered.insert(std::string(command.name));
  }
  EXPECT_EQ(covered.size(), atcmd::command_table().size());
  EXPECT_EQ(covered.size(), 75u);
}

}  // namespace
}  // namespace spwf::testing
