#pragma once
// Test support: an in-memory atcmd::Transport. The test plays the host: it pushes bytes, which
// read_some hands to the Session in pieces of at most a configurable size (1, 8 or unlimited),
// so every test can prove that the framing copes with however the bytes happen to arrive. What
// the Session writes is captured in a string. Single-threaded: use it on one io_context only.

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "atcmd/Transport.hpp"

namespace spwf::atcmd::testing {

/// A host connection in memory: pushed bytes come out of read_some in bounded pieces.
class MemoryTransport : public Transport {
 public:
  /// Piece size meaning "as much as the reader's buffer takes".
  static constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

  /// `piece_size` bounds how many bytes one read_some returns (at least 1).
  MemoryTransport(boost::asio::any_io_executor executor, std::size_t piece_size)
      : m_wakeup(std::move(executor)), m_piece_size(std::max<std::size_t>(piece_size, 1)) {
    m_wakeup.expires_at(boost::asio::steady_timer::time_point::max());
  }

  /// The host sends `bytes`; a suspended read_some wakes up.
  void push(std::string_view bytes) {
    m_input += bytes;
    wake_reader();
  }

  /// The host goes away for good: read_some returns 0 once the pushed bytes are consumed.
  void close() {
    m_closed = true;
    wake_reader();
  }

  /// Everything the Session wrote so far.
  const std::string& output() const { return m_output; }
  /// Returns the captured output and forgets it, so the next check sees only new bytes.
  std::string take_output() { return std::exchange(m_output, {}); }
  /// Host bytes pushed but not yet delivered by read_some.
  std::size_t pending_input() const { return m_input.size() - m_input_position; }
  /// How many read_some calls delivered bytes (shows the pieces really were small).
  std::size_t deliveries() const { return m_deliveries; }

  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
    for (;;) {
      if (const std::size_t count = read_available(buffer); count > 0) co_return count;
      if (m_closed) co_return 0;
      // Nothing to deliver: the timer never expires by itself and serves as an event that
      // push() and close() signal by cancelling it.
      co_await m_wakeup.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }

  /// What a pty does for bytes already sent: a piece of them at once, or 0.
  std::size_t read_available(std::span<char> buffer) override {
    if (pending_input() == 0 || buffer.empty()) return 0;
    const std::size_t count = std::min({pending_input(), m_piece_size, buffer.size()});
    std::copy_n(m_input.data() + m_input_position, count, buffer.data());
    m_input_position += count;
    if (m_input_position == m_input.size()) {
      m_input.clear();
      m_input_position = 0;
    }
    ++m_deliveries;
    return count;
  }

  void write(std::string_view bytes) override {
    m_output += bytes;
    m_largest_write = std::max(m_largest_write, bytes.size());
  }
  /// The most bytes the Session handed over in one write.
  std::size_t largest_write() const { return m_largest_write; }

 private:
  void wake_reader() {
    m_wakeup.cancel();
    m_wakeup.expires_at(boost::asio::steady_timer::time_point::max());
  }

  boost::asio::steady_timer m_wakeup;
  std::size_t m_piece_size;
  std::string m_input;
  std::size_t m_input_position = 0;
  std::string m_output;
  std::size_t m_largest_write = 0;
  std::size_t m_deliveries = 0;
  bool m_closed = false;
};

}  // namespace spwf::atcmd::testing
