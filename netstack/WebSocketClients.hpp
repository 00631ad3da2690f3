#pragma once
// The module's WebSocket clients (spec §3.11): each holds one of the instances it shares with
// MQTT (ClientInstances), its connection, and a receive buffer the host drains with WSOCKR.
// Arrivals and the peer's close are reported as events (+WIND:88, +WIND:89). The instance is
// given back by WSOCKC, by the peer's close (what was still unread is lost with it) and at
// power-on.
//
// The receive buffer holds at most `capacity` bytes (WSOCKON passes ip_sock_memsize x
// limits::websocket_buffer_unit): when it is full the client stops reading from the server until
// the host has read, so the server's TCP window closes as with a full socket (spec §3.5.3);
// nothing is dropped.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "netstack/ClientInstances.hpp"
#include "netstack/HostMapper.hpp"
#include "netstack/NetError.hpp"
#include "netstack/NetEvents.hpp"
#include "netstack/WebSocketClient.hpp"

namespace spwf::net {

/// Why WSOCKON failed.
enum class WebSocketOpenError {
  no_instance,  ///< both shared instances are in use
  name_not_resolved,
  connect_failed,
  tls_failed,
  handshake_failed,
};

/// One WSOCKL row.
struct WebSocketInfo {
  unsigned id = 0;
  std::string host;
  std::uint16_t port = 0;
};

/// The open WebSocket clients, by instance id.
class WebSocketClients {
 public:
  WebSocketClients(boost::asio::any_io_executor executor, const HostMapper& mapper,
                   ClientInstances& instances, std::chrono::milliseconds timeout,
                   NetEventSink sink);
  ~WebSocketClients();
  WebSocketClients(const WebSocketClients&) = delete;
  WebSocketClients& operator=(const WebSocketClients&) = delete;

  /// Takes an instance, connects and starts receiving; `capacity` bounds the receive buffer.
  /// `held` (the module's resources the client takes: heap, a TLS session) is kept until the
  /// client gives its instance back.
  boost::asio::awaitable<std::variant<unsigned, WebSocketOpenError>> open(
      WebSocketRequest request, StreamWrapper wrap, std::size_t capacity,
      std::shared_ptr<void> held = {});
  /// True if `id` is an open WebSocket client.
  bool in_use(unsigned id) const { return m_slots.contains(id); }
  /// Bytes waiting, or nullopt for an id that is not an open WebSocket.
  std::optional<std::size_t> pending(unsigned id) const;
  /// Takes up to `count` bytes (the caller has checked the id).
  std::string read(unsigned id, std::size_t count);
  /// Sends one frame; not_connected once the peer has closed, write_failed when sending fails.
  boost::asio::awaitable<NetError> write(unsigned id, std::string_view bytes, MessageType type,
                                         FrameEnd end);
  /// WSOCKC: gives the instance back at once and runs the closing handshake with `code` in the
  /// background (no indication follows).
  void close(unsigned id, std::uint16_t code);
  /// WSOCKL rows in id order.
  std::vector<WebSocketInfo> list() const;
  /// Power-on, radio off: every client dropped without indications or closing handshake.
  void close_all();

 private:
  struct Slot;
  static boost::asio::awaitable<void> receive_loop(std::shared_ptr<Slot> slot);
  /// The peer closed or the connection failed: +WIND:89 and the instance given back.
  void peer_gone(const std::shared_ptr<Slot>& slot);

  boost::asio::any_io_executor m_executor;
  const HostMapper& m_mapper;
  ClientInstances& m_instances;
  std::chrono::milliseconds m_timeout;
  NetEventSink m_sink;
  std::map<unsigned, std::shared_ptr<Slot>> m_slots;
};

}  // namespace spwf::net
