// libFuzzer target for the console's input path: arbitrary host bytes go through the line editor
// (LineReader), and every line it executes or repeats goes through parse_command_line and the
// Arguments conversions, as the Session does. Checks the invariants the rest of the emulator
// relies on (spec §2.2, §2.4) on top of ASan/UBSan's memory and UB checks.
//
// Input layout: the first two bytes choose console_repeater and console_delimiter for a second
// pass over the whole input; the first pass uses the factory values '!' and ','.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "atcmd/Arguments.hpp"
#include "atcmd/CommandLine.hpp"
#include "atcmd/LineReader.hpp"
#include "atcmd/Wire.hpp"

namespace {

namespace atcmd = spwf::atcmd;

// abort() rather than assert(): the check must survive NDEBUG builds.
void check(bool condition) {
  if (!condition) std::abort();
}

bool is_t(char c) {
  return c == 't' || c == 'T';
}

void check_parse(std::string_view line, char delimiter) {
  const atcmd::CommandLine parsed = atcmd::parse_command_line(line, delimiter);
  check(parsed.name.find('=') == std::string::npos);
  check(parsed.has_arguments == (line.find('=') != std::string_view::npos));
  check(parsed.has_arguments == !parsed.params.empty());

  // Re-joining the pieces gives back the line exactly: nothing trimmed, nothing lost.
  std::string joined = parsed.name;
  if (parsed.has_arguments) {
    joined += '=';
    for (std::size_t i = 0; i < parsed.params.size(); ++i) {
      if (i > 0) joined += delimiter;
      check(parsed.params[i].find(delimiter) == std::string::npos);
      joined += parsed.params[i];
    }
  }
  check(joined == line);

  const atcmd::Arguments arguments(parsed.params);
  check(arguments.count() == parsed.params.size());
  for (std::size_t i = 0; i <= arguments.count(); ++i) {
    const std::uint64_t value = arguments.number(i);
    if (arguments.is_number(i) && arguments.text(i).size() <= 19) {
      check(value == std::strtoull(std::string(arguments.text(i)).c_str(), nullptr, 10));
    }
    if (arguments.text(i).empty() || arguments.text(i).front() < '0' ||
        arguments.text(i).front() > '9') {
      check(value == 0);
    }
    const bool is_ca = arguments.is_keyword(i, "ca");
    check(is_ca == (arguments.keyword_index(i, {"ca", "cert", "key", "content"}) == 0));
  }
  const atcmd::AtError count_check = arguments.check_count(1, 3);
  check(count_check == atcmd::AtError::none || !atcmd::error_text(count_check).empty());
}

void run(const std::uint8_t* data, std::size_t size, char repeater, char delimiter) {
  atcmd::LineReader reader;
  for (std::size_t i = 0; i < size; ++i) {
    const char byte = static_cast<char>(data[i]);
    const atcmd::LineStep step = reader.feed(byte, repeater);
    check(step.echo_length <= step.echo_bytes.size());
    switch (step.action) {
      case atcmd::LineAction::execute: {
        const std::string_view line = reader.line();
        check(byte == '\r');
        check(step.echo() == "\r\n");
        check(line.size() >= 2 && line.size() < atcmd::LineReader::capacity);
        check(is_t(line[1]));  // only the second character is checked (§2.2)
        check(line.find('\n') == std::string_view::npos);
        check(line.find('\r', 1) == std::string_view::npos);
        check(reader.previous() == line);
        check(!reader.in_line());
        check_parse(line, delimiter);
        break;
      }
      case atcmd::LineAction::repeat:
        check(byte == repeater);
        check(!reader.previous().empty());
        check(reader.line() == reader.previous());
        check_parse(reader.previous(), delimiter);
        break;
      case atcmd::LineAction::discarded:
        check(!reader.in_line());
        check(step.echo_length > 0);
        break;
      case atcmd::LineAction::none:
        break;
    }
    // An LF is never stored, so it is echoed only outside a line (pos 0) or at pos 1.
    if (byte == '\n' && step.echo_length == 0) check(reader.in_line());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  run(data, size, '!', ',');
  if (size >= 2) run(data, size, static_cast<char>(data[0]), static_cast<char>(data[1]));
  return 0;
}
