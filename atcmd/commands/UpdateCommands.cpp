// FWUPDATE and FSUPDATE download an image with the HTTP client (net::http_exchange: host mapping,
// --allow/--deny, the trace and, with <TLS> 1 or 2, the TLS rules with <host> as the name) and
// keep it in the state directory (config::UpdateImages); INPUTSSI keeps the web server's input
// text in RAM. Order of checks of the downloads: parameter count (2/6), wifi_state (44), the
// first field and <TLS> (7), an encrypted firmware image without a key (111, ? adopted), a TLS
// session and the heap as HTTPGET takes them, then the request. ? Adopted (spec §3.14, §9 Q39): OK
// and no I line on success; the failures print one I line (see wire::update) and end with 111; DNS
// failure is 65 as for HTTP.

#include "atcmd/commands/UpdateCommands.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "atcmd/CommandContext.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/commands/HttpCommands.hpp"
#include "atcmd/commands/TlsClientSettings.hpp"
#include "netstack/HttpClient.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// Field positions of FWUPDATE/FSUPDATE.
namespace field {
constexpr std::size_t target = 0, host = 1, path = 2, port = 3, tls = 4, user = 5, password = 6,
                      count = 7;
}  // namespace field

enum class ImageKind { firmware, filesystem };

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  return std::equal(tail.begin(), tail.end(), suffix.begin(),
                    [](char left, char right) { return lower(left) == lower(right); });
}

/// Holds the image as it arrives, up to limits::update_image_bytes; a status from 400 on stops
/// the transfer (the module writes nothing for a refused request).
class ImageSink : public net::HttpResponseSink {
 public:
  void status(unsigned code) override { m_status = code; }
  bool body(std::string_view bytes) override {
    if (server_error()) return false;
    if (bytes.size() > limits::update_image_bytes - m_image.size()) {
      m_too_large = true;
      return false;
    }
    m_image.append(bytes);
    return true;
  }
  void cut_short() override { m_cut_short = true; }

  bool server_error() const { return m_status >= http_error_status; }
  unsigned status_code() const { return m_status; }
  bool too_large() const { return m_too_large; }
  bool was_cut_short() const { return m_cut_short; }
  const std::string& image() const { return m_image; }

 private:
  std::string m_image;
  unsigned m_status = 0;
  bool m_too_large = false;
  bool m_cut_short = false;
};

/// One failure I line, then the command's error.
AtError failure(CommandContext& context, std::string_view label, std::string_view fields = {}) {
  context.info(label, fields);
  return wire::update::failed;
}

/// True for an encrypted firmware image while aes128_key is still all zero (factory).
bool key_missing(CommandContext& context, std::string_view path) {
  if (!ends_with_ignoring_case(path, wire::update::encrypted_suffix)) return false;
  const auto key = context.state().config().get_bytes("aes128_key");
  return std::all_of(key.begin(), key.end(), [](std::uint8_t byte) { return byte == 0; });
}

/// Stores a complete image where its kind belongs.
std::error_code store(CommandContext& context, ImageKind kind, char target,
                      const std::string& image) {
  auto& updates = context.state().updates();
  return kind == ImageKind::firmware ? updates.store_firmware(image)
                                     : updates.store_filesystem(target, image);
}

/// The answer to an exchange that ended: stores the image or reports why not.
AtError conclude(CommandContext& context, ImageKind kind, char target, net::HttpError outcome,
                 const ImageSink& sink, const std::string& source) {
  if (sink.server_error()) {
    return failure(context, label::http_server_error, std::to_string(sink.status_code()));
  }
  if (sink.too_large()) {
    log::info("update " + source + ": the image exceeds " +
              std::to_string(limits::update_image_bytes) + " bytes");
    return failure(context, label::write_chunk);
  }
  switch (outcome) {
    case net::HttpError::none:
      break;
    case net::HttpError::name_not_resolved:
      return AtError::dns_address_failure;
    case net::HttpError::timed_out:
      return failure(context, label::update_timeout);
    case net::HttpError::read_failed:
      return failure(context, label::disconnected);
    default:
      // A TLS verdict has already printed "Certificate Error:<n>"; the client error follows it.
      log::info("update " + source + " failed: " + std::string{net::to_string(outcome)});
      return http_client_error(context, outcome);
  }
  if (sink.was_cut_short()) {
    log::info("update " + source + ": the server closed before the announced length");
    return failure(context, label::disconnected);
  }
  if (auto error = store(context, kind, target, sink.image())) {
    log::error("update " + source + ": the image cannot be written: " + error.message());
    return failure(context, label::write_chunk);
  }
  log::info("update " + source + ": " + std::to_string(sink.image().size()) + " bytes kept as " +
            (kind == ImageKind::firmware ? std::string{config::UpdateImages::pending_firmware}
                                         : config::UpdateImages::filesystem_path(target)));
  return AtError::none;
}

asio::awaitable<AtError> download(CommandContext& context, ImageKind kind) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(field::count, field::count); error != AtError::none) {
    co_return error;
  }
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  const std::string_view targets = kind == ImageKind::firmware ? wire::update::firmware_targets
                                                               : wire::update::filesystem_targets;
  const std::string_view target_text = args.text(field::target);
  if (target_text.size() != 1 || targets.find(lower(target_text[0])) == std::string_view::npos) {
    co_return AtError::invalid_arguments;
  }
  const char target = lower(target_text[0]);
  // <TLS> as for HTTP: 0 (or empty, as X-CUBE's FSUPDATE sends it) plain, 1 and 2 HTTPS.
  const std::uint64_t tls_mode = args.number(field::tls);
  if (tls_mode > 2) co_return AtError::invalid_arguments;
  const bool use_tls = tls_mode != 0;

  net::HttpRequest request;
  request.host = std::string{args.text(field::host)};
  request.path = args.text(field::path).empty() ? "/" : std::string{args.text(field::path)};
  const auto port = static_cast<std::uint16_t>(args.number(field::port) & 0xFFFF);
  request.port = port != 0 ? port : (use_tls ? 443 : 80);
  request.user = std::string{args.text(field::user)};
  request.password = std::string{args.text(field::password)};
  const std::string source = request.host + ":" + std::to_string(request.port) + request.path;

  if (kind == ImageKind::firmware && key_missing(context, request.path)) {
    log::info("FWUPDATE " + source + ": an encrypted image needs aes128_key (still all zero)");
    co_return wire::update::missing_key;
  }
  // HTTPS takes one of the module's two TLS client sessions and, like HTTPGET, the heap of a
  // connection while the download runs (spec §3.5; the same helpers and failures as HTTPGET).
  if (use_tls && state.tls_clients() >= limits::tls_clients) {
    log::info("update " + source + ": already " + std::to_string(limits::tls_clients) +
              " TLS clients open");
    co_return http_client_error(context, net::HttpError::tls_failed);
  }
  const auto hold = hold_client(context, "update", HeapUser::http_client, 0, limits::http_buffer,
                                use_tls, wire::update::failed);
  if (const auto* error = std::get_if<AtError>(&hold)) co_return *error;

  net::StreamWrapper wrap;
  if (use_tls) wrap = host_tls_wrapper(context, request.host);
  ImageSink sink;
  const net::HttpTimeouts timeouts{state.settings().connect_timeout,
                                   state.settings().http_idle_timeout};
  const auto outcome = co_await net::http_exchange(
      state.executor(), state.mapper(), std::move(request), std::move(wrap), timeouts, sink);
  co_return conclude(context, kind, target, outcome, sink, source);
}

}  // namespace

asio::awaitable<AtError> firmware_update(CommandContext& context) {
  co_return co_await download(context, ImageKind::firmware);
}

asio::awaitable<AtError> filesystem_update(CommandContext& context) {
  co_return co_await download(context, ImageKind::filesystem);
}

// AT+S.INPUTSSI=<0|length><CR><data>: 0 clears the text and reads no payload; a length over
// limits::input_ssi_bytes answers 32 before the payload (spec §2.5, §9 Q7).
asio::awaitable<AtError> input_ssi(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const std::uint64_t length = args.number(0);
  ModuleState& state = context.state();
  if (length == 0) {
    state.set_input_ssi({});
    log::info("INPUTSSI: the input text is cleared");
    co_return AtError::none;
  }
  if (length > limits::input_ssi_bytes) co_return AtError::argument_too_large;
  auto payload = co_await context.read_payload(length, length);
  if (!payload) co_return AtError::argument_too_large;
  log::info("INPUTSSI: the input text is now " + std::to_string(payload->size()) +
            " bytes (no web server serves it)");
  state.set_input_ssi(std::move(*payload));
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
