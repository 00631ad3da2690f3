#pragma once
// TCP and UDP streams over Asio sockets.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "netstack/Stream.hpp"

namespace spwf::net {

/// A connected TCP socket.
class TcpStream : public Stream {
 public:
  explicit TcpStream(boost::asio::ip::tcp::socket socket) : m_socket(std::move(socket)) {}
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      std::span<char> buffer) override;
  boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes) override;
  void close() override;
  StreamKind kind() const override { return StreamKind::tcp; }
  boost::asio::ip::tcp::socket& socket() { return m_socket; }

 private:
  boost::asio::ip::tcp::socket m_socket;
};

/// A UDP socket connected to one peer: each read is one datagram, each write one datagram.
class UdpStream : public Stream {
 public:
  explicit UdpStream(boost::asio::ip::udp::socket socket) : m_socket(std::move(socket)) {}
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      std::span<char> buffer) override;
  boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes) override;
  void close() override;
  StreamKind kind() const override { return StreamKind::udp; }

 private:
  boost::asio::ip::udp::socket m_socket;
};

}  // namespace spwf::net
