#include "tests/integration/Transcript.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <utility>

namespace spwf::testing::transcript {
namespace {

struct PlaceholderName {
  std::string_view name;
  Placeholder placeholder;
};
constexpr PlaceholderName placeholder_names[] = {
    {"n", Placeholder::number}, {"hex", Placeholder::hex}, {"ip", Placeholder::ip},
    {"mac", Placeholder::mac},  {"*", Placeholder::line},  {"body", Placeholder::body},
};

bool is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}
bool is_hex(char ch, bool upper_only) {
  return is_digit(ch) || (ch >= 'A' && ch <= 'F') || (!upper_only && ch >= 'a' && ch <= 'f');
}

// Whether `ch` may stand at position `index` of what `placeholder` covers.
bool allowed(Placeholder placeholder, std::size_t index, char ch) {
  switch (placeholder) {
    case Placeholder::number:
      return is_digit(ch);
    case Placeholder::hex:
      return is_hex(ch, false) || ch == ':';
    case Placeholder::ip:
      return is_digit(ch) || ch == '.';
    case Placeholder::mac:
      return index % 3 == 2 ? ch == ':' : is_hex(ch, true);
    case Placeholder::line:
      return ch != '\r' && ch != '\n';
    case Placeholder::body:
      return true;
  }
  return false;
}

// Shortest and longest text a placeholder covers.
std::pair<std::size_t, std::size_t> length_range(Placeholder placeholder) {
  constexpr std::size_t unlimited = static_cast<std::size_t>(-1);
  switch (placeholder) {
    case Placeholder::ip:
      return {7, 15};
    case Placeholder::mac:
      return {17, 17};
    case Placeholder::line:
    case Placeholder::body:
      return {0, unlimited};
    default:
      return {1, unlimited};
  }
}

// Completes a placeholder's check once its length is chosen (an {ip} needs four numbers).
bool complete(Placeholder placeholder, std::string_view text) {
  if (placeholder != Placeholder::ip) return true;
  return std::count(text.begin(), text.end(), '.') == 3 && text.front() != '.' &&
         text.back() != '.' && text.find("..") == std::string_view::npos;
}

Match match_from(const std::vector<Token>& tokens, std::size_t index, std::string_view text) {
  if (index == tokens.size()) return text.empty() ? Match::full : Match::mismatch;
  const Token& token = tokens[index];
  if (!token.placeholder) {
    const std::string_view literal = token.literal;
    if (text.size() < literal.size()) {
      return literal.substr(0, text.size()) == text ? Match::partial : Match::mismatch;
    }
    if (text.substr(0, literal.size()) != literal) return Match::mismatch;
    return match_from(tokens, index + 1, text.substr(literal.size()));
  }
  const Placeholder placeholder = *token.placeholder;
  const auto [shortest, longest] = length_range(placeholder);
  bool partial = false;
  std::size_t length = 0;
  for (;; ++length) {
    if (length >= shortest && complete(placeholder, text.substr(0, length))) {
      const Match rest = match_from(tokens, index + 1, text.substr(length));
      if (rest == Match::full) return Match::full;
      partial = partial || rest == Match::partial;
    }
    if (length == longest) break;
    if (length == text.size()) return Match::partial;  // the placeholder may still grow
    if (!allowed(placeholder, length, text[length])) break;
  }
  return partial ? Match::partial : Match::mismatch;
}

// Splits a module line into literal and placeholder tokens; "{{" is a literal '{'.
bool tokenize(std::string_view line, std::vector<Token>& tokens, std::string& error) {
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) tokens.push_back({std::exchange(literal, {}), std::nullopt});
  };
  for (std::size_t index = 0; index < line.size(); ++index) {
    if (line[index] != '{') {
      literal += line[index];
      continue;
    }
    if (index + 1 < line.size() && line[index + 1] == '{') {
      literal += '{';
      ++index;
      continue;
    }
    const std::size_t end = line.find('}', index);
    const std::string_view name = end == std::string_view::npos
                                      ? line.substr(index)
                                      : line.substr(index + 1, end - index - 1);
    const auto* found = std::find_if(std::begin(placeholder_names), std::end(placeholder_names),
                                     [&](const auto& entry) { return entry.name == name; });
    if (end == std::string_view::npos || found == std::end(placeholder_names)) {
      error = "unknown placeholder {" + std::string{name} + "} (write {{ for a literal {)";
      return false;
    }
    flush();
    tokens.push_back({{}, found->placeholder});
    index = end;
  }
  literal += "\r\n";
  flush();
  return true;
}

std::vector<std::string> words(std::string_view text) {
  std::istringstream in{std::string{text}};
  std::vector<std::string> result;
  for (std::string word; in >> word;) result.push_back(word);
  return result;
}

// Reads a directive ("@name arguments") into the transcript.
bool directive(std::string_view line, Transcript& transcript, bool& echo, std::string& error) {
  const auto parts = words(line.substr(1));
  if (parts.empty()) return error = "empty directive", false;
  const std::string& name = parts[0];
  if (name == "source") {
    transcript.source = std::string{line.substr(std::min(line.size(), std::size_t{8}))};
  } else if (name == "echo" && parts.size() == 2 && (parts[1] == "on" || parts[1] == "off")) {
    echo = parts[1] == "on";
  } else if (name == "https" && parts.size() == 4) {
    transcript.peers.push_back({Peer::Kind::https, parts[1], 443, parts[2], parts[3]});
  } else if (name == "refused" && parts.size() == 3) {
    unsigned port = 0;
    const auto [end, failure] =
        std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), port);
    if (failure != std::errc{} || port == 0 || port > 65535) return error = "bad port", false;
    transcript.peers.push_back(
        {Peer::Kind::refused, parts[1], static_cast<std::uint16_t>(port), {}, {}});
  } else if (name == "skip" && parts.size() >= 2) {
    transcript.skip = std::string{line.substr(std::min(line.size(), std::size_t{6}))};
  } else if (name == "certificates" && parts.size() == 2) {
    transcript.certificate_options.push_back(parts[1]);
  } else {
    return error = "unknown or malformed directive @" + name, false;
  }
  return true;
}

// The bytes of "+ text ...": C escapes \r, \n, \t and \\ stand for those bytes.
std::string unescape(std::string_view text) {
  std::string bytes;
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] != '\\' || index + 1 == text.size()) {
      bytes += text[index];
      continue;
    }
    const char next = text[++index];
    bytes += next == 'r' ? '\r' : next == 'n' ? '\n' : next == 't' ? '\t' : next;
  }
  return bytes;
}

// Reads a "+ file NAME", "+ fill COUNT CHAR" or "+ text BYTES" payload line.
bool payload(std::string_view line, Step& step, std::string& error) {
  if (line.starts_with("+ text ")) {
    step.inputs.push_back({HostInput::Kind::text, unescape(line.substr(7)), 0, 'x'});
    return true;
  }
  const auto parts = words(line.substr(1));
  if (parts.size() == 2 && parts[0] == "file") {
    step.inputs.push_back({HostInput::Kind::file, parts[1], 0, 'x'});
    return true;
  }
  if (parts.size() == 3 && parts[0] == "fill" && parts[2].size() == 1) {
    std::size_t count = 0;
    const auto [end, failure] =
        std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), count);
    if (failure == std::errc{} && count > 0) {
      step.inputs.push_back({HostInput::Kind::fill, {}, count, parts[2][0]});
      return true;
    }
  }
  error = "a payload line is \"+ file NAME\", \"+ fill COUNT CHAR\" or \"+ text BYTES\"";
  return false;
}

}  // namespace

std::optional<Transcript> parse(std::string_view text, std::string& error) {
  Transcript transcript;
  transcript.steps.emplace_back();  // what the module says before the host's first line
  bool echo = true;
  bool payload_allowed = false;  // right after a host line or its payload lines
  std::size_t number = 0;
  auto fail = [&](const std::string& why) {
    error = "line " + std::to_string(number) + ": " + why;
    return std::nullopt;
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    Step& step = transcript.steps.back();
    std::string why;
    if (line.front() == '@') {
      if (!directive(line, transcript, echo, why)) return fail(why);
    } else if (line.starts_with("> ") || line == ">") {
      Step next;
      next.line_number = number;
      const std::string command{line.substr(std::min(line.size(), std::size_t{2}))};
      next.inputs.push_back({HostInput::Kind::line, command, 0, 'x'});
      if (echo) {
        next.expected.push_back({command + "\r\n", std::nullopt});
        next.expected_text = command + "\n";
      }
      transcript.steps.push_back(std::move(next));
      payload_allowed = true;
    } else if (line.starts_with("+ ")) {
      if (!payload_allowed) return fail("a payload line must follow a host line");
      if (!payload(line, step, why)) return fail(why);
    } else if (line.starts_with("< ") || line == "<") {
      payload_allowed = false;
      const std::string_view content = line.substr(std::min(line.size(), std::size_t{2}));
      if (!tokenize(content, step.expected, why)) return fail(why);
      step.expected_text += std::string{content} + "\n";
    } else {
      return fail("a line starts with '#', '@', '>', '+' or '<'");
    }
  }
  transcript.echo_at_end = echo;
  return transcript;
}

Match match(const std::vector<Token>& expected, std::string_view received) {
  return match_from(expected, 0, received);
}

std::string visible(std::string_view bytes) {
  std::string out;
  for (const char ch : bytes) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\n') {
      out += "\\n\n";
    } else if (byte < 0x20 || byte >= 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace spwf::testing::transcript
