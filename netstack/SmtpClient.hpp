#pragma once
// The module's SMTP client (spec §3.12): one mail over the emulator's own connections (host
// mapping, --allow/--deny and, for TLS, the same wrapping as SOCKON and HTTP, so the module's TLS
// rules and the name rule apply). The dialogue is hand-written (RFC 5321, 3207, 4954):
//   220 greeting; EHLO <id> (HELO when EHLO is refused); with STARTTLS: STARTTLS, 220, the TLS
//   handshake, EHLO again; with a user: AUTH PLAIN (AUTH LOGIN when only that is offered);
//   MAIL FROM:<from>; RCPT TO:<to>; DATA, 354, the message, ".", 250; QUIT.
// The message the client writes (? the module's headers are not known; adopted, unverified):
//   From: <from>\r\nTo: <to>\r\nSubject: <subject>\r\n\r\n<body>
// The body's line ends become CRLF (a lone CR or LF too), a line starting with "." gets one more
// (RFC 5321 §4.5.2), and a body that does not end with a line end gets one before ".\r\n".

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "netstack/ClientSockets.hpp"  // StreamWrapper
#include "netstack/Connector.hpp"      // FaultScope
#include "netstack/HostMapper.hpp"

namespace spwf::net {

/// The <TLS> field (spec §3.10's note): none, STARTTLS when the server offers it, implicit TLS.
enum class SmtpSecurity { none, starttls, implicit };

/// One mail as AT+S.SMTP describes it.
struct SmtpMail {
  std::string host;  ///< connect target and TLS name
  std::uint16_t port = 25;
  SmtpSecurity security = SmtpSecurity::none;
  std::string user;  ///< AUTH when not empty
  std::string password;
  std::string client_name;  ///< the EHLO identity
  std::string from;
  std::string to;
  std::string subject;
  std::string body;
  FaultScope faults;  ///< the fault rules the connection is matched against
};

/// How the exchange ended.
enum class SmtpError {
  none,               ///< the server accepted the mail
  name_not_resolved,  ///< DNS failure
  connect_failed,     ///< refused, unreachable, timed out, denied by --allow/--deny
  tls_failed,         ///< the TLS wrapper refused (it has reported why)
  rejected,           ///< the server answered 4xx or 5xx
  protocol,           ///< closed, reset, a malformed or unexpected reply, no usable AUTH
  timed_out,          ///< the server was silent for the reply timeout
};

/// Short text for logs.
std::string_view to_string(SmtpError error);

/// Timeouts of one exchange.
struct SmtpTimeouts {
  std::chrono::milliseconds connect{5000};  ///< TCP connect (the TLS wrapper has its own)
  std::chrono::milliseconds reply{20000};   ///< longest wait for a reply or a write
};

/// Makes the TLS wrapper at the moment the handshake is about to start (after connecting for
/// implicit TLS, after STARTTLS's 220 otherwise), so its handshake deadline starts then.
using TlsWrapperFactory = std::function<StreamWrapper()>;

/// The DATA content: headers, the normalised and dot-stuffed body, and the final ".\r\n".
std::string smtp_message_data(const SmtpMail& mail);

/// "<address>" for MAIL FROM / RCPT TO (an address already in angle brackets is kept).
std::string smtp_path(std::string_view address);

/// Sends `mail`; `make_tls` is used when mail.security is not none.
boost::asio::awaitable<SmtpError> smtp_send(boost::asio::any_io_executor executor,
                                            const HostMapper& mapper, SmtpMail mail,
                                            TlsWrapperFactory make_tls, SmtpTimeouts timeouts);

}  // namespace spwf::net
