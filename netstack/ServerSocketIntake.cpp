// How the servers' clients arrive and leave: the other half of ServerSockets (see
// ServerSocketSlots.hpp).

#include <boost/asio/co_spawn.hpp>

#include "netstack/Connector.hpp"
#include "netstack/PlainStreams.hpp"
#include "netstack/ServerSocketSlots.hpp"
#include "netstack/TlsStream.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
using namespace server_sockets;

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

}  // namespace spwf::net
