#include "netstack/Pinger.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;

namespace {

constexpr std::uint8_t k_echo_request = 8;
constexpr std::uint8_t k_echo_reply = 0;
constexpr std::size_t k_header_size = 8;
constexpr std::size_t k_largest_datagram = 65535;

// The Internet checksum (RFC 1071); the kernel recomputes it for ping sockets, but a correct
// value keeps the packet valid wherever it is looked at.
std::uint16_t checksum(const std::vector<std::uint8_t>& packet) {
  std::uint32_t sum = 0;
  for (std::size_t index = 0; index + 1 < packet.size(); index += 2) {
    sum += static_cast<std::uint32_t>(packet[index] << 8 | packet[index + 1]);
  }
  if (packet.size() % 2 != 0) sum += static_cast<std::uint32_t>(packet.back() << 8);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::vector<std::uint8_t> echo_request(std::uint16_t sequence, std::size_t size) {
  std::vector<std::uint8_t> packet(k_header_size + size);
  packet[0] = k_echo_request;
  // Bytes 4-5 (identifier) are replaced by the kernel with the socket's own id.
  packet[6] = static_cast<std::uint8_t>(sequence >> 8);
  packet[7] = static_cast<std::uint8_t>(sequence & 0xFF);
  for (std::size_t index = 0; index < size; ++index) {
    packet[k_header_size + index] = static_cast<std::uint8_t>(index & 0xFF);
  }
  const std::uint16_t sum = checksum(packet);
  packet[2] = static_cast<std::uint8_t>(sum >> 8);
  packet[3] = static_cast<std::uint8_t>(sum & 0xFF);
  return packet;
}

}  // namespace

Pinger::Pinger(asio::any_io_executor executor)
    : m_socket(executor), m_receive_buffer(k_largest_datagram) {}

boost::system::error_code Pinger::open() {
  boost::system::error_code error;
  m_socket.open(asio::generic::datagram_protocol(AF_INET, IPPROTO_ICMP), error);
  return error;
}

bool Pinger::is_not_permitted(const boost::system::error_code& error) {
  return error == boost::system::errc::permission_denied ||
         error == boost::system::errc::operation_not_permitted;
}

asio::awaitable<EchoResult> Pinger::echo(asio::ip::address_v4 target, std::uint16_t sequence,
                                         std::size_t size, std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  EchoResult result;
  result.sequence = sequence;
  const auto packet = echo_request(sequence, size);
  const asio::generic::datagram_protocol::endpoint destination{asio::ip::udp::endpoint{target, 0}};
  const auto started = std::chrono::steady_clock::now();
  auto [send_error, sent] = co_await m_socket.async_send_to(asio::buffer(packet), destination,
                                                            asio::as_tuple(asio::use_awaitable));
  if (send_error || sent != packet.size()) {
    trace::event(trace::Channel::network,
                 "ping " + target.to_string() + " send failed: " + send_error.message());
    result.outcome = EchoOutcome::send_failed;
    co_return result;
  }
  asio::steady_timer deadline{m_socket.get_executor()};
  deadline.expires_at(started + timeout);
  // Replies to earlier (timed-out) requests may still arrive: wait for this sequence number.
  for (;;) {
    auto outcome = co_await (m_socket.async_receive(asio::buffer(m_receive_buffer),
                                                    asio::as_tuple(asio::use_awaitable)) ||
                             deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 1) {
      result.outcome = EchoOutcome::timeout;
      co_return result;
    }
    auto [receive_error, received] = std::get<0>(outcome);
    if (receive_error) {
      // A failing socket would fail again at once: let the echo time out instead of spinning.
      trace::event(trace::Channel::network, "ping receive failed: " + receive_error.message());
      co_await deadline.async_wait(asio::as_tuple(asio::use_awaitable));
      result.outcome = EchoOutcome::timeout;
      co_return result;
    }
    if (received < k_header_size || m_receive_buffer[0] != k_echo_reply) continue;
    const auto reply_sequence =
        static_cast<std::uint16_t>(m_receive_buffer[6] << 8 | m_receive_buffer[7]);
    if (reply_sequence != sequence) continue;
    result.outcome = EchoOutcome::reply;
    result.round_trip = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    co_return result;
  }
}

}  // namespace spwf::net
