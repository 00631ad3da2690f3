// Tests of netstack/AsyncStreamAdapter and WebSocketClient without a pty: the adapter moves bytes
// both ways over a real loopback TcpStream, and the client talks to a Beast WebSocket server in
// the same io_context.
//   adapter: async_write of two buffers -> the peer reads both; async_read of 5 bytes; an empty
//   read completes at once; after close() a read ends with an error
//   client: handshake with Origin, Sec-WebSocket-Protocol, -Extensions and Basic auth;
//   text "hello" and binary "\0\1\2" echoed; fragments "ab"+"cd" arrive as one message "abcd";
//   close(1001) reaches the server as code 1001
//   WebSocketStream: write_all("abc") is one binary message, echoed back as bytes; the server's
//   close frame reads as eof

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "netstack/AsyncStreamAdapter.hpp"
#include "netstack/PlainStreams.hpp"
#include "netstack/WebSocketClient.hpp"
#include "netstack/WebSocketStream.hpp"

namespace spwf::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Runs `test` on a fresh io_context (at most 10 s) and fails on an exception it throws.
template <typename Test>
void run_test(asio::io_context& io, Test test) {
  bool finished = false;
  asio::co_spawn(io, test(), [&](std::exception_ptr failure) {
    finished = true;
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
      }
    }
  });
  io.run_for(10s);
  EXPECT_TRUE(finished);
}

TEST(AsyncStreamAdapter, MovesBytesBothWaysAndFailsAfterClose) {
  asio::io_context io;
  run_test(io, [&]() -> asio::awaitable<void> {
    tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    tcp::socket client{io};
    co_await client.async_connect(acceptor.local_endpoint(), use_awaitable);
    tcp::socket server = co_await acceptor.async_accept(use_awaitable);
    AsyncStreamAdapter adapter{io.get_executor(), std::make_shared<TcpStream>(std::move(client))};

    const std::array<asio::const_buffer, 2> pieces{asio::buffer("ab", 2), asio::buffer("cde", 3)};
    const std::size_t written = co_await asio::async_write(adapter, pieces, use_awaitable);
    EXPECT_EQ(written, 5u);
    std::string received(5, '\0');
    co_await asio::async_read(server, asio::buffer(received), use_awaitable);
    EXPECT_EQ(received, "abcde");

    co_await asio::async_write(server, asio::buffer("vwxyz", 5), use_awaitable);
    std::string back(5, '\0');
    co_await asio::async_read(adapter, asio::buffer(back), use_awaitable);
    EXPECT_EQ(back, "vwxyz");

    char none = 0;
    const auto [empty_error, empty_count] =
        co_await adapter.async_read_some(asio::buffer(&none, 0), asio::as_tuple(use_awaitable));
    EXPECT_FALSE(empty_error);
    EXPECT_EQ(empty_count, 0u);

    adapter.close();
    char byte = 0;
    const auto [error, count] =
        co_await adapter.async_read_some(asio::buffer(&byte, 1), asio::as_tuple(use_awaitable));
    EXPECT_TRUE(error);
    EXPECT_EQ(count, 0u);
  });
}

// A Beast server: accepts one client, keeps its handshake request, echoes each message with its
// type and remembers the close code it receives.
struct EchoServer {
  explicit EchoServer(asio::io_context& io)
      : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {}
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  asio::awaitable<void> serve() {
    websocket::stream<tcp::socket> ws{co_await acceptor.async_accept(use_awaitable)};
    beast::flat_buffer buffer;
    co_await http::async_read(ws.next_layer(), buffer, request, use_awaitable);
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::sec_websocket_protocol, "chat");
    }));
    co_await ws.async_accept(request, use_awaitable);
    for (;;) {
      beast::flat_buffer message;
      const auto [error, count] = co_await ws.async_read(message, asio::as_tuple(use_awaitable));
      (void)count;
      if (error) {
        close_code = ws.reason().code;
        co_return;
      }
      messages.push_back(beast::buffers_to_string(message.data()));
      if (messages.back() == "bye") {
        co_await ws.async_close(websocket::close_code::normal, use_awaitable);
        co_return;
      }
      ws.binary(ws.got_binary());
      co_await ws.async_write(message.data(), use_awaitable);
    }
  }

  tcp::acceptor acceptor;
  websocket::request_type request;
  std::vector<std::string> messages;
  unsigned close_code = 0;
};

// Reads one whole message from `client`.
asio::awaitable<std::string> read_message(WebSocketClient& client, MessageType& type) {
  std::string message;
  std::array<char, 64> buffer;
  for (;;) {
    const auto read = co_await client.read_some(buffer);
    if (read.error) co_return "error: " + read.error.message();
    message.append(buffer.data(), read.count);
    type = read.type;
    if (read.message_done) co_return message;
  }
}

TEST(WebSocketClient, HandshakeFieldsEchoFragmentsAndClose) {
  asio::io_context io;
  EchoServer server{io};
  asio::co_spawn(io, server.serve(), [](std::exception_ptr) {});
  run_test(io, [&]() -> asio::awaitable<void> {
    const HostMapper mapper{config::EmulatorConfig{}};
    WebSocketRequest request;
    request.host = "127.0.0.1";
    request.port = server.port();
    request.path = "/chat?x=1";
    request.origin = "http://module.example";
    request.protocol = "chat";
    request.extensions = "x-test";
    request.user = "user";
    request.password = "secret";
    auto outcome = co_await WebSocketClient::connect(io.get_executor(), mapper, request, {}, 2s);
    EXPECT_TRUE(std::holds_alternative<std::shared_ptr<WebSocketClient>>(outcome));
    if (!std::holds_alternative<std::shared_ptr<WebSocketClient>>(outcome)) co_return;
    auto client = std::get<std::shared_ptr<WebSocketClient>>(outcome);
    EXPECT_EQ(server.request.target(), "/chat?x=1");
    EXPECT_EQ(server.request[http::field::host], "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(server.request[http::field::origin], "http://module.example");
    EXPECT_EQ(server.request[http::field::sec_websocket_protocol], "chat");
    EXPECT_EQ(server.request[http::field::sec_websocket_extensions], "x-test");
    EXPECT_EQ(server.request[http::field::authorization], "Basic dXNlcjpzZWNyZXQ=");
    EXPECT_EQ(server.request.count(http::field::user_agent), 0u);

    MessageType type = MessageType::binary;
    EXPECT_FALSE(co_await client->write("hello", MessageType::text, FrameEnd::last));
    EXPECT_EQ(co_await read_message(*client, type), "hello");
    EXPECT_EQ(type, MessageType::text);
    const std::string binary{"\0\1\2", 3};
    EXPECT_FALSE(co_await client->write(binary, MessageType::binary, FrameEnd::last));
    EXPECT_EQ(co_await read_message(*client, type), binary);
    EXPECT_EQ(type, MessageType::binary);
    EXPECT_FALSE(co_await client->write("ab", MessageType::text, FrameEnd::more));
    EXPECT_FALSE(co_await client->write("cd", MessageType::binary, FrameEnd::last));
    EXPECT_EQ(co_await read_message(*client, type), "abcd");
    EXPECT_EQ(type, MessageType::text);  // the first fragment decided

    co_await client->close(1001);
  });
  io.restart();
  io.run_for(2s);
  EXPECT_EQ(server.messages, (std::vector<std::string>{"hello", std::string{"\0\1\2", 3}, "abcd"}));
  EXPECT_EQ(server.close_code, 1001u);
}

TEST(WebSocketStream, BinaryMessagesAsAByteStream) {
  asio::io_context io;
  EchoServer server{io};
  asio::co_spawn(io, server.serve(), [](std::exception_ptr) {});
  run_test(io, [&]() -> asio::awaitable<void> {
    const HostMapper mapper{config::EmulatorConfig{}};
    WebSocketRequest request;
    request.host = "127.0.0.1";
    request.port = server.port();
    request.protocol = "mqtt";
    auto outcome = co_await WebSocketClient::connect(io.get_executor(), mapper, request, {}, 2s);
    EXPECT_TRUE(std::holds_alternative<std::shared_ptr<WebSocketClient>>(outcome));
    if (!std::holds_alternative<std::shared_ptr<WebSocketClient>>(outcome)) co_return;
    auto client = std::get<std::shared_ptr<WebSocketClient>>(outcome);
    WebSocketStream stream{client};
    EXPECT_EQ(stream.kind(), StreamKind::tcp);
    EXPECT_FALSE(co_await stream.write_all("abc"));
    std::array<char, 16> buffer;
    const auto [error, count] = co_await stream.read_some(buffer);
    EXPECT_FALSE(error);
    EXPECT_EQ(std::string(buffer.data(), count), "abc");
    // The server closes when it sees a text message: the stream reads eof.
    EXPECT_FALSE(co_await client->write("bye", MessageType::text, FrameEnd::last));
    const auto [end, none] = co_await stream.read_some(buffer);
    EXPECT_EQ(end, asio::error::eof);
    EXPECT_EQ(none, 0u);
  });
  EXPECT_EQ(server.messages, (std::vector<std::string>{"abc", "bye"}));
}

TEST(WebSocketClient, ARefusedUpgradeIsAHandshakeFailure) {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
        std::array<char, 1024> request;
        (void)co_await socket.async_read_some(asio::buffer(request), use_awaitable);
        const std::string answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        co_await asio::async_write(socket, asio::buffer(answer), use_awaitable);
      },
      [](std::exception_ptr) {});
  run_test(io, [&]() -> asio::awaitable<void> {
    const HostMapper mapper{config::EmulatorConfig{}};
    WebSocketRequest request;
    request.host = "127.0.0.1";
    request.port = acceptor.local_endpoint().port();
    auto outcome = co_await WebSocketClient::connect(io.get_executor(), mapper, request, {}, 2s);
    EXPECT_TRUE(std::holds_alternative<WebSocketError>(outcome));
    if (auto* error = std::get_if<WebSocketError>(&outcome)) {
      EXPECT_EQ(*error, WebSocketError::handshake_failed);
    }
  });
}

}  // namespace
}  // namespace spwf::net
