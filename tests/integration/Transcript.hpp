#pragma once
// A real module log as a test: the plain-text transcript format of tests/transcripts/*.txt
// (described in tests/transcripts/README.md) and the matcher that compares the module's bytes
// with the expected lines, placeholders included. Pure: text in, steps and verdicts out.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spwf::testing::transcript {

/// What a placeholder in a module line stands for.
enum class Placeholder {
  number,  ///< {n}: one or more decimal digits
  hex,     ///< {hex}: hex digits and ':' (key identifiers)
  ip,      ///< {ip}: a dotted IPv4 address
  mac,     ///< {mac}: six upper-case hex bytes separated by ':'
  line,    ///< {*}: any text inside one line (no CR or LF), possibly empty
  body,    ///< {body}: any bytes, across lines, possibly empty (server data)
};

/// One piece of expected module output: literal bytes or a placeholder.
struct Token {
  std::string literal;                     ///< used when `placeholder` is empty
  std::optional<Placeholder> placeholder;  ///< set for a placeholder
};

/// What the host sends in one step.
struct HostInput {
  enum class Kind { line, file, fill, text } kind = Kind::line;
  std::string text;       ///< line: the command (CR added); file: the file name; text: bytes
  std::size_t count = 0;  ///< fill: how many bytes
  char fill = 'x';        ///< fill: which byte
};

/// One step: the host's input, then the module bytes expected before the next input.
struct Step {
  std::size_t line_number = 0;  ///< of the step's first host line (0: the boot step)
  std::vector<HostInput> inputs;
  std::vector<Token> expected;
  std::string expected_text;  ///< the expected output as written, for messages
};

/// A peer the runner provides.
struct Peer {
  enum class Kind { https, refused } kind = Kind::https;
  std::string name;         ///< the host name the module uses
  std::uint16_t port = 0;   ///< refused: the port the module uses (https: 443)
  std::string certificate;  ///< https: chain file made by scripts/make-test-certs.sh
  std::string key;          ///< https: key file
};

/// A parsed transcript file.
struct Transcript {
  std::string source;  ///< @source: where the log comes from
  std::string skip;    ///< @skip: why the log cannot pass yet (a known emulator bug); empty: runs
  std::vector<Peer> peers;
  std::vector<std::string> certificate_options;  ///< @certificates: extra script options
  std::vector<Step> steps;                       ///< steps[0] is what the module says first
  bool echo_at_end = true;                       ///< echo state after the last step
};

/// Parses a transcript whose {size:FILE} references are already expanded. On a syntax error
/// returns nullopt and sets `error` to "line N: why".
std::optional<Transcript> parse(std::string_view text, std::string& error);

/// Replaces every {size:FILE} by the byte count `size_of(FILE)` gives.
template <typename SizeOf>
std::string expand_sizes(std::string text, SizeOf size_of) {
  std::size_t start = 0;
  while ((start = text.find("{size:", start)) != std::string::npos) {
    const std::size_t end = text.find('}', start);
    if (end == std::string::npos) break;
    const std::string size = std::to_string(size_of(text.substr(start + 6, end - start - 6)));
    text.replace(start, end - start + 1, size);
    start += size.size();
  }
  return text;
}

/// How far received bytes match the expected tokens.
enum class Match { full, partial, mismatch };
/// Compares `received` with `expected`: full when they match exactly, partial when `received`
/// can still grow into a match, mismatch otherwise.
Match match(const std::vector<Token>& expected, std::string_view received);

/// Bytes made visible for messages (\r, \n and control bytes escaped).
std::string visible(std::string_view bytes);

}  // namespace spwf::testing::transcript
