#include "netstack/WebSocketClient.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <utility>

#include "netstack/AsyncStreamAdapter.hpp"
#include "netstack/Connector.hpp"
#include "netstack/HttpClient.hpp"  // base64_encode
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using boost::system::error_code;

std::string_view to_string(WebSocketError error) {
  switch (error) {
    case WebSocketError::name_not_resolved:
      return "name not resolved";
    case WebSocketError::connect_failed:
      return "connect failed";
    case WebSocketError::tls_failed:
      return "TLS handshake failed";
    case WebSocketError::handshake_failed:
      return "WebSocket handshake refused or timed out";
  }
  return "unknown";
}

struct WebSocketClient::Impl {
  Impl(asio::any_io_executor executor, std::shared_ptr<Stream> stream, std::string name_)
      : ws(executor, std::move(stream)), write_done(executor), name(std::move(name_)) {}

  /// Waits until no other write (or close) is running, then takes the turn.
  asio::awaitable<void> take_write_turn() {
    while (writing) {
      write_done.expires_at(asio::steady_timer::time_point::max());
      co_await write_done.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    writing = true;
  }
  void end_write_turn() {
    writing = false;
    write_done.cancel();
  }

  websocket::stream<AsyncStreamAdapter> ws;
  asio::steady_timer write_done;
  std::string name;  ///< "websocket <host>:<port>" in the trace
  std::string peer;
  bool writing = false;
  bool message_open = false;  ///< a fragmented message is being written
};

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
WebSocketClient::~WebSocketClient() = default;

namespace {

// The handshake request's extra fields, as WSOCKON gives them (Beast writes Host, Upgrade,
// Connection, Sec-WebSocket-Key and -Version itself; its User-Agent is not the module's).
void decorate(websocket::stream<AsyncStreamAdapter>& ws, const WebSocketRequest& request) {
  ws.set_option(websocket::stream_base::decorator(
      [origin = request.origin, protocol = request.protocol, extensions = request.extensions,
       user = request.user, password = request.password](websocket::request_type& message) {
        message.erase(http::field::user_agent);
        if (!origin.empty()) message.set(http::field::origin, origin);
        if (!protocol.empty()) message.set(http::field::sec_websocket_protocol, protocol);
        if (!extensions.empty()) message.set(http::field::sec_websocket_extensions, extensions);
        if (!user.empty()) {
          message.set(http::field::authorization, "Basic " + base64_encode(user + ":" + password));
        }
      }));
}

}  // namespace

asio::awaitable<std::variant<std::shared_ptr<WebSocketClient>, WebSocketError>>
WebSocketClient::connect(asio::any_io_executor executor, const HostMapper& mapper,
                         WebSocketRequest request, StreamWrapper wrap,
                         std::chrono::milliseconds timeout) {
  const bool secure = static_cast<bool>(wrap);
  auto connected =
      co_await connect_to(executor, mapper, request.host, request.port,
                          secure ? StreamKind::tls : StreamKind::tcp, timeout, request.faults);
  if (const auto* failure = std::get_if<NetError>(&connected)) {
    co_return *failure == NetError::name_not_resolved ? WebSocketError::name_not_resolved
                                                      : WebSocketError::connect_failed;
  }
  auto& connection = std::get<Connection>(connected);
  std::unique_ptr<Stream> stream = std::move(connection.stream);
  if (secure) {
    stream = co_await wrap(std::move(stream));
    if (!stream) co_return WebSocketError::tls_failed;
  }
  const std::string target = request.host + ":" + std::to_string(request.port);
  auto impl = std::make_unique<Impl>(executor, std::shared_ptr<Stream>(std::move(stream)),
                                     "websocket " + target);
  impl->peer = connection.peer_address;
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = timeout;  // also bounds the closing handshake
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  impl->ws.set_option(timeouts);
  impl->ws.auto_fragment(false);  // one WSOCKW is one frame
  impl->ws.read_message_max(0);   // messages reach the module in bounded pieces: no limit here
  decorate(impl->ws, request);

  // Host carries the port when it is not the scheme's default (RFC 6455 §4.1).
  const bool default_port = request.port == (secure ? 443 : 80);
  const std::string host_field =
      default_port ? request.host : request.host + ":" + std::to_string(request.port);
  websocket::response_type response;
  const auto [error] = co_await impl->ws.async_handshake(response, host_field, request.path,
                                                         asio::as_tuple(asio::use_awaitable));
  if (error) {
    trace::event(trace::Channel::network, impl->name + " handshake failed: " + error.message() +
                                              " (status " + std::to_string(response.result_int()) +
                                              ")");
    impl->ws.next_layer().close();
    co_return WebSocketError::handshake_failed;
  }
  trace::event(trace::Channel::network, impl->name + " open, path " + request.path);
  co_return std::shared_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
}

asio::awaitable<WebSocketRead> WebSocketClient::read_some(std::span<char> buffer) {
  auto& ws = m_impl->ws;
  const auto [error, count] = co_await ws.async_read_some(
      asio::buffer(buffer.data(), buffer.size()), asio::as_tuple(asio::use_awaitable));
  WebSocketRead read;
  read.error = error;
  read.count = count;
  read.message_done = !error && ws.is_message_done();
  read.type = ws.got_binary() ? MessageType::binary : MessageType::text;
  if (error) {
    trace::event(trace::Channel::network,
                 m_impl->name + " read ended: " + error.message() +
                     (error == websocket::error::closed
                          ? " (close code " + std::to_string(ws.reason().code) + ")"
                          : std::string{}));
  }
  co_return read;
}

asio::awaitable<error_code> WebSocketClient::write(std::string_view bytes, MessageType type,
                                                   FrameEnd end) {
  Impl& impl = *m_impl;
  co_await impl.take_write_turn();
  if (!impl.message_open) impl.ws.binary(type == MessageType::binary);
  const auto [error, count] = co_await impl.ws.async_write_some(
      end == FrameEnd::last, asio::buffer(bytes.data(), bytes.size()),
      asio::as_tuple(asio::use_awaitable));
  (void)count;
  impl.message_open = !error && end == FrameEnd::more;
  impl.end_write_turn();
  if (error) trace::event(trace::Channel::network, impl.name + " write failed: " + error.message());
  co_return error;
}

asio::awaitable<void> WebSocketClient::close(std::uint16_t code) {
  Impl& impl = *m_impl;
  co_await impl.take_write_turn();
  const auto [error] = co_await impl.ws.async_close(websocket::close_reason(code),
                                                    asio::as_tuple(asio::use_awaitable));
  impl.end_write_turn();
  trace::event(trace::Channel::network, impl.name + " closed with code " + std::to_string(code) +
                                            (error ? ": " + error.message() : std::string{}));
  impl.ws.next_layer().close();
}

void WebSocketClient::abort() {
  m_impl->ws.next_layer().close();
}

const std::string& WebSocketClient::peer_address() const {
  return m_impl->peer;
}

StreamKind WebSocketClient::kind() const {
  return m_impl->ws.next_layer().stream().kind();
}

std::uint16_t WebSocketClient::peer_close_code() const {
  return m_impl->ws.reason().code;
}

}  // namespace spwf::net
