#pragma once
// The policy for console output while no host is attached, shared by the pty and TCP transports:
// kept (bounded, oldest dropped) until the first host ever attaches, dropped afterwards.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace spwf::emulator {

/// Holds output produced while no host is attached, per the policy above.
class OutputBacklog {
 public:
  /// At most this many bytes are kept before the first host attaches.
  static constexpr std::size_t capacity = 64 * 1024;

  /// Records output produced while nobody is attached.
  void store(std::string_view bytes) {
    if (m_host_seen) return;
    m_bytes += bytes;
    if (m_bytes.size() > capacity) m_bytes.erase(0, m_bytes.size() - capacity);
  }
  /// A host attached: returns what it should receive first and switches to dropping.
  std::string take_on_attach() {
    m_host_seen = true;
    return std::exchange(m_bytes, {});
  }
  bool host_seen() const { return m_host_seen; }

 private:
  std::string m_bytes;
  bool m_host_seen = false;
};

}  // namespace spwf::emulator
