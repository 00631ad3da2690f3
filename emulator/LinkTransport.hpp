#pragma once
// The console on a link the emulator does not own and that comes and goes: the tty of a
// simulator opened with --attach, a simulator's UART socket reached with --connect. The derived
// class establishes the link (opens the device, connects) and waits for it again when it is lost;
// this class carries the bytes on it, with the console's output policy shared with the pty and
// TCP consoles: output written before the first link is kept (OutputBacklog) and delivered when
// it comes up; output written while the link is down after that is dropped, as bytes sent on a
// UART with nothing connected are lost; a far end that stops reading gets at most
// limits::console_unread_output bytes queued (UnreadOutput).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "atcmd/Transport.hpp"
#include "emulator/OutputBacklog.hpp"

namespace spwf::emulator {

/// The AT console on a file descriptor that a derived class provides, again after each loss.
class LinkTransport : public atcmd::Transport {
 public:
  ~LinkTransport() override;
  LinkTransport(const LinkTransport&) = delete;
  LinkTransport& operator=(const LinkTransport&) = delete;

  /// Starts establishing the link (and again each time it is lost); call once.
  void start();
  /// True while the link is up.
  bool linked() const { return m_linked; }
  /// Called each time the link comes up (after the kept output has been queued on it).
  void on_host_attached(std::function<void()> handler) { m_attach_handler = std::move(handler); }

  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer) override;
  std::size_t read_available(std::span<char> buffer) override;
  void write(std::string_view bytes) override;
  boost::asio::awaitable<void> drained(std::size_t below) override;

 protected:
  /// `name` starts the log lines about the link, e.g. "--connect 127.0.0.1:5000".
  LinkTransport(boost::asio::any_io_executor executor, std::string name);

  /// Waits as long as needed for the link and returns its descriptor (owned by this class from
  /// then on). Called at start and again after each loss.
  virtual boost::asio::awaitable<int> establish() = 0;
  /// The log line's text for a lost link (`error` is what reading or writing reported).
  virtual std::string loss_text(const boost::system::error_code& error) const = 0;

  const std::string& name() const { return m_name; }
  boost::asio::any_io_executor executor() const { return m_executor; }

 private:
  boost::asio::awaitable<void> link_loop();
  boost::asio::awaitable<void> wait_for_change();
  boost::asio::awaitable<void> drain();
  void link_up(int descriptor);
  void link_down(const boost::system::error_code& error);

  boost::asio::any_io_executor m_executor;
  std::string m_name;
  boost::asio::posix::stream_descriptor m_stream;
  boost::asio::steady_timer m_change;  ///< never expires; cancelled when the link goes up or down
  boost::asio::steady_timer m_room;    ///< never expires; cancelled when the far end takes output
  bool m_linked = false;
  bool m_writing = false;
  OutputBacklog m_backlog;
  UnreadOutput m_pending_write;  ///< queued behind m_in_flight
  std::string m_in_flight;       ///< being written by drain()
  std::function<void()> m_attach_handler;
};

}  // namespace spwf::emulator
