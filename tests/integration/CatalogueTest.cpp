// Every command the emulator lists in AT+S.HELP, with hostile arguments (issue 10): none, an
// empty '=', and 1 to (fields + 1) fields all set to one of "", "abc", "-1", 2^31, 2^64, 1e99.
// Each line must end in one final line of the module's form, and the console must still answer:
//   AT+S.SOCKW=18446744073709551616,18446744073709551616 -> AT-S.ERROR:76:Illegal Socket ID
//   AT                                                   -> AT-S.OK
// The emulator may only reach loopback (--allow 127.0.0.0/8), so numeric "hosts" such as
// 2147483648 (inet_aton's 128.0.0.0) never leave the machine.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

struct Listed {
  std::string name;
  std::size_t fields = 0;  ///< fields in the syntax (commas + 1), 0 without '='
};

/// The commands of an AT+S.HELP answer, with the number of fields their syntax shows.
std::vector<Listed> parse_help(const std::string& answer) {
  std::vector<Listed> commands;
  const std::regex line{"AT-S\\.Command:(AT[^=\\[ ]*)([^\r]*?) -- [^\r]*\r\n"};
  for (auto it = std::sregex_iterator(answer.begin(), answer.end(), line);
       it != std::sregex_iterator(); ++it) {
    const std::string syntax = (*it)[2];
    std::size_t fields = 0;
    if (!syntax.empty())
      fields = 1 + static_cast<std::size_t>(std::count(syntax.begin(), syntax.end(), ','));
    commands.push_back({(*it)[1], fields});
  }
  return commands;
}

/// The argument parts to try for a command with `fields` fields.
std::vector<std::string> hostile_arguments(std::size_t fields) {
  static const std::vector<std::string> values = {
      "", "abc", "-1", "2147483648", "18446744073709551616", "1e99"};
  std::vector<std::string> parts = {"", "="};
  for (std::size_t count = 1; count <= fields + 1; ++count) {
    for (const std::string& value : values) {
      std::string part = "=" + value;
      for (std::size_t i = 1; i < count; ++i) part += "," + value;
      parts.push_back(part);
    }
  }
  return parts;
}

/// Commands that may read `<length>` payload bytes after the CR with these arguments (their
/// other checks pass): the test sends the bytes they announce, or skips lengths too large to
/// send (PayloadTest covers those). The map gives the field count and the length's position.
std::optional<std::uint64_t> consumed_payload(const std::string& name, const std::string& part) {
  static const std::map<std::string, std::pair<std::size_t, std::size_t>> payload_commands = {
      {"AT+S.CMDREQ", {1, 0}},
      {"AT+S.BYPASS", {1, 0}},
      {"AT+S.FSC", {2, 1}},
      {"AT+S.SMTP", {13, 12}},
      {"AT+S.INPUTSSI", {1, 0}}};
  const auto found = payload_commands.find(name);
  if (found == payload_commands.end() || part.size() < 2) return std::nullopt;
  const auto [fields, position] = found->second;
  std::vector<std::string> values{""};
  for (const char c : part.substr(1)) {
    if (c == ',') {
      values.emplace_back();
    } else {
      values.back() += c;
    }
  }
  if (values.size() != fields) return std::nullopt;
  std::uint64_t length = 0;
  for (const char c : values[position]) {
    if (c < '0' || c > '9') break;
    if (length > 1'000'000) return std::numeric_limits<std::uint64_t>::max();
    length = length * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return length;
}

TEST(CatalogueTest, EveryCommandAnswersHostileArgumentsAndTheConsoleLives) {
  TempDir temp;
  EmulatorProcess emulator{temp.path() / "state", {"--allow", "127.0.0.0/8"}};
  PtyHost host{emulator.pty_path()};
  host.read_until(factory_start_text());
  ASSERT_EQ(host.command("AT+S.SCFG=console_echo,0"), "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  std::vector<Listed> commands = parse_help(host.command("AT+S.HELP", 10s));
  ASSERT_GT(commands.size(), 40u);
  // The hidden commands HELP does not list (spec §3.1, the "H" column).
  const std::vector<Listed> hidden = {{"AT+S.NVW", 1},      {"AT+S.MFGTEST", 2}, {"AT+S.CMDREQ", 1},
                                      {"AT+S.BYPASS", 1},   {"AT+S.RENEW", 0},   {"AT+S.NTP", 0},
                                      {"AT+S.SELFTEST", 7}, {"AT&V", 0},         {"AT&W", 0},
                                      {"AT&F", 0}};
  commands.insert(commands.end(), hidden.begin(), hidden.end());
  std::size_t lines = 0;
  for (const Listed& command : commands) {
    for (const std::string& part : hostile_arguments(command.fields)) {
      const std::string line = command.name + part;
      const auto payload = consumed_payload(command.name, part);
      if (payload && *payload > 1'000'000) continue;
      // command() reads through the final line (AT-S.OK… or AT-S.ERROR…) or fails the test;
      // a payload command's payload follows its CR at once, and its answer is one line.
      std::string answer;
      if (payload) {
        host.send(line + "\r" + std::string(*payload, 'x'));
        answer = host.read_until("AT-S.", 20s);
        answer += host.read_until("\r\n");
      } else {
        answer = host.command(line, 20s);
      }
      ASSERT_FALSE(answer.empty()) << line;
      const std::string after = host.command("AT", 20s);
      ASSERT_TRUE(after.ends_with("AT-S.OK\r\n")) << "after " << line << ": " << after;
      // A reset or FCFG brings echo back: turn it off again so answers stay comparable.
      if (after.find("+WIND:1:Poweron") != std::string::npos || command.name == "AT+S.FCFG" ||
          answer.find("+WIND:1:Poweron") != std::string::npos) {
        host.command("AT+S.SCFG=console_echo,0");
      }
      if (std::getenv("SPWF_CATALOGUE_SHOW")) std::printf("%s -> %s", line.c_str(), answer.c_str());
      ++lines;
    }
  }
  EXPECT_GT(lines, 900u);
  EXPECT_EQ(emulator.terminate(), 0);
  // No handler failed unexpectedly (Session::run_handler logs those as errors).
  const std::string log = emulator.stderr_text();
  EXPECT_EQ(log.find("error:"), std::string::npos) << log;
  std::printf("%zu command lines sent\n", lines);
}

}  // namespace
}  // namespace spwf::testing
