#include "netstack/ServerSockets.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "netstack/ServerSocketSlots.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
using namespace server_sockets;

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
