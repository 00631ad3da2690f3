#include "netstack/TftpTransfer.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

// The texts of the ERROR packets the emulator sends (RFC 1350 leaves them free; these are for
// the peer's log, not the module's console).
constexpr std::string_view unknown_tid_text = "Unknown transfer ID";
constexpr std::string_view illegal_text = "Illegal TFTP operation";
constexpr std::string_view disk_full_text = "Disk full or allocation exceeded";

/// A received packet, or why none came.
struct Received {
  TftpError error = TftpError::none;
  tftp::Packet packet;
};

// The conversation with one peer: sends, remembers the last packet for retransmission, and
// waits for the next packet from the peer's transfer id.
class Exchange {
 public:
  Exchange(udp::socket& socket, const TftpStart& start, TftpTiming timing)
      : m_socket(socket), m_timing(timing), m_destination(start.peer) {
    if (start.answer == TftpStart::Answer::from_peer) m_tid = start.peer;
  }

  /// Sends a new packet (the retry count starts again). The packet comes encoded: a temporary
  /// packet object bound to a coroutine's reference parameter does not survive g++ 12.
  asio::awaitable<bool> send(std::string bytes) {
    m_last = std::move(bytes);
    m_retries = 0;
    co_return co_await transmit(m_last);
  }
  /// Sends the last packet again without counting it as a retry (a duplicate DATA's ACK).
  asio::awaitable<bool> repeat() { co_return co_await transmit(m_last); }
  /// Sends an ERROR to the peer (or to `stranger`) without making it the packet to repeat.
  void send_error(tftp::ErrorCode code, std::string_view text,
                  std::optional<udp::endpoint> stranger = std::nullopt) {
    const std::string bytes = tftp::encode(tftp::Error{code, std::string{text}});
    boost::system::error_code ignored;
    m_socket.send_to(asio::buffer(bytes), stranger ? *stranger : destination(), 0, ignored);
  }

  /// The next packet from the peer, sending the last packet again on each timeout.
  asio::awaitable<Received> next() {
    using namespace asio::experimental::awaitable_operators;
    auto deadline = Clock::now() + m_timing.timeout;
    asio::steady_timer timer{m_socket.get_executor()};
    for (;;) {
      timer.expires_at(deadline);
      udp::endpoint sender;
      auto outcome = co_await (m_socket.async_receive_from(asio::buffer(m_buffer), sender,
                                                           asio::as_tuple(asio::use_awaitable)) ||
                               timer.async_wait(asio::as_tuple(asio::use_awaitable)));
      if (outcome.index() == 1) {
        if (++m_retries > m_timing.retries) co_return Received{TftpError::timed_out, {}};
        trace::event(trace::Channel::network, "tftp: no answer, sending the last packet again");
        if (!co_await transmit(m_last)) co_return Received{TftpError::socket_failed, {}};
        deadline = Clock::now() + m_timing.timeout;
        continue;
      }
      const auto [error, length] = std::get<0>(outcome);
      if (error) {
        // A port-unreachable report from an earlier datagram is not an answer: keep waiting.
        if (error == asio::error::connection_refused) continue;
        co_return Received{TftpError::socket_failed, {}};
      }
      if (!accept_sender(sender)) {
        send_error(tftp::ErrorCode::unknown_transfer_id, unknown_tid_text, sender);
        continue;
      }
      auto packet = tftp::decode(std::string_view{m_buffer.data(), length});
      if (!packet) {
        send_error(tftp::ErrorCode::illegal_operation, illegal_text);
        co_return Received{TftpError::protocol_error, {}};
      }
      co_return Received{TftpError::none, std::move(*packet)};
    }
  }

 private:
  udp::endpoint destination() const { return m_tid ? *m_tid : m_destination; }

  // The first answer to a request fixes the peer's transfer id; it must come from the address
  // the request went to.
  bool accept_sender(const udp::endpoint& sender) {
    if (m_tid) return sender == *m_tid;
    if (sender.address() != m_destination.address()) return false;
    m_tid = sender;
    trace::event(trace::Channel::network,
                 "tftp: the peer answers from port " + std::to_string(sender.port()));
    return true;
  }

  asio::awaitable<bool> transmit(const std::string& bytes) {
    auto [error, sent] = co_await m_socket.async_send_to(asio::buffer(bytes), destination(),
                                                         asio::as_tuple(asio::use_awaitable));
    if (error) {
      trace::event(trace::Channel::network, "tftp: send failed: " + error.message());
      co_return false;
    }
    co_return sent == bytes.size();
  }

  udp::socket& m_socket;
  TftpTiming m_timing;
  udp::endpoint m_destination;
  std::optional<udp::endpoint> m_tid;
  std::string m_last;
  unsigned m_retries = 0;
  std::array<char, tftp::max_packet + 1> m_buffer{};  // one more: an oversized datagram shows
};

// The outcome of a packet that is neither the awaited kind nor an ERROR.
asio::awaitable<TftpOutcome> illegal(Exchange& exchange) {
  exchange.send_error(tftp::ErrorCode::illegal_operation, illegal_text);
  co_return TftpOutcome{TftpError::protocol_error, {}};
}

}  // namespace

std::string to_string(const TftpOutcome& outcome) {
  switch (outcome.error) {
    case TftpError::none:
      return "done";
    case TftpError::name_not_resolved:
      return "name not resolved";
    case TftpError::refused:
      return "refused by --allow/--deny";
    case TftpError::timed_out:
      return "no answer";
    case TftpError::server_error:
      return "error packet " + std::to_string(static_cast<unsigned>(outcome.remote.code)) + " (" +
             outcome.remote.message + ")";
    case TftpError::local_refused:
      return "no room for the file";
    case TftpError::protocol_error:
      return "unexpected packet";
    case TftpError::socket_failed:
      return "socket failed";
  }
  return "?";
}

asio::awaitable<TftpOutcome> tftp_receive(udp::socket& socket, TftpStart start, TftpTiming timing,
                                          const TftpBlockSink& sink) {
  Exchange exchange{socket, start, timing};
  if (!co_await exchange.send(std::move(start.first_packet))) {
    co_return TftpOutcome{TftpError::socket_failed, {}};
  }
  std::uint16_t expected = 1;
  for (;;) {
    Received received = co_await exchange.next();
    if (received.error != TftpError::none) co_return TftpOutcome{received.error, {}};
    if (auto* error = std::get_if<tftp::Error>(&received.packet)) {
      co_return TftpOutcome{TftpError::server_error, std::move(*error)};
    }
    const auto* data = std::get_if<tftp::Data>(&received.packet);
    if (data == nullptr) co_return co_await illegal(exchange);
    if (data->block == static_cast<std::uint16_t>(expected - 1)) {
      co_await exchange.repeat();  // our ACK was lost: acknowledge the block again
      continue;
    }
    if (data->block != expected) continue;  // an older duplicate
    if (!sink(data->payload)) {
      exchange.send_error(tftp::ErrorCode::disk_full, disk_full_text);
      co_return TftpOutcome{TftpError::local_refused, {}};
    }
    std::string ack = tftp::encode(tftp::Ack{expected});
    if (!co_await exchange.send(std::move(ack))) {
      co_return TftpOutcome{TftpError::socket_failed, {}};
    }
    if (data->payload.size() < tftp::block_size) co_return TftpOutcome{};
    ++expected;
  }
}

asio::awaitable<TftpOutcome> tftp_send(udp::socket& socket, TftpStart start, TftpTiming timing,
                                       std::string_view content) {
  Exchange exchange{socket, start, timing};
  auto block_of = [content](std::size_t number) {
    const std::size_t offset = (number - 1) * tftp::block_size;
    return std::string{content.substr(std::min(offset, content.size()), tftp::block_size)};
  };
  std::size_t current = 0;  // the block awaiting its ACK (0: the WRQ)
  bool sent = false;
  if (start.first_packet.empty()) {
    current = 1;
    // Encoded into a named string first: a temporary packet inside a co_await expression is
    // destroyed twice by g++ 12.
    std::string first = tftp::encode(tftp::Data{1, block_of(1)});
    sent = co_await exchange.send(std::move(first));
  } else {
    sent = co_await exchange.send(std::move(start.first_packet));
  }
  if (!sent) co_return TftpOutcome{TftpError::socket_failed, {}};
  for (;;) {
    Received received = co_await exchange.next();
    if (received.error != TftpError::none) co_return TftpOutcome{received.error, {}};
    if (auto* error = std::get_if<tftp::Error>(&received.packet)) {
      co_return TftpOutcome{TftpError::server_error, std::move(*error)};
    }
    const auto* ack = std::get_if<tftp::Ack>(&received.packet);
    if (ack == nullptr) co_return co_await illegal(exchange);
    // A duplicate ACK is not answered: sending the block again would double every later one.
    if (ack->block != static_cast<std::uint16_t>(current)) continue;
    if (current > 0 && block_of(current).size() < tftp::block_size) co_return TftpOutcome{};
    ++current;
    std::string next =
        tftp::encode(tftp::Data{static_cast<std::uint16_t>(current), block_of(current)});
    if (!co_await exchange.send(std::move(next))) {
      co_return TftpOutcome{TftpError::socket_failed, {}};
    }
  }
}

}  // namespace spwf::net
