#pragma once
// The console's output bounds and policies, shared by the pty and TCP transports:
// - while no host is attached: kept (bounded, oldest dropped) until the first host ever
//   attaches, dropped afterwards (OutputBacklog);
// - for an attached host that does not read: queued up to limits::console_unread_output, then
//   new output is dropped, as bytes a UART receiver no longer reads are lost (UnreadOutput).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::emulator {

/// Holds output produced while no host is attached, per the policy above.
class OutputBacklog {
 public:
  /// At most this many bytes are kept before the first host attaches.
  static constexpr std::size_t capacity = limits::console_held_before_first_host;

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

/// Output queued for the attached host, bounded by limits::console_unread_output.
class UnreadOutput {
 public:
  /// Queues `bytes`, or drops all of them when they do not fit beside the `in_flight` bytes the
  /// transport took earlier and is still writing (logged once per host).
  void append(std::string_view bytes, std::string_view transport, std::size_t in_flight = 0) {
    if (in_flight + m_bytes.size() + bytes.size() > limits::console_unread_output) {
      if (!m_drop_reported) {
        log::warn(std::string{transport} + ": the host is not reading; dropping output");
        m_drop_reported = true;
      }
      return;
    }
    m_bytes += bytes;
  }
  /// Takes everything queued.
  std::string take() { return std::exchange(m_bytes, {}); }
  /// The host left (or a new one came): nothing queued, drops reported anew.
  void reset() {
    m_bytes.clear();
    m_drop_reported = false;
  }
  bool empty() const { return m_bytes.empty(); }
  std::size_t size() const { return m_bytes.size(); }

 private:
  std::string m_bytes;
  bool m_drop_reported = false;
};

}  // namespace spwf::emulator
