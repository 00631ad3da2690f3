#pragma once
// The module's socket servers (spec §3.6): two servers (sid 0-1, lowest free first), each a real
// listener on the host (TCP acceptor, or one UDP socket whose remote address/port pairs become
// clients), with up to eight clients (cid 0-7, lowest free first), each a Channel.
//
// A client that leaves (WIND 62) keeps its slot while it has unread data, so that the host can
// still drain it with SOCKDR; SOCKDC then frees it (as SOCKC does for client sockets). A client
// that leaves with nothing pending is freed at once, so that its cid is available again.
//
// A TLS server (s1/s2) is a TCP listener whose accepted clients first run the server handshake on
// their own coroutine, holding their cid meanwhile; WIND 61 follows a successful handshake, and a
// client that fails it (or does not finish it within the handshake timeout) raises WIND 62 with
// reason 1 and no 61 before it (spec §3.6 ≈).

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/FaultRules.hpp"
#include "netstack/Channel.hpp"
#include "netstack/NetError.hpp"
#include "netstack/NetEvents.hpp"
#include "netstack/Stream.hpp"
#include "tls/ServerSession.hpp"

namespace spwf::net {

/// What SOCKDON asks for.
struct ServerRequest {
  std::uint16_t port = 0;
  StreamKind kind = StreamKind::tcp;  ///< tcp, udp or tls
  /// tls: what every client's handshake uses (set for kind tls only).
  std::shared_ptr<const tls::ServerSettings> tls;
  /// tls: how long a client may take for its handshake.
  std::chrono::milliseconds handshake_timeout{5000};
  std::size_t capacity = 1500;  ///< per client: ip_sock_memsize x 1500
  unsigned threshold = 0;       ///< ip_sock_threshold
  /// The module's heap for one client (its buffer, a TLS session): a token held while the
  /// client's slot is taken, or null to refuse the client as a full server does. Unset: no
  /// limit.
  std::function<std::shared_ptr<void>(unsigned server, unsigned client)> take_memory;
};

/// One SOCKDL row.
struct ServerClientInfo {
  unsigned server = 0;
  unsigned client = 0;
  bool connected = false;
  StreamKind kind = StreamKind::tcp;
  std::size_t pending = 0;
  std::string address;
  std::uint16_t port = 0;
};

/// The two socket servers and their clients.
class ServerSockets {
 public:
  static constexpr unsigned max_servers = 2;
  static constexpr unsigned max_clients = 8;

  ServerSockets(boost::asio::any_io_executor executor, std::string listen_address,
                NetEventSink sink);
  ~ServerSockets();
  ServerSockets(const ServerSockets&) = delete;
  ServerSockets& operator=(const ServerSockets&) = delete;

  /// Opens a listener; the server id, or too_many_sockets / port_in_use / connect_failed.
  std::variant<unsigned, NetError> open(const ServerRequest& request);
  /// True if the server id is in use.
  bool server_in_use(unsigned server) const;
  /// True if the client slot is in use (connected, or gone with unread data).
  bool client_in_use(unsigned server, unsigned client) const;
  /// Bytes waiting from a client, or nullopt for a bad or unused pair of ids.
  std::optional<std::size_t> pending(unsigned server, unsigned client) const;
  /// Takes up to `count` bytes from a client (the caller has checked the ids).
  std::string read(unsigned server, unsigned client, std::size_t count);
  /// Sends bytes to a client (for UDP: one datagram to its address and port).
  boost::asio::awaitable<NetError> write(unsigned server, unsigned client, std::string_view bytes);
  /// SOCKDC=<sid>,<cid>: drops one client; refuses with pending_data while unread bytes remain.
  NetError close_client(unsigned server, unsigned client);
  /// SOCKDC=<sid>: closes the server and all its clients; refuses with pending_data if any client
  /// has unread bytes (nothing is closed then).
  NetError close_server(unsigned server);
  /// SOCKDL rows in (sid, cid) order, of one server or of all.
  std::vector<ServerClientInfo> list(std::optional<unsigned> server = std::nullopt) const;
  /// Reset / power-on: every server and client closed without indications.
  void close_all();
  /// The fault rules accepted TCP and TLS clients are matched against (kind server).
  void set_faults(config::FaultRules* rules) { m_faults = rules; }

 private:
  struct Server;
  struct Client;

  boost::asio::awaitable<void> accept_loop(std::shared_ptr<Server> server);
  boost::asio::awaitable<void> datagram_loop(std::shared_ptr<Server> server);
  /// Runs the TLS handshake of a client holding slot `client`; attaches it or reports it gone.
  boost::asio::awaitable<void> tls_handshake(std::shared_ptr<Server> server, unsigned client,
                                             std::unique_ptr<Stream> plain, std::string address,
                                             std::uint16_t port);
  std::optional<unsigned> free_client(const Server& server) const;
  /// Puts a client into slot `client` of `server` and raises WIND 61.
  Client& attach(Server& server, unsigned client, std::unique_ptr<Stream> stream,
                 std::string address, std::uint16_t port, std::shared_ptr<void> memory);
  /// The heap token for a new client in slot `client`; null refuses it.
  static std::shared_ptr<void> take_memory(const Server& server, unsigned client);
  void client_gone(unsigned server, unsigned client, unsigned reason);

  boost::asio::any_io_executor m_executor;
  std::string m_listen_address;
  NetEventSink m_sink;
  config::FaultRules* m_faults = nullptr;
  std::array<std::shared_ptr<Server>, max_servers> m_servers;
};

}  // namespace spwf::net
