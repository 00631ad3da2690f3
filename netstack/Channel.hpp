#pragma once
// One open module socket's data path: the host stream, the module's receive buffer of
// ip_sock_memsize x 1500 bytes, and the receive loop that fills it and reports arrivals, drops
// and the peer's close. Used for client sockets and for the clients of server sockets.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "netstack/NetError.hpp"
#include "netstack/Stream.hpp"
#include "support/Limits.hpp"

namespace spwf::net {

/// What a channel reports; set by its owner.
struct ChannelCallbacks {
  std::function<void(std::size_t received, std::size_t total)> data;  ///< honours the threshold
  std::function<void(std::size_t bytes)> dropped;
  std::function<void(unsigned reason)> closed;  ///< 0 orderly, 1 reset or error
};

/// The receive buffer and the stream of one socket. Owned through shared_ptr because the
/// receive loop keeps it alive until the loop has ended.
class Channel : public std::enable_shared_from_this<Channel> {
 public:
  /// Largest piece reported per arrival: the module's TCP maximum segment size.
  static constexpr std::size_t segment_size = 730;

  /// How long a closed socket may still take to hand its queued bytes to a peer that reads
  /// slowly (the mbed driver's close timeout).
  static constexpr std::chrono::milliseconds default_linger{10000};

  Channel(boost::asio::any_io_executor executor, std::unique_ptr<Stream> stream,
          std::size_t capacity, unsigned threshold_percent, ChannelCallbacks callbacks,
          std::chrono::milliseconds linger = default_linger,
          std::chrono::milliseconds send_timeout = limits::socket_send_timeout);

  /// Starts the receive loop; `name` labels the trace records ("socket 0").
  void start(std::string name);
  /// Bytes waiting to be read by the host.
  std::size_t pending() const { return m_buffer.size(); }
  /// Takes up to `count` bytes from the buffer.
  std::string take(std::size_t count);
  /// Most bytes the host may have handed over that are not yet with the host stack; a SOCKW
  /// beyond it waits, as the module's does when its TCP window is full.
  static constexpr std::size_t send_queue_limit = 65536;

  /// Sends bytes to the peer (one datagram for UDP). A stream takes them into its send queue
  /// and answers at once, as the module's stack queues a segment; a failure of the connection
  /// is reported by the next write.
  boost::asio::awaitable<NetError> write(std::string_view bytes);
  /// True once the peer has closed or the connection failed.
  bool peer_closed() const { return m_peer_closed; }
  StreamKind kind() const { return m_stream->kind(); }
  /// Closes the stream once what the host wrote is out (at most the linger later); the receive
  /// loop ends without reporting a close.
  void close();
  /// The control interface: the peer closes now (reason 0 orderly, 1 reset), as if its close
  /// had arrived: reported once through `closed`, the bytes already received stay readable.
  void close_by_peer(unsigned reason);

 private:
  static boost::asio::awaitable<void> receive_loop(std::shared_ptr<Channel> self);
  /// Hands the send queue to the stream until it is empty, in as few writes as it can.
  static boost::asio::awaitable<void> send_loop(std::shared_ptr<Channel> self);
  void store(std::string_view bytes);

  boost::asio::any_io_executor m_executor;
  std::unique_ptr<Stream> m_stream;
  std::size_t m_capacity;
  unsigned m_threshold;
  ChannelCallbacks m_callbacks;
  std::string m_name;
  boost::asio::steady_timer m_space_available;
  std::string m_buffer;
  boost::asio::steady_timer m_send_space;
  std::chrono::milliseconds m_linger_time;
  std::chrono::milliseconds m_send_timeout;
  boost::asio::steady_timer m_linger;
  std::string m_outgoing;
  bool m_sending = false;
  NetError m_send_failure = NetError::none;
  bool m_peer_closed = false;
  bool m_closed_locally = false;
};

}  // namespace spwf::net
