#pragma once
// --baud RATE: the console at a real UART's line rate (10 bits a byte at 8N1), as a decorator
// over any transport. Output reaches the host no faster than the line carries it; host bytes
// reach the module no faster either, into the module's UART receive buffer
// (limits::uart_receive_buffer): when the module does not read (a command is running) and the
// buffer is full, further bytes are lost, as on the real module without flow control (spec
// §2.11). Without --baud the console is not paced and nothing is lost.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "atcmd/Transport.hpp"

namespace spwf::emulator {

/// A transport paced to a baud rate.
class PacedTransport : public atcmd::Transport {
 public:
  PacedTransport(boost::asio::any_io_executor executor, atcmd::Transport& inner,
                 std::uint32_t baud);
  /// Starts taking host bytes off the inner transport at the line rate.
  void start();

  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer) override;
  std::size_t read_available(std::span<char> buffer) override;
  void write(std::string_view bytes) override;
  boost::asio::awaitable<void> drained(std::size_t below) override;
  /// Host bytes lost to a full receive buffer so far.
  std::uint64_t overflowed() const { return m_overflowed; }

 private:
  using Clock = std::chrono::steady_clock;
  boost::asio::awaitable<void> receive_loop();
  boost::asio::awaitable<void> send_loop();
  /// The time `bytes` take on the line.
  Clock::duration line_time(std::size_t bytes) const;

  boost::asio::any_io_executor m_executor;
  atcmd::Transport& m_inner;
  std::uint32_t m_baud;
  std::string m_received;  ///< the module's UART receive buffer
  bool m_ended = false;
  boost::asio::steady_timer m_input_ready;
  boost::asio::steady_timer m_receive_timer;
  std::uint64_t m_overflowed = 0;
  std::string m_sending;  ///< output not yet on the line
  bool m_send_running = false;
  boost::asio::steady_timer m_send_timer;
  boost::asio::steady_timer m_sent;  ///< cancelled as output leaves (drained() waits on it)
};

}  // namespace spwf::emulator
