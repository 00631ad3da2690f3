#pragma once
// One WebSocket client connection (spec §3.11): Boost.Beast's websocket::stream over the
// emulator's own stream (AsyncStreamAdapter), opened through the Connector like the socket and
// HTTP clients (host mapping, --allow/--deny, the trace) and, for wss, wrapped by the same TLS
// wrapper (the module's name rule, store and certificate errors). The handshake carries the
// fields WSOCKON gives: path, Origin, Sec-WebSocket-Protocol, Sec-WebSocket-Extensions and a
// Basic Authorization header. Beast stays inside WebSocketClient.cpp.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "netstack/ClientSockets.hpp"  // StreamWrapper
#include "netstack/Connector.hpp"      // FaultScope
#include "netstack/HostMapper.hpp"

namespace spwf::net {

/// What WSOCKON asks for.
struct WebSocketRequest {
  std::string host;  ///< connect target, Host header and TLS name
  std::uint16_t port = 80;
  std::string path = "/";
  std::string user;  ///< Basic authentication when not empty
  std::string password;
  std::string origin;      ///< Origin header when not empty
  std::string protocol;    ///< Sec-WebSocket-Protocol when not empty
  std::string extensions;  ///< Sec-WebSocket-Extensions when not empty
  FaultScope faults;       ///< the fault rules the connection is matched against
};

/// Why a connection could not be opened.
enum class WebSocketError {
  name_not_resolved,  ///< DNS failure
  connect_failed,     ///< refused, unreachable, timed out, denied by the rules
  tls_failed,         ///< the TLS wrapper refused (it has reported why)
  handshake_failed,   ///< the server did not upgrade (or the handshake timed out)
};

/// Short text for logs.
std::string_view to_string(WebSocketError error);

/// The type of a message.
enum class MessageType { text, binary };
/// Whether a frame ends its message (FIN) or more fragments follow.
enum class FrameEnd { more, last };

/// What one read returned.
struct WebSocketRead {
  boost::system::error_code error;  ///< websocket::error::closed after the peer's close frame
  std::size_t count = 0;
  bool message_done = false;  ///< these bytes end a message
  MessageType type = MessageType::text;
};

/// An open WebSocket connection (client role). One read and one write may run at a time; writes
/// from several coroutines wait for each other.
class WebSocketClient {
 public:
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  /// Connects (mapped, allowed, wrapped by `wrap` when set) and runs the opening handshake;
  /// `timeout` bounds the TCP connect and, separately, the handshake (and later the closing
  /// handshake).
  static boost::asio::awaitable<std::variant<std::shared_ptr<WebSocketClient>, WebSocketError>>
  connect(boost::asio::any_io_executor executor, const HostMapper& mapper, WebSocketRequest request,
          StreamWrapper wrap, std::chrono::milliseconds timeout);

  /// Reads message bytes as they arrive (never more than one message's bytes per read).
  boost::asio::awaitable<WebSocketRead> read_some(std::span<char> buffer);
  /// Sends one frame: the first frame of a message sets its type; FrameEnd::last ends it.
  boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes, MessageType type,
                                                          FrameEnd end);
  /// Starts the closing handshake with this status code and returns when it has ended (or
  /// failed, or timed out); the stream is closed afterwards.
  boost::asio::awaitable<void> close(std::uint16_t code);
  /// Closes the stream at once; pending operations end with an error.
  void abort();
  /// The address connected to (the module reports it nowhere yet, the trace does).
  const std::string& peer_address() const;
  /// The kind of the connection underneath (TCP, or TLS for wss).
  StreamKind kind() const;
  /// The close code the peer sent (0 when none).
  std::uint16_t peer_close_code() const;

 private:
  struct Impl;
  explicit WebSocketClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace spwf::net
