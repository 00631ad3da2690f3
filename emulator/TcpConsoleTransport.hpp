#pragma once
// The UART console carried raw over TCP (`--listen HOST:PORT`), so a host outside a container can
// reach the emulated module. Like a serial line it has one far end: one host at a time; a second
// connection while one is active is told "console busy" and closed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "atcmd/Transport.hpp"
#include "emulator/OutputBacklog.hpp"

namespace spwf::emulator {

namespace asio = boost::asio;

/// A TCP listener that serves the module's console to one host at a time.
///
/// Output policy (OutputBacklog, shared with the pty transport): bytes written before the first
/// host has ever connected are kept (the newest 64 KiB) and delivered when it connects; bytes
/// written while nobody is connected after that are dropped, as on a UART with nothing attached.
/// A host that half-closes (shutdown(SHUT_WR) after its commands) still gets the answers to
/// everything it sent: the connection is closed once the Session has consumed all its bytes and
/// asks for more, and the answers queued by then are written.
/// The object must outlive the io_context's run (its coroutines refer to it); call `shutdown()`
/// to end them.
class TcpConsoleTransport final : public atcmd::Transport {
 public:
  /// A `HOST:PORT` pair as given to `--listen` (`[v6]:port` for IPv6 literals).
  struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
    /// Parses `HOST:PORT`, `[IPV6]:PORT` or `:PORT` (all interfaces); nullopt when malformed.
    static std::optional<ListenAddress> parse(std::string_view text);
  };

  /// Bytes received from the host and not yet read by the Session, at most (then TCP pushes back).
  static constexpr std::size_t input_limit = 4 * 1024;
  /// Output queued for a connected host that does not read, at most (then new output is dropped).
  static constexpr std::size_t output_limit = limits::console_unread_output;
  /// The line a second host gets before its connection is closed.
  static constexpr std::string_view busy_line = "spwf04emu: console busy\r\n";

  /// Binds and listens on `host:port` (port 0 picks a free one); throws std::runtime_error.
  TcpConsoleTransport(asio::any_io_executor executor, const std::string& host, std::uint16_t port);
  TcpConsoleTransport(const TcpConsoleTransport&) = delete;
  TcpConsoleTransport& operator=(const TcpConsoleTransport&) = delete;
  ~TcpConsoleTransport() override;

  /// Starts accepting hosts; call once, before or while the io_context runs.
  void start();
  /// Stops listening, drops the host and makes read_some return 0; idempotent.
  void shutdown();
  /// The port actually listened on (useful with port 0).
  std::uint16_t local_port() const;
  /// The address actually listened on, as `HOST:PORT` text for the startup line.
  std::string local_address() const;
  /// True while a host is connected.
  bool host_connected() const { return m_host_connected; }

  /// Called each time a host connects (after the kept output has been queued for it).
  void on_host_attached(std::function<void()> handler) { m_attach_handler = std::move(handler); }
  /// Admits only hosts whose address one of the address rules among `allow` (the --allow
  /// patterns: addresses and CIDR blocks; names cannot match a peer and are skipped) contains;
  /// without address rules every host is admitted. A refused host is closed with a log line.
  void admit_only(const std::vector<std::string>& allow);

  /// Waits for bytes from the current (or next) host; returns 0 only after shutdown().
  asio::awaitable<std::size_t> read_some(std::span<char> buffer) override;
  std::size_t read_available(std::span<char> buffer) override;
  /// Queues bytes for the host, following the output policy above.
  void write(std::string_view bytes) override;
  asio::awaitable<void> drained(std::size_t below) override;

 private:
  /// Suspends until `signal.cancel()` is called (or the caller's coroutine is cancelled): a
  /// never-expiring timer is the single-threaded condition variable.
  asio::awaitable<void> wait_for_change(asio::steady_timer& signal);
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve_host(asio::ip::tcp::socket socket);
  asio::awaitable<void> receive_loop(asio::ip::tcp::socket& socket);
  asio::awaitable<void> send_loop(asio::ip::tcp::socket& socket);
  asio::awaitable<void> refuse_host(asio::ip::tcp::socket socket);
  /// True when `socket`'s peer passes admit_only's rules (logs the refusal otherwise).
  bool admitted(const asio::ip::tcp::socket& socket) const;

  asio::any_io_executor m_executor;
  asio::ip::tcp::acceptor m_acceptor;
  asio::steady_timer m_input_signal;   ///< read_some waits here for host bytes
  asio::steady_timer m_room_signal;    ///< the receive loop waits here for input room
  asio::steady_timer m_output_signal;  ///< the send loop waits here for output
  asio::steady_timer m_sent_signal;    ///< drained() waits here for the host to take output
  asio::ip::tcp::socket* m_host_socket =
      nullptr;            ///< the connected host's socket, owned by serve_host
  std::string m_input;    ///< received from the host, not yet read by the Session
  UnreadOutput m_output;  ///< queued for the connected host, behind m_sending
  std::string m_sending;  ///< being written by the send loop
  OutputBacklog m_backlog;
  bool m_host_connected = false;
  bool m_host_sent_all = false;  ///< the host half-closed: no more input will come
  bool m_answers_done = false;   ///< ...and the Session has consumed all of it
  bool m_started = false;
  bool m_shut_down = false;
  std::function<void()> m_attach_handler;
  std::vector<std::string> m_admit;  ///< address rules from --allow; empty: everyone
};

}  // namespace spwf::emulator
