#include "netstack/WebSocketStream.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace spwf::net {
namespace asio = boost::asio;
using boost::system::error_code;

asio::awaitable<std::pair<error_code, std::size_t>> WebSocketStream::read_some(
    std::span<char> buffer) {
  for (;;) {
    const WebSocketRead read = co_await m_client->read_some(buffer);
    if (read.error == boost::beast::websocket::error::closed) {
      co_return std::pair{error_code{asio::error::eof}, read.count};
    }
    if (read.error || read.count > 0) co_return std::pair{read.error, read.count};
    // An empty message carries nothing for a byte stream: wait for the next bytes.
  }
}

asio::awaitable<error_code> WebSocketStream::write_all(std::string_view bytes) {
  co_return co_await m_client->write(bytes, MessageType::binary, FrameEnd::last);
}

}  // namespace spwf::net
