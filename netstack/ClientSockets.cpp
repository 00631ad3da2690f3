#include "netstack/ClientSockets.hpp"

#include "netstack/Connector.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;

ClientSockets::ClientSockets(asio::any_io_executor executor, const HostMapper& mapper,
                             std::chrono::milliseconds connect_timeout, NetEventSink sink)
    : m_executor(executor),
      m_mapper(mapper),
      m_connect_timeout(connect_timeout),
      m_sink(std::move(sink)) {}

std::optional<unsigned> ClientSockets::free_id() const {
  for (unsigned id = 0; id < max_sockets; ++id) {
    if (!m_slots[id] && !m_reserved[id]) return id;
  }
  return std::nullopt;
}

asio::awaitable<std::variant<Opened, NetError>> ClientSockets::open(OpenRequest request,
                                                                    StreamWrapper wrap) {
  const auto id = free_id();
  if (!id) co_return NetError::too_many_sockets;
  // The id is taken from now on, so that nothing else can claim it while we connect.
  m_reserved[*id] = true;
  const StreamKind transport = request.kind == StreamKind::udp ? StreamKind::udp : StreamKind::tcp;
  const auto kind = request.kind == StreamKind::udp   ? config::ConnectionKind::udp
                    : request.kind == StreamKind::tls ? config::ConnectionKind::tls
                                                      : config::ConnectionKind::tcp;
  const FaultScope faults{m_faults, kind, *id, "socket " + std::to_string(*id)};
  auto outcome = co_await connect_to(m_executor, m_mapper, request.host, request.port, transport,
                                     m_connect_timeout, faults);
  m_reserved[*id] = false;
  if (auto* failure = std::get_if<NetError>(&outcome)) co_return *failure;
  Connection connection = std::move(std::get<Connection>(outcome));
  if (wrap) {
    m_reserved[*id] = true;
    connection.stream = co_await wrap(std::move(connection.stream));
    m_reserved[*id] = false;
    if (!connection.stream) co_return NetError::connect_failed;
  }
  const unsigned socket_id = *id;
  ChannelCallbacks callbacks{[this, socket_id](std::size_t received, std::size_t total) {
                               if (m_sink) m_sink(SocketData{socket_id, received, total});
                             },
                             [this, socket_id](std::size_t bytes) {
                               if (m_sink) m_sink(SocketDropped{socket_id, bytes});
                             },
                             [this, socket_id](unsigned reason) {
                               if (m_sink) m_sink(SocketClosed{socket_id, reason});
                             }};
  auto slot = std::make_unique<Slot>();
  slot->channel =
      std::make_shared<Channel>(m_executor, std::move(connection.stream), request.capacity,
                                request.threshold, std::move(callbacks));
  slot->peer_address = connection.peer_address;
  slot->local_port = request.local_port;
  slot->kind = request.kind;
  slot->channel->start("socket " + std::to_string(socket_id));
  m_slots[socket_id] = std::move(slot);
  co_return Opened{socket_id, connection.peer_address};
}

std::optional<std::size_t> ClientSockets::pending(unsigned id) const {
  if (!in_use(id)) return std::nullopt;
  return m_slots[id]->channel->pending();
}

std::string ClientSockets::read(unsigned id, std::size_t count) {
  if (!in_use(id)) return {};
  return m_slots[id]->channel->take(count);
}

asio::awaitable<NetError> ClientSockets::write(unsigned id, std::string_view bytes) {
  if (!in_use(id)) co_return NetError::illegal_id;
  // Keep the channel alive even if the socket is closed while the write is in flight.
  auto channel = m_slots[id]->channel;
  co_return co_await channel->write(bytes);
}

NetError ClientSockets::close(unsigned id) {
  if (!in_use(id)) return NetError::illegal_id;
  if (m_slots[id]->channel->pending() > 0) return NetError::pending_data;
  m_slots[id]->channel->close();
  m_slots[id].reset();
  trace::event(trace::Channel::network, "socket " + std::to_string(id) + " closed by the host");
  return NetError::none;
}

bool ClientSockets::close_by_peer(unsigned id, unsigned reason) {
  if (!in_use(id) || m_slots[id]->channel->peer_closed()) return false;
  m_slots[id]->channel->close_by_peer(reason);
  return true;
}

std::vector<SocketInfo> ClientSockets::list() const {
  std::vector<SocketInfo> rows;
  for (unsigned id = 0; id < max_sockets; ++id) {
    if (!m_slots[id]) continue;
    const Slot& slot = *m_slots[id];
    rows.push_back({id, !slot.channel->peer_closed(), slot.kind, slot.channel->pending(),
                    slot.peer_address, slot.local_port});
  }
  return rows;
}

unsigned ClientSockets::count(StreamKind kind) const {
  unsigned total = 0;
  for (const auto& slot : m_slots) {
    if (slot && slot->kind == kind) ++total;
  }
  return total;
}

void ClientSockets::close_all() {
  for (auto& slot : m_slots) {
    if (!slot) continue;
    slot->channel->close();
    slot.reset();
  }
}

}  // namespace spwf::net
