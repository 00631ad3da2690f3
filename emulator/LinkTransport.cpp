#include "emulator/LinkTransport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <utility>

#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

auto log_failure(std::string what) {
  return [what = std::move(what)](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      log::error(what + " stopped: " + error.what());
    }
  };
}

}  // namespace

LinkTransport::LinkTransport(asio::any_io_executor executor, std::string name)
    : m_executor(executor),
      m_name(std::move(name)),
      m_stream(executor),
      // Both timers never expire: cancel() wakes their waiters and leaves them armed, so any
      // number of coroutines may wait on one without re-arming it (which would cancel the others).
      m_change(executor, asio::steady_timer::time_point::max()),
      m_room(executor, asio::steady_timer::time_point::max()) {}

LinkTransport::~LinkTransport() = default;

void LinkTransport::start() {
  asio::co_spawn(m_executor, link_loop(), log_failure(m_name + ": the link"));
}

asio::awaitable<void> LinkTransport::wait_for_change() {
  co_await m_change.async_wait(use_tuple);
}

asio::awaitable<void> LinkTransport::link_loop() {
  for (;;) {
    const int descriptor = co_await establish();
    link_up(descriptor);
    while (m_linked) co_await wait_for_change();
  }
}

void LinkTransport::link_up(int descriptor) {
  m_stream.assign(descriptor);
  // Writes are tried at once without blocking; only what the link cannot take yet is queued.
  m_stream.non_blocking(true);
  m_linked = true;
  m_pending_write.reset();
  log::info(m_name + ": connected");
  trace::event(trace::Channel::system, m_name + ": connected");
  const std::string held = m_backlog.take_on_attach();
  if (!held.empty()) write(held);
  m_change.cancel();
  if (m_attach_handler) m_attach_handler();
}

void LinkTransport::link_down(const boost::system::error_code& error) {
  if (!m_linked) return;
  m_linked = false;
  boost::system::error_code ignored;
  m_stream.close(ignored);
  m_pending_write.reset();  // unsent bytes for the far end that left are lost with it
  m_in_flight.clear();
  m_room.cancel();
  m_change.cancel();
  const std::string text = loss_text(error);
  log::warn(m_name + ": " + text);
  trace::event(trace::Channel::system, m_name + ": " + text);
}

asio::awaitable<std::size_t> LinkTransport::read_some(std::span<char> buffer) {
  for (;;) {
    while (!m_linked) co_await wait_for_change();
    auto [error, count] =
        co_await m_stream.async_read_some(asio::buffer(buffer.data(), buffer.size()), use_tuple);
    if (!error && count > 0) co_return count;
    // Aborted: the link was closed by a failed write (and may be up again already).
    if (error == asio::error::operation_aborted) continue;
    link_down(error ? error : asio::error::eof);
  }
}

std::size_t LinkTransport::read_available(std::span<char> buffer) {
  if (!m_linked) return 0;
  // Non-blocking: nothing there answers would_block at once; a failure is left to read_some.
  boost::system::error_code error;
  const std::size_t count = m_stream.read_some(asio::buffer(buffer.data(), buffer.size()), error);
  return error ? 0 : count;
}

void LinkTransport::write(std::string_view bytes) {
  if (!m_linked) {
    m_backlog.store(bytes);
    return;
  }
  if (!m_writing && m_pending_write.empty()) {
    // Most answers fit in the kernel's buffer at once: write them with no coroutine round.
    boost::system::error_code error;
    const std::size_t written = m_stream.write_some(asio::buffer(bytes), error);
    if (error && error != asio::error::would_block && error != asio::error::try_again) {
      link_down(error);
      return;
    }
    if (!error) bytes.remove_prefix(written);
    if (bytes.empty()) return;
  }
  m_pending_write.append(bytes, m_name, m_in_flight.size());
  if (m_writing) return;
  m_writing = true;
  asio::co_spawn(m_executor, drain(), log_failure(m_name + ": the writer"));
}

asio::awaitable<void> LinkTransport::drain() {
  // Writes whatever is queued on the current link; a lost link empties the queue (link_down),
  // which ends the loop, and a link that is up again gets only what was written for it.
  while (m_linked && (!m_in_flight.empty() || !m_pending_write.empty())) {
    if (m_in_flight.empty()) m_in_flight = m_pending_write.take();
    boost::system::error_code error;
    const std::size_t written = m_stream.write_some(asio::buffer(m_in_flight), error);
    if (!error) {
      m_in_flight.erase(0, written);
      m_room.cancel();
      continue;
    }
    if (error != asio::error::would_block && error != asio::error::try_again) {
      link_down(error);
      break;
    }
    co_await m_stream.async_wait(asio::posix::stream_descriptor::wait_write, use_tuple);
  }
  m_writing = false;
  m_room.cancel();
}

asio::awaitable<void> LinkTransport::drained(std::size_t below) {
  while (m_linked && m_in_flight.size() + m_pending_write.size() >= below) {
    co_await m_room.async_wait(use_tuple);
  }
}

}  // namespace spwf::emulator
