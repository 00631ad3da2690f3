#include "netstack/MqttClients.hpp"

#include <utility>

namespace spwf::net {

std::optional<unsigned> MqttClients::reserve() {
  const auto id = m_instances.acquire(ClientKind::mqtt);
  if (!id) return std::nullopt;
  return static_cast<unsigned>(*id);
}

void MqttClients::release(unsigned id) {
  if (!m_instances.held_by(static_cast<int>(id), ClientKind::mqtt)) return;
  if (id < m_clients.size()) m_clients[id].reset();
  m_instances.release(static_cast<int>(id));
}

void MqttClients::attach(unsigned id, std::shared_ptr<MqttClient> client) {
  if (id < m_clients.size()) m_clients[id] = std::move(client);
}

std::shared_ptr<MqttClient> MqttClients::find(unsigned id) const {
  if (id >= m_clients.size() || !m_instances.held_by(static_cast<int>(id), ClientKind::mqtt)) {
    return nullptr;
  }
  const auto& client = m_clients[id];
  return client && client->connected() ? client : nullptr;
}

void MqttClients::close_all() {
  for (unsigned id = 0; id < m_clients.size(); ++id) {
    // close() calls the client's on_closed, which releases the id; release() covers a client
    // still connecting.
    if (auto client = m_clients[id]) client->close();
    release(id);
  }
}

}  // namespace spwf::net
