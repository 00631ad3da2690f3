#pragma once
// The module's client sockets (spec §3.5): ids 0-7, lowest free first, each a Channel over a
// real host socket. An id stays allocated after the peer closes, until SOCKC.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/FaultRules.hpp"
#include "netstack/Channel.hpp"
#include "netstack/HostMapper.hpp"
#include "netstack/NetEvents.hpp"

namespace spwf::net {

/// What SOCKON asks for.
struct OpenRequest {
  std::string host;
  std::uint16_t port = 0;
  std::uint32_t local_port = 0;  ///< SOCKON's third field, reported by SOCKL
  StreamKind kind = StreamKind::tcp;
  std::size_t capacity = 1500;  ///< ip_sock_memsize x 1500
  unsigned threshold = 0;       ///< ip_sock_threshold
};

/// A successful open.
struct Opened {
  unsigned id = 0;
  std::string peer_address;
};

/// One SOCKL row.
struct SocketInfo {
  unsigned id = 0;
  bool connected = false;
  StreamKind kind = StreamKind::tcp;
  std::size_t pending = 0;
  std::string peer_address;
  std::uint32_t local_port = 0;
};

/// Turns a connected TCP stream into a TLS stream (issue: TLS); nullptr means the handshake
/// failed (the wrapper has already reported why).
using StreamWrapper =
    std::function<boost::asio::awaitable<std::unique_ptr<Stream>>(std::unique_ptr<Stream> plain)>;

/// The eight client sockets.
class ClientSockets {
 public:
  static constexpr unsigned max_sockets = 8;

  ClientSockets(boost::asio::any_io_executor executor, const HostMapper& mapper,
                std::chrono::milliseconds connect_timeout, NetEventSink sink);

  /// Opens a socket; `wrap` (for TLS) runs over the connected TCP stream.
  boost::asio::awaitable<std::variant<Opened, NetError>> open(OpenRequest request,
                                                              StreamWrapper wrap = {});
  /// Bytes waiting, or nullopt for a bad or unused id.
  std::optional<std::size_t> pending(unsigned id) const;
  /// Takes up to `count` bytes (the caller has checked the id).
  std::string read(unsigned id, std::size_t count);
  /// True if the id is in use.
  bool in_use(unsigned id) const { return id < max_sockets && m_slots[id] != nullptr; }
  /// Sends bytes on an open socket.
  boost::asio::awaitable<NetError> write(unsigned id, std::string_view bytes);
  /// SOCKC: refuses with pending_data while unread bytes remain.
  NetError close(unsigned id);
  /// SOCKL rows in id order.
  std::vector<SocketInfo> list() const;
  /// How many sockets of this kind are open.
  unsigned count(StreamKind kind) const;
  /// Reset / radio off: every socket closed without indications.
  void close_all();
  /// The control interface: the peer of socket `id` closes (+WIND:58 with `reason`); false for
  /// an unused id or one whose peer has already gone.
  bool close_by_peer(unsigned id, unsigned reason);
  /// The fault rules new sockets are matched against (none: no faults).
  void set_faults(config::FaultRules* rules) { m_faults = rules; }

 private:
  struct Slot {
    std::shared_ptr<Channel> channel;
    std::string peer_address;
    std::uint32_t local_port = 0;
    StreamKind kind = StreamKind::tcp;
  };
  std::optional<unsigned> free_id() const;

  boost::asio::any_io_executor m_executor;
  const HostMapper& m_mapper;
  std::chrono::milliseconds m_connect_timeout;
  NetEventSink m_sink;
  std::array<std::unique_ptr<Slot>, max_sockets> m_slots;
  std::array<bool, max_sockets> m_reserved{};
  config::FaultRules* m_faults = nullptr;
};

}  // namespace spwf::net
