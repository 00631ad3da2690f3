#include "emulator/PacedTransport.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>

#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {
/// Bytes taken off the host (or put on the line) in one step: small enough that the line rate
/// holds within a fraction of a millisecond at 9600 baud and above.
constexpr std::size_t k_step_bytes = 64;
constexpr std::uint32_t k_bits_per_byte = 10;  // 8N1: start, 8 data, stop
/// How late a wake-up of the send side may be and still be made up: the next piece then follows
/// sooner, as on a UART whose shift register never idled, so timer latency does not lower the
/// line rate; after a longer stall the line starts afresh (no burst).
constexpr std::chrono::milliseconds k_send_catch_up{10};
}  // namespace

PacedTransport::PacedTransport(asio::any_io_executor executor, atcmd::Transport& inner,
                               std::uint32_t baud)
    : m_executor(executor),
      m_inner(inner),
      m_baud(baud),
      m_input_ready(executor, asio::steady_timer::time_point::max()),
      m_receive_timer(executor),
      m_send_timer(executor),
      m_sent(executor, asio::steady_timer::time_point::max()) {}

PacedTransport::Clock::duration PacedTransport::line_time(std::size_t bytes) const {
  const auto nanoseconds =
      static_cast<std::uint64_t>(bytes) * k_bits_per_byte * 1'000'000'000ull / m_baud;
  return std::chrono::nanoseconds{nanoseconds};
}

void PacedTransport::start() {
  asio::co_spawn(m_executor, receive_loop(), [](std::exception_ptr failure) {
    if (failure) log::error("--baud: the receive side failed");
  });
}

asio::awaitable<void> PacedTransport::receive_loop() {
  std::array<char, k_step_bytes> piece;
  auto line_free = Clock::now();  // when the line can carry the next byte
  for (;;) {
    const std::size_t count = co_await m_inner.read_some(piece);
    if (count == 0) break;
    line_free = std::max(line_free, Clock::now()) + line_time(count);
    m_receive_timer.expires_at(line_free);
    co_await m_receive_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const std::size_t room =
        limits::uart_receive_buffer - std::min(limits::uart_receive_buffer, m_received.size());
    const std::size_t kept = std::min(room, count);
    m_received.append(piece.data(), kept);
    if (kept < count) {
      m_overflowed += count - kept;
      trace::event(trace::Channel::system, "UART receive buffer full: " +
                                               std::to_string(count - kept) + " host bytes lost");
    }
    m_input_ready.cancel();
  }
  m_ended = true;
  m_input_ready.cancel();
}

asio::awaitable<std::size_t> PacedTransport::read_some(std::span<char> buffer) {
  while (m_received.empty() && !m_ended) {
    m_input_ready.expires_at(asio::steady_timer::time_point::max());
    co_await m_input_ready.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return read_available(buffer);
}

std::size_t PacedTransport::read_available(std::span<char> buffer) {
  const std::size_t count = std::min(buffer.size(), m_received.size());
  std::memcpy(buffer.data(), m_received.data(), count);
  m_received.erase(0, count);
  return count;
}

void PacedTransport::write(std::string_view bytes) {
  // A host that does not read cannot make the line's queue grow without bound.
  const std::size_t room =
      limits::console_unread_output - std::min(limits::console_unread_output, m_sending.size());
  m_sending.append(bytes.substr(0, std::min(room, bytes.size())));
  if (m_send_running) return;
  m_send_running = true;
  asio::co_spawn(m_executor, send_loop(), [](std::exception_ptr failure) {
    if (failure) log::error("--baud: the send side failed");
  });
}

asio::awaitable<void> PacedTransport::send_loop() {
  // Each piece is handed on when its last bit has left the line; an idle line starts afresh.
  auto line_free = Clock::now();
  while (!m_sending.empty()) {
    const std::size_t count = std::min(m_sending.size(), k_step_bytes);
    line_free = std::max(line_free, Clock::now() - k_send_catch_up) + line_time(count);
    m_send_timer.expires_at(line_free);
    co_await m_send_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    m_inner.write(std::string_view{m_sending}.substr(0, count));
    m_sending.erase(0, count);
    m_sent.cancel();
  }
  m_send_running = false;
}

asio::awaitable<void> PacedTransport::drained(std::size_t below) {
  while (m_sending.size() >= below) {
    m_sent.expires_at(asio::steady_timer::time_point::max());
    co_await m_sent.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_await m_inner.drained(below);
}

}  // namespace spwf::emulator
