#pragma once
// The console on a pseudo-terminal: the emulator keeps the master side, the host opens the slave
// (printed at start, optionally reachable through a symbolic link). The pty is put in raw mode so
// CR and LF pass unchanged in both directions.
//
// Hosts come and go as firmware restarts: while nobody has the slave open, the emulator sleeps
// until one opens it, told by the kernel (inotify IN_OPEN on the slave): no timer, no wake-up
// while idle, and a new host is noticed at once. Where inotify is refused (the per-user limit
// fs.inotify.max_user_instances, 128 on many systems, reached by as many emulators), it checks
// every 50 ms instead and the log says so once. Output produced before the first host ever opened
// the pty (the power-on indications) is kept, up to 64 KiB, and delivered when it opens; output
// produced after a host has closed it, while nobody is attached, is dropped, as bytes sent on a
// UART with nothing connected are lost. That includes what the leaving host had not read yet:
// when the transport sees the host gone (at the next read or write), it empties the pty, so the
// next host starts clean. A host that stays but does not read gets at most
// limits::console_unread_output bytes queued; newer output is dropped.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "atcmd/Transport.hpp"
#include "emulator/OutputBacklog.hpp"

namespace spwf::emulator {

/// The AT console served on a pty master.
class PtyTransport : public atcmd::Transport {
 public:
  /// Opens a new pty in raw mode; throws std::runtime_error if the system refuses.
  PtyTransport(boost::asio::any_io_executor executor, std::optional<std::filesystem::path> link);
  ~PtyTransport() override;
  PtyTransport(const PtyTransport&) = delete;
  PtyTransport& operator=(const PtyTransport&) = delete;

  /// The slave device path the host opens (e.g. /dev/pts/3).
  const std::string& slave_path() const { return m_slave_path; }

  /// True while a host has the slave open (as far as the transport has noticed).
  bool host_attached() const { return m_attached; }
  /// Output waiting for the pty to take it (beyond what the kernel's pty buffer holds).
  std::size_t queued_output() const { return m_in_flight.size() + m_pending_write.size(); }

  /// Called each time a host opens the slave (after the kept output has been sent).
  void on_host_attached(std::function<void()> handler) { m_attach_handler = std::move(handler); }

  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer) override;
  std::size_t read_available(std::span<char> buffer) override;
  void write(std::string_view bytes) override;
  boost::asio::awaitable<void> drained(std::size_t below) override;

 private:
  bool slave_open();
  /// Starts watching the slave for opens; false (logged) when inotify is refused.
  bool watch_opens();
  boost::asio::awaitable<void> wait_for_host();
  boost::asio::awaitable<void> drain();
  void on_attached();
  void on_detached();
  void discard_unread_output();

  boost::asio::posix::stream_descriptor m_master;
  boost::asio::posix::stream_descriptor m_open_watch;  ///< inotify on the slave: IN_OPEN
  boost::asio::steady_timer m_poll_timer;              ///< only without m_open_watch
  boost::asio::steady_timer m_room;  ///< never expires; cancelled when the host takes output
  std::string m_slave_path;
  std::optional<std::filesystem::path> m_link;
  bool m_attached = false;
  bool m_writing = false;
  OutputBacklog m_backlog;
  UnreadOutput m_pending_write;  ///< queued behind m_in_flight
  std::string m_in_flight;       ///< being written by drain()
  std::function<void()> m_attach_handler;
};

}  // namespace spwf::emulator
