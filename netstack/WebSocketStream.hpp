#pragma once
// A net::Stream over a WebSocket connection, for protocols the module runs over WebSocket (MQTT
// with a non-empty <path>, spec §3.10): every write_all is one binary message, read_some returns
// message bytes as they arrive (message boundaries are not kept, as a byte stream's are not).

#include <memory>

#include "netstack/Stream.hpp"
#include "netstack/WebSocketClient.hpp"

namespace spwf::net {

/// Binary messages as a byte stream.
class WebSocketStream : public Stream {
 public:
  explicit WebSocketStream(std::shared_ptr<WebSocketClient> client) : m_client(std::move(client)) {}

  /// Message bytes; the peer's close frame (or the end of the connection) reads as eof.
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      std::span<char> buffer) override;
  /// Sends the bytes as one binary message.
  boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes) override;
  /// Closes the connection at once (no closing handshake: pending reads end now).
  void close() override { m_client->abort(); }
  /// The kind of the connection underneath (TCP, or TLS for wss).
  StreamKind kind() const override { return m_client->kind(); }

 private:
  std::shared_ptr<WebSocketClient> m_client;
};

}  // namespace spwf::net
