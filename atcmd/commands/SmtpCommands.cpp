// AT+S.SMTP over net::smtp_send (spec §3.12, §9 Q38). 13 fields; the 9th/10th (cc, bcc) and 12th
// (attachment) are reserved and ignored. Empty fields take defaults (X-CUBE sends
// AT+S.SMTP=<host>,<port>,,<usn>,<pwd>,,<from>,<to>,,,<subject>,,<length>): <port> 25, or 465
// with <TLS>=2; <TLS> 0 (plain; 1 = STARTTLS when the server offers it, 2 = implicit TLS, spec
// §3.10's note); no AUTH without <usn>; <ID> (the EHLO identity) the module's ip_hostname, or
// when that is empty too the module's address as an address literal "[192.168.0.50]" (RFC 5321
// §4.1.3; ? the module's choice is not known).
// Order of checks: parameter count (2/6), wifi_state (44), <TLS> above 2 or an empty <to> (7;
// an empty <host> is a name like any other, 65 as HTTP), <length> over limits::smtp_body_bytes
// (32), then the body is read (spec §2.5), the heap is taken (91), the mail sent. The answer is OK
// once the server has accepted the mail. Failures: DNS 65 (as HTTP); a 4xx/5xx reply I "Server
// Error" then 111; anything else (refused, closed, silent for http_idle_timeout_ms, malformed, TLS
// after its Certificate Error line) I "Request Error" then 111 (wire::smtp).

#include "atcmd/commands/SmtpCommands.hpp"

#include <string>
#include <variant>

#include "atcmd/CommandContext.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/commands/TlsClientSettings.hpp"
#include "netstack/SmtpClient.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// Field positions of AT+S.SMTP.
namespace field {
constexpr std::size_t host = 0, port = 1, tls = 2, user = 3, password = 4, id = 5, from = 6, to = 7,
                      subject = 10, length = 12, count = 13;
}  // namespace field

// ≈ Ports when <port> is empty: SMTP's 25, or SMTPS's 465 for implicit TLS.
constexpr std::uint16_t default_port = 25;
constexpr std::uint16_t default_implicit_tls_port = 465;

// The EHLO identity when <ID> is empty (see the file comment).
std::string default_client_name(const ModuleState& state) {
  const std::string hostname = state.config().get_string("ip_hostname");
  if (!hostname.empty()) return hostname;
  return "[" + state.status_value("ip_ipaddr").value_or(std::string{}) + "]";
}

// The mail the fields describe (the body comes later).
net::SmtpMail mail_of(const Arguments& args, const ModuleState& state) {
  net::SmtpMail mail;
  mail.host = std::string{args.text(field::host)};
  const std::uint64_t tls_mode = args.number(field::tls);
  mail.security = tls_mode == 0   ? net::SmtpSecurity::none
                  : tls_mode == 1 ? net::SmtpSecurity::starttls
                                  : net::SmtpSecurity::implicit;
  const auto port = static_cast<std::uint16_t>(args.number(field::port) & 0xFFFF);
  mail.port = port != 0                                      ? port
              : mail.security == net::SmtpSecurity::implicit ? default_implicit_tls_port
                                                             : default_port;
  mail.user = std::string{args.text(field::user)};
  mail.password = std::string{args.text(field::password)};
  mail.client_name =
      args.text(field::id).empty() ? default_client_name(state) : std::string{args.text(field::id)};
  mail.from = std::string{args.text(field::from)};
  mail.to = std::string{args.text(field::to)};
  mail.subject = std::string{args.text(field::subject)};
  return mail;
}

// The failure lines of an exchange that did not end with the mail accepted.
AtError failure(CommandContext& context, net::SmtpError error) {
  switch (error) {
    case net::SmtpError::none:
      return AtError::none;
    case net::SmtpError::name_not_resolved:
      return wire::smtp::name_not_resolved;
    case net::SmtpError::rejected:
      context.info(label::server_error);
      return wire::smtp::request_failed;
    default:
      // A TLS verdict has already printed "Certificate Error:<n>".
      context.info(label::request_error);
      return wire::smtp::request_failed;
  }
}

}  // namespace

asio::awaitable<AtError> smtp_send(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(field::count, field::count); error != AtError::none) {
    co_return error;
  }
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  if (args.number(field::tls) > 2 || args.text(field::to).empty()) {
    co_return AtError::invalid_arguments;
  }
  const std::uint64_t length = args.number(field::length);
  if (length > limits::smtp_body_bytes) co_return AtError::argument_too_large;
  net::SmtpMail mail = mail_of(args, state);
  mail.faults = {&state.faults(), config::ConnectionKind::smtp, {}, "smtp"};
  auto body = co_await context.read_payload(length, limits::smtp_body_bytes);
  if (!body) co_return AtError::argument_too_large;
  mail.body = std::move(*body);

  // The connection, its buffer and (with <TLS> 1 or 2) one of the module's TLS client sessions
  // are held while the mail is sent (? the SMTP client's share assumed an HTTP request's). No
  // free TLS session: I "Request Error" then 111, before any handshake line.
  const bool use_tls = mail.security != net::SmtpSecurity::none;
  const auto hold = hold_client(context, "SMTP", HeapUser::smtp_client, 0, limits::http_buffer,
                                use_tls, AtError::request_failed);
  if (const auto* error = std::get_if<AtError>(&hold)) {
    co_return *error == AtError::request_failed ? failure(context, net::SmtpError::tls_failed)
                                                : *error;
  }

  // With TLS the name is <host>, sent as SNI and compared with the leaf's CN only (AN4963, spec
  // §3.8's name rule). The wrapper is made when the handshake starts (after STARTTLS's 220).
  net::TlsWrapperFactory make_tls = [&context, host = mail.host] {
    return host_tls_wrapper(context, host);
  };
  const net::SmtpTimeouts timeouts{state.settings().connect_timeout,
                                   state.settings().http_idle_timeout};
  const std::string target = mail.host + ":" + std::to_string(mail.port);
  const auto outcome = co_await net::smtp_send(state.executor(), state.mapper(), std::move(mail),
                                               std::move(make_tls), timeouts);
  if (outcome != net::SmtpError::none) {
    log::info("SMTP to " + target + " failed: " + std::string{net::to_string(outcome)});
  }
  co_return failure(context, outcome);
}

}  // namespace spwf::atcmd::commands
