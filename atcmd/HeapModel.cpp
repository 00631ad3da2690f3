#include "atcmd/HeapModel.hpp"

#include <algorithm>

#include "support/Limits.hpp"

namespace spwf::atcmd {

HeapModel::HeapModel() : m_lowest(static_cast<std::uint32_t>(limits::heap_free_at_boot)) {}

bool HeapModel::reserve(HeapUser user, unsigned id, std::size_t bytes) {
  release(user, id);
  if (bytes > limits::heap_free_at_boot - m_used) return false;
  m_reserved[{user, id}] = bytes;
  m_used += bytes;
  m_lowest = std::min(m_lowest, free());
  return true;
}

std::shared_ptr<void> HeapModel::hold(HeapUser user, unsigned id, std::size_t bytes) {
  if (!reserve(user, id, bytes)) return nullptr;
  return std::shared_ptr<void>(this, [this, user, id, generation = m_generation](void*) {
    if (generation == m_generation) release(user, id);
  });
}

void HeapModel::release(HeapUser user, unsigned id) {
  const auto found = m_reserved.find({user, id});
  if (found == m_reserved.end()) return;
  m_used -= found->second;
  m_reserved.erase(found);
}

void HeapModel::release_all(HeapUser user) {
  for (auto it = m_reserved.begin(); it != m_reserved.end();) {
    if (it->first.first == user) {
      m_used -= it->second;
      it = m_reserved.erase(it);
    } else {
      ++it;
    }
  }
}

void HeapModel::reset() {
  m_reserved.clear();
  m_used = 0;
  ++m_generation;
  m_lowest = free();
}

std::uint32_t HeapModel::free() const {
  return static_cast<std::uint32_t>(limits::heap_free_at_boot - m_used);
}

std::size_t HeapModel::socket_cost(std::size_t receive_buffer, bool tls) {
  return limits::heap_per_socket + receive_buffer + (tls ? limits::heap_per_tls_session : 0);
}

bool HeapModel::can_take(std::size_t bytes) {
  if (m_failures > 0) {
    --m_failures;
    return false;
  }
  return bytes <= free();
}

}  // namespace spwf::atcmd
