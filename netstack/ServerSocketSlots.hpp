#pragma once
// The inside of ServerSockets, shared by its two halves: ServerSockets.cpp (opening servers and
// what the host does with them: SOCKDR/SOCKDW/SOCKDC/SOCKDL) and ServerSocketIntake.cpp (how
// clients arrive and leave: the TCP accept loop, the TLS handshake, the UDP receive loop). Not
// for use outside netstack/ServerSockets*.

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "netstack/ServerSockets.hpp"

namespace spwf::net::server_sockets {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

// The address as the module prints it: IPv4-mapped IPv6 addresses as plain IPv4.
inline std::string printable(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

inline std::string server_name(unsigned server) {
  return "server " + std::to_string(server);
}

inline std::string client_name(unsigned server, unsigned client) {
  return server_name(server) + " client " + std::to_string(client);
}

// One remote of a UDP server as a Stream: the server's receive loop hands it the datagrams that
// come from its address and port; writes go back to that remote through the server's socket.
class DatagramClientStream : public Stream {
 public:
  DatagramClientStream(asio::any_io_executor executor, std::shared_ptr<udp::socket> socket,
                       udp::endpoint remote)
      : m_socket(std::move(socket)), m_remote(remote), m_arrived(executor) {}

  /// Queues one datagram from the remote and wakes the reader.
  void deliver(std::string datagram) {
    m_queue.push_back(std::move(datagram));
    m_arrived.cancel();
  }

  asio::awaitable<std::pair<error_code, std::size_t>> read_some(std::span<char> buffer) override {
    while (m_queue.empty() && !m_closed) {
      m_arrived.expires_at(asio::steady_timer::time_point::max());
      co_await m_arrived.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (m_closed) co_return std::pair{error_code{asio::error::operation_aborted}, std::size_t{0}};
    const std::string datagram = std::move(m_queue.front());
    m_queue.pop_front();
    const std::size_t count = std::min(datagram.size(), buffer.size());
    std::copy_n(datagram.data(), count, buffer.data());
    co_return std::pair{error_code{}, count};
  }

  asio::awaitable<error_code> write_all(std::string_view bytes) override {
    if (m_closed) co_return error_code{asio::error::bad_descriptor};
    auto [error, count] = co_await m_socket->async_send_to(asio::buffer(bytes), m_remote,
                                                           asio::as_tuple(asio::use_awaitable));
    (void)count;
    co_return error;
  }

  void close() override {
    m_closed = true;
    m_arrived.cancel();
  }

  StreamKind kind() const override { return StreamKind::udp; }

 private:
  std::shared_ptr<udp::socket> m_socket;
  udp::endpoint m_remote;
  asio::steady_timer m_arrived;
  std::deque<std::string> m_queue;
  bool m_closed = false;
};

}  // namespace spwf::net::server_sockets

namespace spwf::net {

/// One client slot: connected, gone with unread data, or (TLS) still in its handshake, when it
/// has no channel yet.
struct ServerSockets::Client {
  std::shared_ptr<Channel> channel;
  Stream* handshaking = nullptr;  ///< TLS: the stream in its handshake (owned by its coroutine)
  std::string address;
  std::uint16_t port = 0;
  boost::asio::ip::udp::endpoint remote;  ///< UDP: the remote this client stands for
  server_sockets::DatagramClientStream* datagrams = nullptr;  ///< UDP: owned by the channel
  bool gone = false;
  std::shared_ptr<void> memory;  ///< the module's heap this client holds (see take_memory)
};

/// One listening server. Shared with its receive loop, which ends once `closed` is set.
struct ServerSockets::Server {
  unsigned id = 0;
  ServerRequest request;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  std::shared_ptr<boost::asio::ip::udp::socket> datagrams;
  std::array<std::unique_ptr<Client>, max_clients> clients;
  bool closed = false;

  void close_clients() {
    for (auto& client : clients) {
      if (!client) continue;
      if (client->channel) client->channel->close();
      if (client->handshaking) client->handshaking->close();
      client.reset();
    }
  }
  void close() {
    closed = true;
    close_clients();
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    if (datagrams) datagrams->close(ignored);
  }
};

}  // namespace spwf::net
