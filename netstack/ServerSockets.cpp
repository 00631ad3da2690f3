#include "netstack/ServerSockets.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

#include "netstack/Connector.hpp"
#include "netstack/PlainStreams.hpp"
#include "netstack/TlsStream.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

namespace {

// The address as the module prints it: IPv4-mapped IPv6 addresses as plain IPv4.
std::string printable(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

std::string server_name(unsigned server) {
  return "server " + std::to_string(server);
}

std::string client_name(unsigned server, unsigned client) {
  return server_name(server) + " client " + std::to_string(client);
}

// One remote of a UDP server as a Stream: the server's receive loop hands it the datagrams that
// come from its address and port; writes go back to that remote through the server's socket.
class DatagramClientStream : public Stream {
 public:
  DatagramClientStream(asio::any_io_executor executor, std::shared_ptr<udp::socket> socket,
                       udp::endpoint remote)
      : m_socket(std::move(socket)), m_remote(remote), m_arrived(executor) {}

  /// Queues one datagram from the remote and wakes the reader.
  void deliver(std::string datagram) {
    m_queue.push_back(std::move(datagram));
    m_arrived.cancel();
  }

  asio::awaitable<std::pair<error_code, std::size_t>> read_some(std::span<char> buffer) override {
    while (m_queue.empty() && !m_closed) {
      m_arrived.expires_at(asio::steady_timer::time_point::max());
      co_await m_arrived.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (m_closed) co_return std::pair{error_code{asio::error::operation_aborted}, std::size_t{0}};
    const std::string datagram = std::move(m_queue.front());
    m_queue.pop_front();
    const std::size_t count = std::min(datagram.size(), buffer.size());
    std::copy_n(datagram.data(), count, buffer.data());
    co_return std::pair{error_code{}, count};
  }

  asio::awaitable<error_code> write_all(std::string_view bytes) override {
    if (m_closed) co_return error_code{asio::error::bad_descriptor};
    auto [error, count] = co_await m_socket->async_send_to(asio::buffer(bytes), m_remote,
                                                           asio::as_tuple(asio::use_awaitable));
    (void)count;
    co_return error;
  }

  void close() override {
    m_closed = true;
    m_arrived.cancel();
  }

  StreamKind kind() const override { return StreamKind::udp; }

 private:
  std::shared_ptr<udp::socket> m_socket;
  udp::endpoint m_remote;
  asio::steady_timer m_arrived;
  std::deque<std::string> m_queue;
  bool m_closed = false;
};

}  // namespace

/// One client slot: connected, gone with unread data, or (TLS) still in its handshake, when it
/// has no channel yet.
struct ServerSockets::Client {
  std::shared_ptr<Channel> channel;
  Stream* handshaking = nullptr;  ///< TLS: the stream in its handshake (owned by its coroutine)
  std::string address;
  std::uint16_t port = 0;
  udp::endpoint remote;                       ///< UDP: the remote this client stands for
  DatagramClientStream* datagrams = nullptr;  ///< UDP: owned by the channel
  bool gone = false;
  std::shared_ptr<void> memory;  ///< the module's heap this client holds (see take_memory)
};

/// One listening server. Shared with its receive loop, which ends once `closed` is set.
struct ServerSockets::Server {
  unsigned id = 0;
  ServerRequest request;
  std::optional<tcp::acceptor> acceptor;
  std::shared_ptr<udp::socket> datagrams;
  std::array<std::unique_ptr<Client>, max_clients> clients;
  bool closed = false;

  void close_clients() {
    for (auto& client : clients) {
      if (!client) continue;
      if (client->channel) client->channel->close();
      if (client->handshaking) client->handshaking->close();
      client.reset();
    }
  }
  void close() {
    closed = true;
    close_clients();
    error_code ignored;
    if (acceptor) acceptor->close(ignored);
    if (datagrams) datagrams->close(ignored);
  }
};

ServerSockets::ServerSockets(asio::any_io_executor executor, std::string listen_address,
                             NetEventSink sink)
    : m_executor(executor), m_listen_address(std::move(listen_address)), m_sink(std::move(sink)) {}

ServerSockets::~ServerSockets() {
  close_all();
}

std::variant<unsigned, NetError> ServerSockets::open(const ServerRequest& request) {
  std::optional<unsigned> id;
  for (unsigned server = 0; server < max_servers; ++server) {
    if (!m_servers[server]) {
      id = server;
      break;
    }
  }
  if (!id) return NetError::too_many_sockets;
  for (const auto& server : m_servers) {
    if (server && server->request.port == request.port) return NetError::port_in_use;
  }
  error_code error;
  const auto address = asio::ip::make_address(m_listen_address, error);
  if (error) {
    log::error("server_listen_address \"" + m_listen_address + "\" is not an address");
    return NetError::connect_failed;
  }
  auto server = std::make_shared<Server>();
  server->id = *id;
  server->request = request;
  const bool is_udp = request.kind == StreamKind::udp;
  if (is_udp) {
    const udp::endpoint endpoint{address, request.port};
    server->datagrams = std::make_shared<udp::socket>(m_executor);
    server->datagrams->open(endpoint.protocol(), error);
    if (!error) server->datagrams->bind(endpoint, error);
  } else {
    const tcp::endpoint endpoint{address, request.port};
    server->acceptor.emplace(m_executor);
    tcp::acceptor& acceptor = *server->acceptor;
    acceptor.open(endpoint.protocol(), error);
    if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor.bind(endpoint, error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  }
  const char* protocol = is_udp ? " (UDP)" : request.kind == StreamKind::tls ? " (TLS)" : " (TCP)";
  const std::string where = m_listen_address + ":" + std::to_string(request.port) + protocol;
  if (error) {
    trace::event(trace::Channel::network,
                 server_name(*id) + " cannot listen on " + where + ": " + error.message());
    if (error == asio::error::address_in_use) return NetError::port_in_use;
    log::warn("SOCKDON: cannot listen on " + where + ": " + error.message());
    return NetError::connect_failed;
  }
  trace::event(trace::Channel::network, server_name(*id) + " listening on " + where);
  m_servers[*id] = server;
  auto report = [](std::exception_ptr failure) {
    if (failure) log::error("server receive loop failed");
  };
  if (is_udp) {
    asio::co_spawn(m_executor, datagram_loop(server), report);
  } else {
    asio::co_spawn(m_executor, accept_loop(server), report);
  }
  return *id;
}

std::optional<unsigned> ServerSockets::free_client(const Server& server) const {
  for (unsigned client = 0; client < max_clients; ++client) {
    if (!server.clients[client]) return client;
  }
  return std::nullopt;
}

std::shared_ptr<void> ServerSockets::take_memory(const Server& server, unsigned client) {
  if (!server.request.take_memory) return std::make_shared<int>(0);
  return server.request.take_memory(server.id, client);
}

ServerSockets::Client& ServerSockets::attach(Server& server, unsigned client,
                                             std::unique_ptr<Stream> stream, std::string address,
                                             std::uint16_t port, std::shared_ptr<void> memory) {
  const unsigned server_id = server.id;
  ChannelCallbacks callbacks{
      [this, server_id, client](std::size_t received, std::size_t total) {
        if (m_sink) m_sink(ServerData{server_id, client, received, total});
      },
      [this, server_id, client](std::size_t bytes) {
        if (m_sink) m_sink(ServerDropped{server_id, client, bytes});
      },
      [this, server_id, client](unsigned reason) { client_gone(server_id, client, reason); }};
  auto slot = std::make_unique<Client>();
  slot->memory = std::move(memory);
  slot->address = std::move(address);
  slot->port = port;
  slot->channel = std::make_shared<Channel>(m_executor, std::move(stream), server.request.capacity,
                                            server.request.threshold, std::move(callbacks));
  trace::event(trace::Channel::network, client_name(server_id, client) + " arrived from " +
                                            slot->address + ":" + std::to_string(port));
  slot->channel->start(client_name(server_id, client));
  Client& attached = *slot;
  server.clients[client] = std::move(slot);  // replaces a TLS client's handshake placeholder
  if (m_sink) m_sink(ServerClientArrived{server_id, client, attached.address, attached.port});
  return attached;
}

void ServerSockets::client_gone(unsigned server, unsigned client, unsigned reason) {
  if (!client_in_use(server, client)) return;
  auto& slot = m_servers[server]->clients[client];
  const ServerClientGone event{server, client, slot->address, slot->port, reason};
  slot->gone = true;
  // The channel stays for its unread bytes; its host socket is released now.
  slot->channel->close();
  if (slot->channel->pending() == 0) slot.reset();
  if (m_sink) m_sink(event);
}

asio::awaitable<void> ServerSockets::accept_loop(std::shared_ptr<Server> server) {
  while (true) {
    auto [error, socket] =
        co_await server->acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
    if (server->closed) co_return;
    if (error) {
      if (error == asio::error::connection_aborted) continue;
      log::warn(server_name(server->id) + " stopped accepting: " + error.message());
      co_return;
    }
    error_code endpoint_error;
    const tcp::endpoint remote = socket.remote_endpoint(endpoint_error);
    const auto client = free_client(*server);
    auto memory = client ? take_memory(*server, *client) : nullptr;
    if (endpoint_error || !memory) {
      trace::event(trace::Channel::network,
                   server_name(server->id) + " refused a client: " +
                       (client ? "the module's heap is full" : "no free client slot"));
      socket.close(endpoint_error);
      if (m_sink) m_sink(ServerClientRefused{server->id});
      continue;
    }
    const FaultScope faults{m_faults, config::ConnectionKind::server, server->id,
                            client_name(server->id, *client)};
    auto plain = accepted_with_faults(m_executor, std::make_unique<TcpStream>(std::move(socket)),
                                      printable(remote.address()), server->request.port, faults);
    if (!plain) continue;  // refused by a fault rule: the client sees the close
    if (server->request.kind == StreamKind::tls) {
      // The slot is held during the handshake, which runs on its own coroutine so that a
      // stalling client delays nobody.
      server->clients[*client] = std::make_unique<Client>();
      server->clients[*client]->memory = std::move(memory);
      auto report = [](std::exception_ptr failure) {
        if (failure) log::error("TLS server handshake failed unexpectedly");
      };
      asio::co_spawn(m_executor,
                     tls_handshake(server, *client, std::move(plain), printable(remote.address()),
                                   remote.port()),
                     report);
      continue;
    }
    attach(*server, *client, std::move(plain), printable(remote.address()), remote.port(),
           std::move(memory));
  }
}

asio::awaitable<void> ServerSockets::tls_handshake(std::shared_ptr<Server> server, unsigned client,
                                                   std::unique_ptr<Stream> plain,
                                                   std::string address, std::uint16_t port) {
  const std::string peer = address + ":" + std::to_string(port);
  auto stream = std::make_unique<TlsStream>(
      std::move(plain), std::make_unique<tls::ServerSession>(server->request.tls, peer));
  server->clients[client]->handshaking = stream.get();
  trace::event(trace::Channel::tls,
               client_name(server->id, client) + " from " + peer + ": TLS handshake starts");
  const bool done = co_await stream->handshake(server->request.handshake_timeout);
  // The server may have been closed meanwhile (its slots are gone then; nothing to report).
  if (server->closed || !server->clients[client] ||
      server->clients[client]->handshaking != stream.get()) {
    stream->close();
    co_return;
  }
  server->clients[client]->handshaking = nullptr;
  if (!done) {
    const std::string why = stream->session().error();
    trace::event(trace::Channel::tls, client_name(server->id, client) + " from " + peer +
                                          ": TLS handshake failed" +
                                          (why.empty() ? std::string{} : ": " + why));
    stream->close();
    server->clients[client].reset();
    if (m_sink) m_sink(ServerClientGone{server->id, client, address, port, 1});
    co_return;
  }
  trace::event(trace::Channel::tls,
               client_name(server->id, client) + " from " + peer + ": TLS handshake done");
  attach(*server, client, std::move(stream), std::move(address), port,
         std::move(server->clients[client]->memory));
}

asio::awaitable<void> ServerSockets::datagram_loop(std::shared_ptr<Server> server) {
  std::array<char, 65536> buffer;
  udp::endpoint remote;
  while (true) {
    auto [error, count] = co_await server->datagrams->async_receive_from(
        asio::buffer(buffer), remote, asio::as_tuple(asio::use_awaitable));
    if (server->closed) co_return;
    if (error) {
      if (error == asio::error::connection_refused) continue;  // ICMP from an earlier send
      log::warn(server_name(server->id) + " stopped receiving: " + error.message());
      co_return;
    }
    Client* target = nullptr;
    for (auto& client : server->clients) {
      if (client && !client->gone && client->remote == remote) target = client.get();
    }
    if (!target) {
      const auto client = free_client(*server);
      auto memory = client ? take_memory(*server, *client) : nullptr;
      if (!memory) {
        trace::event(trace::Channel::network,
                     server_name(server->id) + " dropped a datagram from " +
                         printable(remote.address()) + ":" + std::to_string(remote.port()) +
                         (client ? ": the module's heap is full" : ": no free client slot"));
        if (m_sink) m_sink(ServerClientRefused{server->id});
        continue;
      }
      auto stream = std::make_unique<DatagramClientStream>(m_executor, server->datagrams, remote);
      DatagramClientStream* datagrams = stream.get();
      target = &attach(*server, *client, std::move(stream), printable(remote.address()),
                       remote.port(), std::move(memory));
      target->remote = remote;
      target->datagrams = datagrams;
    }
    target->datagrams->deliver(std::string{buffer.data(), count});
  }
}

bool ServerSockets::server_in_use(unsigned server) const {
  return server < max_servers && m_servers[server] != nullptr;
}

bool ServerSockets::client_in_use(unsigned server, unsigned client) const {
  // A TLS client still in its handshake holds its slot but is not in use for the host yet.
  return server_in_use(server) && client < max_clients &&
         m_servers[server]->clients[client] != nullptr &&
         m_servers[server]->clients[client]->channel != nullptr;
}

std::optional<std::size_t> ServerSockets::pending(unsigned server, unsigned client) const {
  if (!client_in_use(server, client)) return std::nullopt;
  return m_servers[server]->clients[client]->channel->pending();
}

std::string ServerSockets::read(unsigned server, unsigned client, std::size_t count) {
  if (!client_in_use(server, client)) return {};
  return m_servers[server]->clients[client]->channel->take(count);
}

asio::awaitable<NetError> ServerSockets::write(unsigned server, unsigned client,
                                               std::string_view bytes) {
  if (!client_in_use(server, client)) co_return NetError::illegal_id;
  const Client& slot = *m_servers[server]->clients[client];
  if (slot.gone) co_return NetError::not_connected;
  // Keep the channel alive even if the client is dropped while the write is in flight.
  auto channel = slot.channel;
  co_return co_await channel->write(bytes);
}

NetError ServerSockets::close_client(unsigned server, unsigned client) {
  if (!client_in_use(server, client)) return NetError::illegal_id;
  auto& slot = m_servers[server]->clients[client];
  if (slot->channel->pending() > 0) return NetError::pending_data;
  slot->channel->close();
  slot.reset();
  trace::event(trace::Channel::network, client_name(server, client) + " dropped by the host");
  return NetError::none;
}

NetError ServerSockets::close_server(unsigned server) {
  if (!server_in_use(server)) return NetError::illegal_id;
  for (const auto& client : m_servers[server]->clients) {
    if (client && client->channel && client->channel->pending() > 0) {
      return NetError::pending_data;
    }
  }
  m_servers[server]->close();
  m_servers[server].reset();
  trace::event(trace::Channel::network, server_name(server) + " closed by the host");
  return NetError::none;
}

std::vector<ServerClientInfo> ServerSockets::list(std::optional<unsigned> only) const {
  std::vector<ServerClientInfo> rows;
  for (unsigned server = 0; server < max_servers; ++server) {
    if (!m_servers[server] || (only && *only != server)) continue;
    for (unsigned client = 0; client < max_clients; ++client) {
      const auto& slot = m_servers[server]->clients[client];
      if (!slot || !slot->channel) continue;
      rows.push_back({server, client, !slot->gone, m_servers[server]->request.kind,
                      slot->channel->pending(), slot->address, slot->port});
    }
  }
  return rows;
}

void ServerSockets::close_all() {
  for (auto& server : m_servers) {
    if (!server) continue;
    server->close();
    server.reset();
  }
}

}  // namespace spwf::net
