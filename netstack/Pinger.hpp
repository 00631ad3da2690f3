#pragma once
// ICMP echo for AT+S.PING over the host's unprivileged ICMP datagram socket
// (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)). Linux allows it to the groups listed in
// /proc/sys/net/ipv4/ping_group_range; elsewhere open() fails with EACCES/EPERM and the caller
// reports that the module cannot ping. No AT text here: the console formats the results.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/datagram_protocol.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace spwf::net {

/// What became of one echo request.
enum class EchoOutcome { reply, timeout, send_failed };

/// The result of one echo: its sequence number, and the round-trip time for a reply.
struct EchoResult {
  std::uint16_t sequence = 0;
  EchoOutcome outcome = EchoOutcome::timeout;
  std::chrono::milliseconds round_trip{0};
};

/// One ICMP datagram socket sending echo requests to IPv4 hosts, one at a time.
class Pinger {
 public:
  explicit Pinger(boost::asio::any_io_executor executor);

  /// Opens the socket; EACCES/EPERM mean the host does not permit ICMP datagram sockets.
  boost::system::error_code open();
  /// True when `error` (from open) means "not permitted by ping_group_range".
  static bool is_not_permitted(const boost::system::error_code& error);
  /// Sends one echo request with `size` payload bytes and waits up to `timeout` for its reply.
  boost::asio::awaitable<EchoResult> echo(boost::asio::ip::address_v4 target,
                                          std::uint16_t sequence, std::size_t size,
                                          std::chrono::milliseconds timeout);

 private:
  boost::asio::generic::datagram_protocol::socket m_socket;
  std::vector<std::uint8_t> m_receive_buffer;
};

}  // namespace spwf::net
