#include "emulator/AttachTransport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "support/Log.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {

/// Without inotify (its per-user limit reached), how often a lost device is looked for.
constexpr auto k_fallback_interval = std::chrono::milliseconds(250);

/// Events in a watched directory after which the device may be there again: a node or link
/// created or renamed into place, its permissions changed.
constexpr std::uint32_t k_directory_events = IN_CREATE | IN_MOVED_TO | IN_ATTRIB;
/// A node that has just appeared may not be usable yet (a new pty's slave refuses opens until
/// its creator unlocks it): it is tried this many times, this far apart, before the next event.
constexpr int k_settle_attempts = 25;
constexpr auto k_settle_interval = std::chrono::milliseconds(20);

/// Opens a tty in raw mode 115200 8N1; -1 with errno set when it cannot, ENOTTY for a file that
/// is not a terminal, EIO for one that has already hung up.
int open_device(const std::filesystem::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (descriptor < 0) return -1;
  termios settings{};
  if (::tcgetattr(descriptor, &settings) != 0) {
    ::close(descriptor);
    errno = ENOTTY;
    return -1;
  }
  ::cfmakeraw(&settings);
  settings.c_cflag |= CLOCAL | CREAD;
  ::cfsetispeed(&settings, B115200);
  ::cfsetospeed(&settings, B115200);
  ::tcsetattr(descriptor, TCSANOW, &settings);
  pollfd entry{descriptor, POLLIN, 0};
  if (::poll(&entry, 1, 0) > 0 && (entry.revents & POLLHUP) != 0) {
    ::close(descriptor);
    errno = EIO;
    return -1;
  }
  return descriptor;
}

std::string open_failure(const std::filesystem::path& path) {
  if (errno == ENOTTY) return path.string() + " is not a terminal or serial device";
  return "cannot open " + path.string() + ": " + std::strerror(errno);
}

}  // namespace

AttachTransport::AttachTransport(asio::any_io_executor executor, std::filesystem::path path)
    : LinkTransport(executor, "--attach " + path.string()),
      m_path(std::move(path)),
      m_watch(executor) {
  m_first_descriptor = open_device(m_path);
  if (m_first_descriptor < 0) throw std::runtime_error(open_failure(m_path));
  std::error_code ignored;
  m_target = std::filesystem::canonical(m_path, ignored);
}

AttachTransport::~AttachTransport() {
  if (m_first_descriptor >= 0) ::close(m_first_descriptor);
}

bool AttachTransport::watch_directories() {
  if (m_watch.is_open()) return true;
  const int instance = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (instance < 0) return false;
  m_watch.assign(instance);
  auto directory_of = [](const std::filesystem::path& file) {
    return file.has_parent_path() ? file.parent_path() : std::filesystem::path{"."};
  };
  bool watching =
      ::inotify_add_watch(instance, directory_of(m_path).c_str(), k_directory_events) >= 0;
  if (!m_target.empty() && directory_of(m_target) != directory_of(m_path)) {
    watching =
        ::inotify_add_watch(instance, directory_of(m_target).c_str(), k_directory_events) >= 0 ||
        watching;
  }
  return watching;
}

asio::awaitable<int> AttachTransport::establish() {
  if (m_first_descriptor >= 0) co_return std::exchange(m_first_descriptor, -1);
  const bool events = watch_directories();
  if (!events) log::warn(name() + ": no inotify; looking for the device every 250 ms");
  asio::steady_timer timer{executor()};
  int attempts = 0;
  for (;;) {
    // The events are read before each attempt, so that one coming after it queues anew and
    // wakes the wait below (one merged into an event still unread would not).
    std::array<char, 4096> ignored{};
    while (events && ::read(m_watch.native_handle(), ignored.data(), ignored.size()) > 0) {
    }
    if (const int descriptor = open_device(m_path); descriptor >= 0) {
      log::info(name() + ": the device is back");
      co_return descriptor;
    }
    std::error_code ignored_error;
    if (++attempts < k_settle_attempts && std::filesystem::exists(m_path, ignored_error)) {
      timer.expires_after(k_settle_interval);
    } else if (events) {
      attempts = 0;
      co_await m_watch.async_wait(asio::posix::stream_descriptor::wait_read,
                                  asio::as_tuple(asio::use_awaitable));
      continue;
    } else {
      attempts = 0;
      timer.expires_after(k_fallback_interval);
    }
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

std::string AttachTransport::loss_text(const boost::system::error_code& error) const {
  std::error_code ignored;
  const bool gone = !std::filesystem::exists(m_path, ignored);
  const std::string reason = error == asio::error::eof ? "hang-up" : error.message();
  if (gone) {
    return "the device " + m_path.string() + " disappeared (" + reason +
           ": its other side closed); waiting for it to come back";
  }
  return "the device " + m_path.string() + " hung up (" + reason +
         "); waiting for it to be usable again";
}

}  // namespace spwf::emulator
