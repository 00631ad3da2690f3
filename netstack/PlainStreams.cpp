#include "netstack/PlainStreams.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace spwf::net {
namespace asio = boost::asio;
using boost::system::error_code;

asio::awaitable<std::pair<error_code, std::size_t>> TcpStream::read_some(std::span<char> buffer) {
  auto [error, count] = co_await m_socket.async_read_some(
      asio::buffer(buffer.data(), buffer.size()), asio::as_tuple(asio::use_awaitable));
  co_return std::pair{error, count};
}

asio::awaitable<error_code> TcpStream::write_all(std::string_view bytes) {
  // Most writes fit in the kernel's send buffer at once: try that without suspending, and wait
  // for room only for what is left.
  error_code error;
  if (!m_socket.non_blocking()) m_socket.non_blocking(true, error);
  if (!error) {
    const std::size_t written = m_socket.write_some(asio::buffer(bytes), error);
    if (!error) bytes.remove_prefix(written);
    if (bytes.empty()) co_return error_code{};
    if (error && error != asio::error::would_block && error != asio::error::try_again) {
      co_return error;
    }
  }
  auto [write_error, count] = co_await asio::async_write(m_socket, asio::buffer(bytes),
                                                         asio::as_tuple(asio::use_awaitable));
  (void)count;
  co_return write_error;
}

void TcpStream::close() {
  error_code ignored;
  m_socket.close(ignored);
}

asio::awaitable<std::pair<error_code, std::size_t>> UdpStream::read_some(std::span<char> buffer) {
  auto [error, count] = co_await m_socket.async_receive(asio::buffer(buffer.data(), buffer.size()),
                                                        asio::as_tuple(asio::use_awaitable));
  co_return std::pair{error, count};
}

asio::awaitable<error_code> UdpStream::write_all(std::string_view bytes) {
  auto [error, count] =
      co_await m_socket.async_send(asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
  (void)count;
  co_return error;
}

void UdpStream::close() {
  error_code ignored;
  m_socket.close(ignored);
}

}  // namespace spwf::net
