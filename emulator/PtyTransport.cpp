#include "emulator/PtyTransport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {

/// Only where inotify is refused: how often the slave is checked for a host.
constexpr auto k_attach_poll_interval = std::chrono::milliseconds(50);

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

int open_master(std::string& slave_path) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) fail("posix_openpt");
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0) fail("grantpt/unlockpt");
  std::array<char, 128> name{};
  if (::ptsname_r(master, name.data(), name.size()) != 0) fail("ptsname_r");
  slave_path = name.data();
  // Raw mode on the line discipline: no CR/LF translation, no echo, no signals. The settings
  // belong to the pty and survive hosts opening and closing the slave while the master is open.
  const int slave = ::open(slave_path.c_str(), O_RDWR | O_NOCTTY);
  if (slave < 0) fail("open " + slave_path);
  termios settings{};
  if (::tcgetattr(slave, &settings) == 0) {
    ::cfmakeraw(&settings);
    ::cfsetispeed(&settings, B115200);
    ::cfsetospeed(&settings, B115200);
    ::tcsetattr(slave, TCSANOW, &settings);
  }
  ::close(slave);
  return master;
}

void log_completion(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    log::error(std::string{"pty writer stopped: "} + error.what());
  }
}

}  // namespace

PtyTransport::PtyTransport(asio::any_io_executor executor,
                           std::optional<std::filesystem::path> link)
    : m_master(executor),
      m_open_watch(executor),
      m_poll_timer(executor),
      m_room(executor),
      m_link(std::move(link)) {
  m_master.assign(open_master(m_slave_path));
  watch_opens();
  // Writes are tried at once without blocking; only what the pty cannot take yet is queued.
  m_master.non_blocking(true);
  if (m_link) {
    std::error_code ignored;
    if (std::filesystem::is_symlink(*m_link, ignored)) std::filesystem::remove(*m_link, ignored);
    std::filesystem::create_symlink(m_slave_path, *m_link);
  }
}

PtyTransport::~PtyTransport() {
  if (m_link) {
    std::error_code ignored;
    std::filesystem::remove(*m_link, ignored);
  }
}

bool PtyTransport::slave_open() {
  // The master reports POLLHUP while no process has the slave open.
  pollfd entry{m_master.native_handle(), POLLIN, 0};
  if (::poll(&entry, 1, 0) < 0) return false;
  return (entry.revents & POLLHUP) == 0;
}

bool PtyTransport::watch_opens() {
  // A host opening the slave changes nothing the master can wait for (its hang-up state is
  // level, not an edge), but the open is a file-system event on the slave's node.
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch >= 0 && ::inotify_add_watch(watch, m_slave_path.c_str(), IN_OPEN) >= 0) {
    m_open_watch.assign(watch);
    return true;
  }
  const std::string reason = std::strerror(errno);
  if (watch >= 0) ::close(watch);
  log::warn("no inotify for " + m_slave_path + " (" + reason +
            "; raise fs.inotify.max_user_instances): checking for a host every 50 ms");
  return false;
}

asio::awaitable<void> PtyTransport::wait_for_host() {
  // The events are read before each check, so the queue is empty when the wait starts: the
  // next open queues a new event and wakes the wait (an open merged into an event still unread
  // would not), also when it comes between the check and the wait. Opens seen while a host was
  // attached (and the emulator's own, when it empties the pty) are read here and cost nothing.
  for (;;) {
    if (m_open_watch.is_open()) {
      std::array<char, 1024> events{};
      while (::read(m_open_watch.native_handle(), events.data(), events.size()) > 0) {
      }
    }
    if (slave_open()) break;
    if (m_open_watch.is_open()) {
      co_await m_open_watch.async_wait(asio::posix::stream_descriptor::wait_read,
                                       asio::as_tuple(asio::use_awaitable));
    } else {
      m_poll_timer.expires_after(k_attach_poll_interval);
      co_await m_poll_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  on_attached();
}

void PtyTransport::on_attached() {
  m_attached = true;
  log::info("host opened " + m_slave_path);
  trace::event(trace::Channel::system, "host attached to " + m_slave_path);
  const std::string held = m_backlog.take_on_attach();
  if (!held.empty()) write(held);
  if (m_attach_handler) m_attach_handler();
}

void PtyTransport::on_detached() {
  if (!m_attached) return;
  m_attached = false;
  m_room.cancel();
  m_pending_write.reset();
  m_in_flight.clear();
  discard_unread_output();
  log::info("host closed " + m_slave_path);
  trace::event(trace::Channel::system, "host detached from " + m_slave_path);
}

void PtyTransport::discard_unread_output() {
  // What the leaving host did not read stays in the slave's input queue, which outlives the
  // host's close; without this the next host would receive it.
  const int slave = ::open(m_slave_path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave < 0) return;
  ::tcflush(slave, TCIFLUSH);
  ::close(slave);
}

asio::awaitable<std::size_t> PtyTransport::read_some(std::span<char> buffer) {
  for (;;) {
    if (!m_attached) co_await wait_for_host();
    auto [error, count] = co_await m_master.async_read_some(
        asio::buffer(buffer.data(), buffer.size()), asio::as_tuple(asio::use_awaitable));
    if (!error && count > 0) co_return count;
    if (error == asio::error::operation_aborted) co_return 0;
    // EIO: the last host closed the slave. Wait for the next one.
    on_detached();
  }
}

std::size_t PtyTransport::read_available(std::span<char> buffer) {
  if (!m_attached) return 0;
  // The master is non-blocking: an empty pty answers would_block at once. Any other failure
  // (the host left) is left to read_some, which handles it.
  boost::system::error_code error;
  const std::size_t count = m_master.read_some(asio::buffer(buffer.data(), buffer.size()), error);
  return error ? 0 : count;
}

void PtyTransport::write(std::string_view bytes) {
  // Reading notices a host that left only while the Session reads; a command still running
  // when the host closes writes its answer here: check, so that nothing reaches the next host.
  if (m_attached && !slave_open()) on_detached();
  if (!m_attached) {
    m_backlog.store(bytes);
    return;
  }
  if (!m_writing && m_pending_write.empty()) {
    // Most answers fit in the pty at once: write them directly, with no coroutine round.
    boost::system::error_code error;
    const std::size_t written = m_master.write_some(asio::buffer(bytes), error);
    if (error && error != asio::error::would_block && error != asio::error::try_again) {
      on_detached();
      return;
    }
    if (!error) bytes.remove_prefix(written);
    if (bytes.empty()) return;
  }
  m_pending_write.append(bytes, "pty console", m_in_flight.size());
  if (m_writing) return;
  m_writing = true;
  asio::co_spawn(m_master.get_executor(), drain(), log_completion);
}

asio::awaitable<void> PtyTransport::drain() {
  // Non-blocking writes, and a wait for room between them. A pty whose host has left reports
  // hang-up, which ends every wait at once: the check after the wait ends the drain then,
  // instead of retrying a write that can never succeed (a busy loop).
  while (m_attached && (!m_in_flight.empty() || !m_pending_write.empty())) {
    if (m_in_flight.empty()) m_in_flight = m_pending_write.take();
    boost::system::error_code error;
    const std::size_t written = m_master.write_some(asio::buffer(m_in_flight), error);
    if (!error) {
      m_in_flight.erase(0, written);
      m_room.cancel();
      continue;
    }
    if (error != asio::error::would_block && error != asio::error::try_again) {
      on_detached();
      break;
    }
    co_await m_master.async_wait(asio::posix::stream_descriptor::wait_write,
                                 asio::as_tuple(asio::use_awaitable));
    if (m_attached && !slave_open()) on_detached();
  }
  m_writing = false;
  m_room.cancel();
}

asio::awaitable<void> PtyTransport::drained(std::size_t below) {
  while (m_attached && queued_output() >= below) {
    m_room.expires_at(asio::steady_timer::time_point::max());
    co_await m_room.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace spwf::emulator
