#pragma once
// The byte stream between the host and the emulated UART. Implemented by emulator/ (pty, stdio,
// TCP listener) and by tests (memory transport). The Session is its only user.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <span>
#include <string_view>

namespace spwf::atcmd {

/// A host connection carrying raw UART bytes in both directions.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Waits for bytes from the host and stores them in `buffer`; returns how many (> 0). A host
  /// that goes away and comes back (pty reopened) is handled inside: the call keeps waiting.
  /// Returns 0 only when the transport has ended for good (stdin closed, shutdown).
  virtual boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer) = 0;
  /// Bytes the host has already sent, taken without waiting; 0 when none are there (or the
  /// transport cannot tell). Lets the Session go on through a host's stream of commands.
  virtual std::size_t read_available(std::span<char> /*buffer*/) { return 0; }
  /// Queues bytes for the host, in order; never blocks the caller. Bytes produced while no host
  /// is attached follow the transport's documented policy.
  virtual void write(std::string_view bytes) = 0;
  /// Waits until fewer than `below` written bytes wait for the host to read them (or no host is
  /// attached to read them): lets a long relay (an HTTP body) go at the host's pace instead of
  /// queueing without bound. Transports that cannot tell return at once.
  virtual boost::asio::awaitable<void> drained(std::size_t /*below*/) { co_return; }
};

}  // namespace spwf::atcmd
