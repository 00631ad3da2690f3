#include "netstack/SmtpReplyReader.hpp"

#include <algorithm>
#include <cctype>

#include "support/Limits.hpp"

namespace spwf::net {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string upper(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The words of a line, split on spaces.
std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < line.size()) {
    const std::size_t end = std::min(line.find(' ', start), line.size());
    if (end > start) out.push_back(upper(line.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

}  // namespace

SmtpExtensions parse_extensions(const SmtpReply& reply) {
  SmtpExtensions extensions;
  for (std::size_t index = 1; index < reply.lines.size(); ++index) {
    auto items = words(reply.lines[index]);
    if (items.empty()) continue;
    if (items[0] == "STARTTLS") extensions.starttls = true;
    // "AUTH=PLAIN LOGIN" is the form of servers written before RFC 4954.
    if (items[0] == "AUTH" || items[0].rfind("AUTH=", 0) == 0) {
      extensions.auth_offered = true;
      if (items[0].size() > 5) items[0] = items[0].substr(5);
      for (const auto& mechanism : items) {
        if (mechanism == "PLAIN") extensions.auth_plain = true;
        if (mechanism == "LOGIN") extensions.auth_login = true;
      }
    }
  }
  return extensions;
}

bool SmtpReplyReader::fail(std::string text) {
  m_failure = std::move(text);
  m_line.clear();
  return false;
}

bool SmtpReplyReader::feed(std::string_view bytes) {
  if (!m_failure.empty()) return false;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    const std::size_t take = end == std::string_view::npos ? bytes.size() : end;
    if (m_line.size() + take + 1 > limits::smtp_reply_line) {
      return fail("reply line longer than " + std::to_string(limits::smtp_reply_line));
    }
    m_line.append(bytes.substr(0, take));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
    std::string line = std::move(m_line);
    m_line.clear();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!take_line(line)) return false;
  }
  return true;
}

bool SmtpReplyReader::take_line(std::string_view line) {
  // Reply-code = %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2).
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
      !is_digit(line[2])) {
    return fail("malformed reply line");
  }
  const bool last = line.size() == 3 || line[3] == ' ';
  if (!last && line[3] != '-') return fail("malformed reply line");
  const auto code =
      static_cast<unsigned>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (!m_current.empty() && code != m_current_code) return fail("reply code changed mid-reply");
  if (m_current.size() >= limits::smtp_reply_lines) return fail("reply has too many lines");
  m_current_code = code;
  m_current.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view{});
  if (!last) return true;
  if (m_replies.size() >= limits::smtp_queued_replies) return fail("too many unread replies");
  m_replies.push_back({code, std::move(m_current)});
  m_current.clear();
  return true;
}

std::optional<SmtpReply> SmtpReplyReader::next() {
  if (m_replies.empty()) return std::nullopt;
  SmtpReply reply = std::move(m_replies.front());
  m_replies.pop_front();
  return reply;
}

}  // namespace spwf::net
