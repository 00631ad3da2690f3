#pragma once
// The SMTP server's replies (RFC 5321 §4.2), parsed from raw bytes without any I/O so that the
// parser can be tested and fuzzed alone. A reply is one or more lines "<code>-<text>" ending with
// "<code> <text>" (or just "<code>"), all with the same three-digit code. Lines end with LF (a CR
// before it is dropped). Bounds: a line longer than limits::smtp_reply_line, a reply of more than
// limits::smtp_reply_lines lines or more than limits::smtp_queued_replies replies not yet taken
// make the reader fail; it then takes nothing more.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spwf::net {

/// One complete reply.
struct SmtpReply {
  unsigned code = 0;               ///< 200..599
  std::vector<std::string> lines;  ///< the text after "<code>-" / "<code> " of each line
};

/// What EHLO's reply announces (RFC 5321 §4.1.1.1; the keywords are case-insensitive).
struct SmtpExtensions {
  bool starttls = false;
  bool auth_plain = false;
  bool auth_login = false;
  bool auth_offered = false;  ///< an AUTH keyword with any mechanism
};

/// Reads the extensions from the lines of a 250 reply to EHLO (the first line is the greeting).
SmtpExtensions parse_extensions(const SmtpReply& reply);

/// Splits bytes into replies.
class SmtpReplyReader {
 public:
  /// Takes more bytes; false once the input is malformed or over a bound (see failure()).
  bool feed(std::string_view bytes);
  /// The oldest complete reply not yet taken.
  std::optional<SmtpReply> next();
  /// True when a complete reply is waiting.
  bool has_reply() const { return !m_replies.empty(); }
  /// True when bytes or replies are waiting (after STARTTLS's 220 nothing may be: RFC 3207 §5).
  bool has_unread() const { return !m_line.empty() || !m_replies.empty() || !m_current.empty(); }
  /// Why feed() failed ("" while it has not).
  const std::string& failure() const { return m_failure; }

 private:
  bool take_line(std::string_view line);
  bool fail(std::string text);

  std::string m_line;                  ///< the unfinished line
  std::vector<std::string> m_current;  ///< lines of the unfinished multi-line reply
  unsigned m_current_code = 0;
  std::deque<SmtpReply> m_replies;
  std::string m_failure;
};

}  // namespace spwf::net
