#include "netstack/SmtpClient.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <utility>
#include <variant>

#include "netstack/Connector.hpp"
#include "netstack/HttpClient.hpp"  // base64_encode
#include "netstack/SmtpReplyReader.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;

std::string_view to_string(SmtpError error) {
  switch (error) {
    case SmtpError::none:
      return "mail accepted";
    case SmtpError::name_not_resolved:
      return "name not resolved";
    case SmtpError::connect_failed:
      return "connect failed";
    case SmtpError::tls_failed:
      return "TLS handshake failed";
    case SmtpError::rejected:
      return "rejected by the server";
    case SmtpError::protocol:
      return "connection or protocol failure";
    case SmtpError::timed_out:
      return "server silent for the reply timeout";
  }
  return "unknown";
}

namespace {

constexpr std::string_view crlf = "\r\n";

// A header or command field without line ends (the AT line cannot carry them; other callers
// might).
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

}  // namespace

std::string smtp_path(std::string_view address) {
  const std::size_t open = address.find('<');
  const std::size_t close = address.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    address = address.substr(open + 1, close - open - 1);
  }
  return "<" + one_line(address) + ">";
}

std::string smtp_message_data(const SmtpMail& mail) {
  std::string out = "From: " + one_line(mail.from) + "\r\nTo: " + one_line(mail.to) +
                    "\r\nSubject: " + one_line(mail.subject) + "\r\n\r\n";
  out.reserve(out.size() + mail.body.size() + mail.body.size() / 16 + 8);
  bool line_start = true;
  const std::string& body = mail.body;
  for (std::size_t index = 0; index < body.size(); ++index) {
    const char c = body[index];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && index + 1 < body.size() && body[index + 1] == '\n') ++index;
      out += crlf;
      line_start = true;
      continue;
    }
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = false;
  }
  if (!line_start) out += crlf;
  out += ".\r\n";
  return out;
}

namespace {

// One connection's dialogue: commands out, replies in, every wait bounded by the reply timeout.
// The first failure is kept in error().
class Dialogue {
 public:
  Dialogue(asio::any_io_executor executor, std::unique_ptr<Stream> stream, std::string target,
           std::chrono::milliseconds timeout)
      : m_timer(executor),
        m_stream(std::move(stream)),
        m_target(std::move(target)),
        m_timeout(timeout) {}

  SmtpError error() const { return m_error; }
  void fail(SmtpError error) {
    if (m_error == SmtpError::none) m_error = error;
  }
  SmtpReplyReader& reader() { return m_reader; }
  std::unique_ptr<Stream> take_stream() { return std::move(m_stream); }
  void set_stream(std::unique_ptr<Stream> stream) {
    m_stream = std::move(stream);
    m_reader = SmtpReplyReader{};
  }
  void close() {
    if (m_stream) m_stream->close();
  }

  /// The next reply, or nullopt (error() says why).
  asio::awaitable<std::optional<SmtpReply>> reply();
  /// Writes `bytes`; `shown` is what the trace says (credentials are not traced).
  asio::awaitable<bool> send(std::string_view bytes, std::string_view shown);
  /// Sends `line` and checks that the reply's class is `expected` (2 or 3): a 4xx/5xx reply
  /// is a rejection, another class a protocol failure.
  asio::awaitable<std::optional<SmtpReply>> command(std::string line, unsigned expected,
                                                    std::string_view shown = {});
  /// Checks a reply's class as command() does.
  bool expect(const std::optional<SmtpReply>& reply, unsigned expected);

 private:
  void trace_event(const std::string& text) {
    trace::event(trace::Channel::network, "smtp " + m_target + " " + text);
  }

  asio::steady_timer m_timer;
  std::unique_ptr<Stream> m_stream;
  std::string m_target;
  std::chrono::milliseconds m_timeout;
  SmtpReplyReader m_reader;
  SmtpError m_error = SmtpError::none;
  std::array<char, 2048> m_buffer{};
};

asio::awaitable<std::optional<SmtpReply>> Dialogue::reply() {
  using asio::experimental::awaitable_operators::operator||;
  for (;;) {
    if (auto reply = m_reader.next()) {
      trace_event("< " + std::to_string(reply->code) + " " +
                  trace::escape(reply->lines.empty() ? std::string{} : reply->lines.front()));
      co_return reply;
    }
    if (m_error != SmtpError::none || !m_stream) co_return std::nullopt;
    m_timer.expires_after(m_timeout);
    auto outcome = co_await (m_stream->read_some({m_buffer.data(), m_buffer.size()}) ||
                             m_timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 1) {
      trace_event("silent for " + std::to_string(m_timeout.count()) + " ms");
      fail(SmtpError::timed_out);
      co_return std::nullopt;
    }
    const auto [error, count] = std::get<0>(outcome);
    if (count > 0 && !m_reader.feed({m_buffer.data(), count})) {
      trace_event(m_reader.failure());
      fail(SmtpError::protocol);
      co_return std::nullopt;
    }
    if (error) {
      // A reply completed by these last bytes still counts; nothing more will come.
      if (m_reader.has_reply()) continue;
      trace_event("ended: " + error.message());
      fail(SmtpError::protocol);
      co_return std::nullopt;
    }
  }
}

asio::awaitable<bool> Dialogue::send(std::string_view bytes, std::string_view shown) {
  using asio::experimental::awaitable_operators::operator||;
  if (!m_stream) co_return false;
  trace_event("> " + trace::escape(shown));
  m_timer.expires_after(m_timeout);
  auto sent = co_await (m_stream->write_all(bytes) ||
                        m_timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (sent.index() == 1 || std::get<0>(sent)) {
    trace_event("not sent");
    fail(sent.index() == 1 ? SmtpError::timed_out : SmtpError::protocol);
    co_return false;
  }
  co_return true;
}

bool Dialogue::expect(const std::optional<SmtpReply>& reply, unsigned expected) {
  if (!reply) return false;
  if (reply->code / 100 == expected) return true;
  fail(reply->code >= 400 ? SmtpError::rejected : SmtpError::protocol);
  return false;
}

asio::awaitable<std::optional<SmtpReply>> Dialogue::command(std::string line, unsigned expected,
                                                            std::string_view shown) {
  const std::string text = shown.empty() ? line : std::string{shown};
  line += crlf;
  if (!co_await send(line, text)) co_return std::nullopt;
  auto answer = co_await reply();
  if (!expect(answer, expected)) co_return std::nullopt;
  co_return answer;
}

// EHLO, or HELO when the server refuses EHLO (RFC 5321 §3.2): the extensions offered.
asio::awaitable<std::optional<SmtpExtensions>> hello(Dialogue& dialogue, const SmtpMail& mail) {
  const std::string name = one_line(mail.client_name);
  if (!co_await dialogue.send("EHLO " + name + "\r\n", "EHLO " + name)) co_return std::nullopt;
  auto answer = co_await dialogue.reply();
  if (answer && answer->code >= 500) {
    if (!co_await dialogue.command("HELO " + name, 2)) co_return std::nullopt;
    co_return SmtpExtensions{};
  }
  if (!dialogue.expect(answer, 2)) co_return std::nullopt;
  co_return parse_extensions(*answer);
}

// STARTTLS (RFC 3207): nothing may follow the 220 in the clear; then the handshake.
asio::awaitable<bool> start_tls(Dialogue& dialogue, const TlsWrapperFactory& make_tls) {
  if (!co_await dialogue.command("STARTTLS", 2)) co_return false;
  if (dialogue.reader().has_unread()) {
    dialogue.fail(SmtpError::protocol);
    co_return false;
  }
  auto plain = dialogue.take_stream();
  const StreamWrapper wrap = make_tls();
  auto secure = co_await wrap(std::move(plain));
  if (!secure) {
    dialogue.fail(SmtpError::tls_failed);
    co_return false;
  }
  dialogue.set_stream(std::move(secure));
  co_return true;
}

// AUTH PLAIN, or LOGIN when only that is offered (RFC 4954). A server that offers no AUTH gets
// none (it may still take the mail, or refuse MAIL); one that offers only other mechanisms
// cannot be served.
asio::awaitable<bool> authenticate(Dialogue& dialogue, const SmtpMail& mail,
                                   const SmtpExtensions& extensions) {
  if (mail.user.empty() || !extensions.auth_offered) co_return true;
  if (extensions.auth_plain) {
    const std::string token = base64_encode(std::string{'\0'} + mail.user + '\0' + mail.password);
    co_return co_await dialogue.command("AUTH PLAIN " + token, 2, "AUTH PLAIN (credentials)");
  }
  if (!extensions.auth_login) {
    dialogue.fail(SmtpError::protocol);
    co_return false;
  }
  if (!co_await dialogue.command("AUTH LOGIN", 3)) co_return false;
  if (!co_await dialogue.command(base64_encode(mail.user), 3, "(user)")) co_return false;
  const auto accepted = co_await dialogue.command(base64_encode(mail.password), 2, "(password)");
  co_return accepted.has_value();
}

// MAIL, RCPT, DATA and the message, then QUIT (whose answer does not matter any more).
asio::awaitable<bool> transfer(Dialogue& dialogue, const SmtpMail& mail) {
  if (!co_await dialogue.command("MAIL FROM:" + smtp_path(mail.from), 2)) co_return false;
  if (!co_await dialogue.command("RCPT TO:" + smtp_path(mail.to), 2)) co_return false;
  if (!co_await dialogue.command("DATA", 3)) co_return false;
  const std::string data = smtp_message_data(mail);
  if (!co_await dialogue.send(data, "(message, " + std::to_string(data.size()) + " bytes)")) {
    co_return false;
  }
  if (!dialogue.expect(co_await dialogue.reply(), 2)) co_return false;
  (void)co_await dialogue.command("QUIT", 2);
  co_return true;
}

asio::awaitable<SmtpError> converse(Dialogue& dialogue, const SmtpMail& mail,
                                    const TlsWrapperFactory& make_tls) {
  if (!dialogue.expect(co_await dialogue.reply(), 2)) co_return dialogue.error();
  auto extensions = co_await hello(dialogue, mail);
  if (!extensions) co_return dialogue.error();
  if (mail.security == SmtpSecurity::starttls && extensions->starttls) {
    if (!co_await start_tls(dialogue, make_tls)) co_return dialogue.error();
    extensions = co_await hello(dialogue, mail);
    if (!extensions) co_return dialogue.error();
  }
  if (!co_await authenticate(dialogue, mail, *extensions)) co_return dialogue.error();
  if (!co_await transfer(dialogue, mail)) co_return dialogue.error();
  co_return SmtpError::none;
}

}  // namespace

asio::awaitable<SmtpError> smtp_send(asio::any_io_executor executor, const HostMapper& mapper,
                                     SmtpMail mail, TlsWrapperFactory make_tls,
                                     SmtpTimeouts timeouts) {
  const bool implicit = mail.security == SmtpSecurity::implicit;
  const std::string target = mail.host + ":" + std::to_string(mail.port);
  auto connected = co_await connect_to(executor, mapper, mail.host, mail.port,
                                       implicit ? StreamKind::tls : StreamKind::tcp,
                                       timeouts.connect, mail.faults);
  if (const auto* failure = std::get_if<NetError>(&connected)) {
    co_return *failure == NetError::name_not_resolved ? SmtpError::name_not_resolved
                                                      : SmtpError::connect_failed;
  }
  std::unique_ptr<Stream> stream = std::move(std::get<Connection>(connected).stream);
  if (implicit) {
    const StreamWrapper wrap = make_tls();
    stream = co_await wrap(std::move(stream));
    if (!stream) co_return SmtpError::tls_failed;
  }
  Dialogue dialogue{executor, std::move(stream), target, timeouts.reply};
  const SmtpError result = co_await converse(dialogue, mail, make_tls);
  if (result == SmtpError::rejected) {
    // A polite end of the session; its answer is not waited for.
    (void)co_await dialogue.send("QUIT\r\n", "QUIT");
  }
  trace::event(trace::Channel::network, "smtp " + target + " " + std::string{to_string(result)});
  dialogue.close();
  co_return result;
}

}  // namespace spwf::net
