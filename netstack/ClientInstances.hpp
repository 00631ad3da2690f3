#pragma once
// The module's application-client instances (spec §3.10: "2 instances shared by MQTT and
// WebSocket clients"). This table only hands out and takes back the ids; each protocol keeps its
// own client objects keyed by the id it was given. A third client answers the module's error.

#include <array>
#include <optional>

#include "support/Limits.hpp"

namespace spwf::net {

/// What holds an instance.
enum class ClientKind { mqtt, websocket };

/// Which of the shared MQTT/WebSocket instances are in use, and by what.
class ClientInstances {
 public:
  /// Takes the lowest free id for a client of this kind; nullopt when every instance is in use.
  std::optional<int> acquire(ClientKind kind) {
    const auto id = next_free();
    if (id) m_slots[*id] = kind;
    return id;
  }
  /// The id acquire() would take now; nullopt when every instance is in use.
  std::optional<int> next_free() const {
    for (int id = 0; id < static_cast<int>(m_slots.size()); ++id) {
      if (!m_slots[id]) return id;
    }
    return std::nullopt;
  }
  /// Gives an id back (an unknown or free id is ignored).
  void release(int id) {
    if (valid(id)) m_slots[id].reset();
  }
  /// The kind holding this id, or nullopt when it is free or out of range.
  std::optional<ClientKind> kind_of(int id) const { return valid(id) ? m_slots[id] : std::nullopt; }
  /// True when the id is held by a client of this kind.
  bool held_by(int id, ClientKind kind) const { return kind_of(id) == kind; }

 private:
  bool valid(int id) const { return id >= 0 && id < static_cast<int>(m_slots.size()); }
  std::array<std::optional<ClientKind>, limits::application_clients> m_slots{};
};

}  // namespace spwf::net
