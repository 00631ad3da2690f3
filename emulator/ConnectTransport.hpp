#pragma once
// The console as the client of a simulator's UART socket (`--connect HOST:PORT`, or
// `--connect unix:PATH`): QEMU `-serial tcp:...,server` or `-chardev socket,...,server=on`,
// Renode's CreateServerSocketTerminal, esp-emulator's --uart1-tcp all listen and wait for the
// device on the other end. The emulator connects, and when the simulator closes the connection
// (it exits or restarts) connects again with a bounded back-off; each new connection counts as a
// new host (see --power-cycle-on-attach).

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/LinkTransport.hpp"

namespace spwf::emulator {

/// Where `--connect` goes: a TCP host and port, or a Unix socket path.
struct ConnectAddress {
  std::string host;        ///< empty for a Unix socket
  std::uint16_t port = 0;  ///< for TCP
  std::string unix_path;   ///< for `unix:PATH`
  /// Parses `HOST:PORT`, `[IPV6]:PORT` or `unix:PATH`; nullopt when malformed.
  static std::optional<ConnectAddress> parse(std::string_view text);
  /// The address as the log and the start-up line show it.
  std::string text() const;
};

/// The AT console on a connection to a simulator's UART socket, made again when it ends.
class ConnectTransport final : public LinkTransport {
 public:
  /// The first wait before connecting again; it doubles up to `max_backoff`.
  static constexpr auto first_backoff = std::chrono::milliseconds(20);
  static constexpr auto max_backoff = std::chrono::milliseconds(1000);
  /// A connection attempt that takes longer than this fails (a host that drops SYNs).
  static constexpr auto connect_timeout = std::chrono::seconds(5);

  ConnectTransport(boost::asio::any_io_executor executor, ConnectAddress address);

 private:
  boost::asio::awaitable<int> establish() override;
  std::string loss_text(const boost::system::error_code& error) const override;
  /// One attempt: the connected socket's descriptor, or -1 with `failure` set.
  boost::asio::awaitable<int> connect_once(std::string& failure);
  boost::asio::awaitable<int> connect_tcp(std::string& failure);
  boost::asio::awaitable<int> connect_unix(std::string& failure);

  ConnectAddress m_address;
  boost::asio::steady_timer m_backoff;
};

}  // namespace spwf::emulator
