// The module's HTTP client commands over net::http_exchange. Order of checks: parameter count
// (2/6), wifi_state (44), the <TLS> field (7), <UpFile> for POST (50/51), <DownFile> (50/51),
// then the request. The answer is the I line "Http Server Status Code:<n>", the raw body (or,
// with <DownFile>, nothing: the body goes to that file) and OK right after the last byte. A
// status from 400 on adds the I line "Http Server Error:<n>" after the status line and ends with
// 111 instead of OK, the body still passed on (spec §3.8, adopted). DNS failure is 65; every
// other failure is I "Http Client Error:<n>" (number from the Wire table; after a TLS verdict it
// follows the handshake's "Certificate Error:<n>") then 111. The literal NULL is a name like any
// other (spec §9 Q6).

#include "atcmd/commands/HttpCommands.hpp"

#include <string>
#include <string_view>

#include "atcmd/CommandContext.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/commands/FileCommands.hpp"
#include "atcmd/commands/TlsClientSettings.hpp"
#include "config/ModuleFileSystem.hpp"
#include "netstack/HttpClient.hpp"
#include "netstack/TlsStream.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

using config::FileError;

// Field positions of HTTPGET/HTTPPOST.
namespace field {
constexpr std::size_t host = 0, path = 1, port = 2, tls = 3, user = 4, password = 5, down_file = 6,
                      up_file = 7, count = 8;
}  // namespace field

// A body kept in memory for <DownFile> is refused beyond this size (larger than any volume).
constexpr std::size_t max_download_bytes = 8 * 1024 * 1024;

// The module's number for a failed file operation on <UpFile>/<DownFile>.
AtError file_error(const std::error_code& error) {
  return file_error_to_at(error, AtError::file_open);
}

// Sends the status line and the body to the console as they arrive, or keeps the body for the
// download file.
class CommandSink : public net::HttpResponseSink {
 public:
  CommandSink(CommandContext& context, std::string_view down_file)
      : m_context(context), m_down_file(down_file) {}

  void status(unsigned code) override {
    m_status = code;
    m_context.info(label::http_status, std::to_string(code));
    if (server_error()) m_context.info(label::http_server_error, std::to_string(code));
    m_context.session().flush();
    // With a response coming, the module opens the download file for writing (truncating it).
    if (!m_down_file.empty()) {
      m_file_error = m_context.state().files().remove(m_down_file);
      if (m_file_error == FileError::not_found) m_file_error.clear();
    }
  }

  boost::asio::awaitable<void> ready() override {
    // The console gets the body at the host's pace; the server is held back meanwhile.
    if (m_down_file.empty()) co_await m_context.session().flush_and_wait_for_host();
  }

  bool body(std::string_view bytes) override {
    if (m_down_file.empty()) {
      m_context.raw(bytes);
      m_context.session().flush();
      return true;
    }
    if (m_file_error) return false;
    m_download.append(bytes);
    // Checked as the body grows, so a body larger than the volume stops the transfer.
    if (m_download.size() > max_download_bytes) {
      m_file_error = make_error_code(FileError::no_space);
      return false;
    }
    if (auto error = m_context.state().files().check_append(m_down_file, m_download.size())) {
      m_file_error = error;
      return false;
    }
    return true;
  }

  /// Stores the downloaded body, replacing the file (the module opens it for writing).
  std::error_code store() {
    if (m_file_error) return m_file_error;
    return m_context.state().files().append(m_down_file, m_download);
  }

  bool downloading() const { return !m_down_file.empty(); }
  /// True when the status says the server refused the request (400 and above).
  bool server_error() const { return m_status >= http_error_status; }
  const std::error_code& file_failure() const { return m_file_error; }

 private:
  CommandContext& m_context;
  std::string m_down_file;
  std::string m_download;
  std::error_code m_file_error;
  unsigned m_status = 0;
};

asio::awaitable<AtError> http_request(CommandContext& context, net::HttpMethod method) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(field::count, field::count); error != AtError::none) {
    co_return error;
  }
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;

  // <TLS>: 0 (or empty) plain, 1 and 2 HTTPS (spec §3.8, §9 Q36); anything else is refused.
  const std::uint64_t tls_mode = args.number(field::tls);
  if (tls_mode > 2) co_return AtError::invalid_arguments;
  const bool use_tls = tls_mode != 0;

  net::HttpRequest request;
  request.method = method;
  request.host = std::string{args.text(field::host)};
  request.path = args.text(field::path).empty() ? "/" : std::string{args.text(field::path)};
  const auto port = static_cast<std::uint16_t>(args.number(field::port) & 0xFFFF);
  request.port = port != 0 ? port : (use_tls ? 443 : 80);
  request.user = std::string{args.text(field::user)};
  request.password = std::string{args.text(field::password)};
  request.faults = {&state.faults(), config::ConnectionKind::http, {}, "http"};

  auto& files = state.files();
  const std::string_view up_file = args.text(field::up_file);
  if (method == net::HttpMethod::post && !up_file.empty()) {
    if (auto error = files.read(up_file, request.body); error) {
      log::info("HTTPPOST: upload file " + std::string{up_file} + ": " + error.message());
      co_return file_error(error);
    }
  }
  const std::string_view down_file = args.text(field::down_file);
  if (!down_file.empty()) {
    if (auto error = files.check_append(down_file, 0)) {
      log::info("HTTP download file " + std::string{down_file} + ": " + error.message());
      co_return file_error(error);
    }
  }

  // HTTPS takes one of the module's TLS client sessions (spec §3.5); with both in use it fails
  // as a handshake that cannot start would (? the module's lines for this case are not known).
  if (use_tls && state.tls_clients() >= limits::tls_clients) {
    log::info("HTTP: already " + std::to_string(limits::tls_clients) + " TLS clients open");
    co_return http_client_error(context, net::HttpError::tls_failed);
  }
  // The connection, its buffer and a TLS session come from the module's heap while the request
  // runs (spec §3.5.1 step 3's Low Memory; ? the HTTP client's share assumed a socket's).
  const auto hold = hold_client(context, "HTTP", HeapUser::http_client, 0, limits::http_buffer,
                                use_tls, AtError::request_failed);
  if (const auto* error = std::get_if<AtError>(&hold)) co_return *error;

  // With TLS the name is <host>: sent as SNI and compared with the leaf's CN only, a match in
  // the subjectAltName does not count (AN4963, spec §3.8).
  net::StreamWrapper wrap;
  if (use_tls) wrap = host_tls_wrapper(context, request.host);

  CommandSink sink{context, down_file};
  const net::HttpTimeouts timeouts{state.settings().connect_timeout,
                                   state.settings().http_idle_timeout};
  const std::string target = request.host + ":" + std::to_string(request.port);
  const auto outcome = co_await net::http_exchange(
      state.executor(), state.mapper(), std::move(request), std::move(wrap), timeouts, sink);
  switch (outcome) {
    case net::HttpError::none:
      if (sink.downloading()) {
        if (auto error = sink.store(); error) {
          log::info("HTTP download file " + std::string{down_file} + ": " + error.message());
          co_return file_error(error);
        }
      }
      co_return sink.server_error() ? AtError::request_failed : AtError::none;
    case net::HttpError::name_not_resolved:
      co_return AtError::dns_address_failure;
    case net::HttpError::sink_refused:
      log::info("HTTP download file " + std::string{down_file} + ": " +
                sink.file_failure().message());
      co_return file_error(sink.file_failure());
    default:
      // A TLS verdict has already printed "Certificate Error:<n>"; the client error follows it.
      log::info("HTTP request to " + target + " failed: " + std::string{net::to_string(outcome)});
      co_return http_client_error(context, outcome);
  }
}

}  // namespace

namespace {

/// The "Http Client Error" kind of a failed exchange (DNS and sink failures have their own).
HttpClientFailure client_failure(net::HttpError error) {
  switch (error) {
    case net::HttpError::tls_failed:
      return HttpClientFailure::tls_failed;
    case net::HttpError::send_failed:
      return HttpClientFailure::send_failed;
    case net::HttpError::no_response:
      return HttpClientFailure::no_response;
    case net::HttpError::bad_response:
      return HttpClientFailure::bad_response;
    case net::HttpError::read_failed:
      return HttpClientFailure::read_failed;
    case net::HttpError::timed_out:
      return HttpClientFailure::timed_out;
    default:
      return HttpClientFailure::connect_failed;
  }
}

}  // namespace

AtError http_client_error(CommandContext& context, net::HttpError error) {
  context.info(label::http_client_error,
               std::to_string(http_client_error_number(client_failure(error))));
  return AtError::request_failed;
}

asio::awaitable<AtError> http_get(CommandContext& context) {
  co_return co_await http_request(context, net::HttpMethod::get);
}

asio::awaitable<AtError> http_post(CommandContext& context) {
  co_return co_await http_request(context, net::HttpMethod::post);
}

}  // namespace spwf::atcmd::commands
