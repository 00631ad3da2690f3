// The TCP console transport against real loopback hosts (127.0.0.1, ephemeral port).
//
//   (emulator boots, nobody connected)      module writes "+WIND:0:Console active\r\n"
//   host A connects                        → A receives "+WIND:0:Console active\r\n"
//   A sends "AT\r"                         → read_some returns "AT\r"
//   host B connects while A is connected   → B receives "spwf04emu: console busy\r\n", then EOF
//   A disconnects; module writes "lost"    → dropped (nobody attached)
//   host C connects; module writes "AT-S.OK\r\n" → C receives only that
//   host D sends "AT\rAT+S.STS=fw_version\r", then shutdown(SHUT_WR)
//                                          → D receives both answers, then EOF

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulator/TcpConsoleTransport.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using spwf::emulator::TcpConsoleTransport;

constexpr auto deadline = std::chrono::seconds(5);

/// Runs the io_context until `done()` holds or the deadline passes; returns `done()`.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done() && std::chrono::steady_clock::now() < until) {
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

/// A host on the loopback: connects, collects everything it receives, notices EOF. Its state is
/// shared with the pending read, which may complete after the Host object is gone.
class Host {
 public:
  Host(asio::io_context& io, std::uint16_t port) : m_state(std::make_shared<State>(io)) {
    m_state->socket.connect({asio::ip::make_address("127.0.0.1"), port});
    receive(m_state);
  }
  ~Host() { close(); }
  void send(const std::string& bytes) { asio::write(m_state->socket, asio::buffer(bytes)); }
  void close() {
    boost::system::error_code ignored;
    m_state->socket.close(ignored);
  }
  /// A half-close: no more bytes from this host, which still reads.
  void shutdown_send() { m_state->socket.shutdown(tcp::socket::shutdown_send); }
  const std::string& received() const { return m_state->received; }
  bool ended() const { return m_state->ended; }

 private:
  struct State {
    explicit State(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    char chunk[512];
    std::string received;
    bool ended = false;
  };
  static void receive(std::shared_ptr<State> state) {
    auto& socket = state->socket;
    socket.async_read_some(asio::buffer(state->chunk),
                           [state](boost::system::error_code error, std::size_t count) {
                             if (error) {
                               state->ended = true;
                               return;
                             }
                             state->received.append(state->chunk, count);
                             receive(state);
                           });
  }
  std::shared_ptr<State> m_state;
};

/// Reads from the transport in a loop into `sink` until it returns 0.
asio::awaitable<void> drain(TcpConsoleTransport& transport, std::string& sink, bool& ended) {
  char buffer[64];
  for (;;) {
    const std::size_t count = co_await transport.read_some(buffer);
    if (count == 0) break;
    sink.append(buffer, count);
  }
  ended = true;
}

class TcpConsoleTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_transport.emplace(m_io.get_executor(), "127.0.0.1", 0);
    m_transport->start();
    asio::co_spawn(m_io, drain(*m_transport, m_from_host, m_reader_ended),
                   [](std::exception_ptr failure) { ASSERT_FALSE(failure); });
  }
  void TearDown() override {
    m_transport->shutdown();
    EXPECT_TRUE(run_until(m_io, [&] { return m_reader_ended; }));
  }
  std::uint16_t port() const { return m_transport->local_port(); }

  asio::io_context m_io;
  std::optional<TcpConsoleTransport> m_transport;
  std::string m_from_host;
  bool m_reader_ended = false;
};

TEST_F(TcpConsoleTransportTest, ListensOnAnEphemeralPort) {
  EXPECT_NE(port(), 0);
}

TEST_F(TcpConsoleTransportTest, FirstHostReceivesOutputWrittenBeforeItConnected) {
  m_transport->write("+WIND:1:Poweron\r\n");
  m_transport->write("+WIND:0:Console active\r\n");
  Host host(m_io, port());
  ASSERT_TRUE(run_until(m_io, [&] { return host.received().size() >= 41; }));
  EXPECT_EQ(host.received(), "+WIND:1:Poweron\r\n+WIND:0:Console active\r\n");
  host.send("AT\r");
  ASSERT_TRUE(run_until(m_io, [&] { return m_from_host == "AT\r"; }));
  m_transport->write("AT\r\nAT-S.OK\r\n");
  ASSERT_TRUE(run_until(m_io, [&] { return host.received().ends_with("AT-S.OK\r\n"); }));
}

TEST_F(TcpConsoleTransportTest, BacklogKeepsTheNewest64KiB) {
  m_transport->write(std::string(70 * 1024, 'x'));
  m_transport->write("end");
  Host host(m_io, port());
  ASSERT_TRUE(run_until(m_io, [&] { return host.received().ends_with("end"); }));
  EXPECT_EQ(host.received().size(), 64u * 1024u);
}

TEST_F(TcpConsoleTransportTest, SecondHostIsToldBusyAndClosed) {
  Host first(m_io, port());
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_connected(); }));
  Host second(m_io, port());
  ASSERT_TRUE(run_until(m_io, [&] { return second.ended(); }));
  EXPECT_EQ(second.received(), "spwf04emu: console busy\r\n");
  // The first host is untouched.
  first.send("AT\r");
  ASSERT_TRUE(run_until(m_io, [&] { return m_from_host == "AT\r"; }));
  EXPECT_FALSE(first.ended());
}

TEST_F(TcpConsoleTransportTest, OutputWhileNobodyIsConnectedAfterADisconnectIsDropped) {
  {
    Host first(m_io, port());
    first.send("AT\r");
    ASSERT_TRUE(run_until(m_io, [&] { return m_from_host == "AT\r"; }));
    first.close();
  }
  ASSERT_TRUE(run_until(m_io, [&] { return !m_transport->host_connected(); }));
  m_transport->write("lost while nobody listens\r\n");
  Host next(m_io, port());
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_connected(); }));
  m_transport->write("AT-S.OK\r\n");
  ASSERT_TRUE(run_until(m_io, [&] { return next.received().size() >= 9; }));
  EXPECT_EQ(next.received(), "AT-S.OK\r\n");
  // read_some kept waiting across the disconnect and now delivers the new host's bytes.
  next.send("ATI\r");
  ASSERT_TRUE(run_until(m_io, [&] { return m_from_host == "AT\rATI\r"; }));
  EXPECT_FALSE(m_reader_ended);
}

TEST_F(TcpConsoleTransportTest, ShutdownEndsReadAndDropsTheHost) {
  Host host(m_io, port());
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_connected(); }));
  m_transport->shutdown();
  ASSERT_TRUE(run_until(m_io, [&] { return m_reader_ended && host.ended(); }));
}

/// A Session that answers each command line (CR) after a turn of the event loop, as a command
/// that runs a while does.
asio::awaitable<void> answer_each_line(TcpConsoleTransport& transport) {
  char buffer[64];
  for (;;) {
    const std::size_t count = co_await transport.read_some(buffer);
    if (count == 0) co_return;
    for (std::size_t index = 0; index < count; ++index) {
      if (buffer[index] != '\r') continue;
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      transport.write("AT-S.OK\r\n");
    }
  }
}

TEST(TcpConsoleHalfClose, AnswersToEverythingSentAreDeliveredBeforeTheClose) {
  asio::io_context io;
  TcpConsoleTransport transport{io.get_executor(), "127.0.0.1", 0};
  transport.start();
  asio::co_spawn(io, answer_each_line(transport), asio::detached);
  Host host(io, transport.local_port());
  host.send("AT\rAT+S.STS=fw_version\r");
  host.shutdown_send();
  ASSERT_TRUE(run_until(io, [&] { return host.ended(); }));
  EXPECT_EQ(host.received(), "AT-S.OK\r\nAT-S.OK\r\n");
  // The console is free for the next host.
  ASSERT_TRUE(run_until(io, [&] { return !transport.host_connected(); }));
  Host next(io, transport.local_port());
  next.send("AT\r");
  ASSERT_TRUE(run_until(io, [&] { return next.received() == "AT-S.OK\r\n"; }));
  transport.shutdown();
  io.run_for(std::chrono::milliseconds(50));
}

// host sends "AT\rAT\r"   -> read_available hands the bytes over without waiting, in pieces
//                           no larger than the buffer; before any arrive it returns 0.
TEST(TcpConsoleReadAvailable, TakesWhatTheHostHasSentWithoutWaiting) {
  asio::io_context io;
  TcpConsoleTransport transport{io.get_executor(), "127.0.0.1", 0};
  transport.start();
  char buffer[4];
  EXPECT_EQ(transport.read_available(buffer), 0u);
  Host host(io, transport.local_port());
  host.send("AT\rAT\r");
  std::string taken;
  ASSERT_TRUE(run_until(io, [&] {
    taken.append(buffer, transport.read_available(buffer));
    return taken.size() >= 6;
  }));
  EXPECT_EQ(taken, "AT\rAT\r");
  EXPECT_EQ(transport.read_available(buffer), 0u);
  transport.shutdown();
}

TEST(TcpConsoleListenAddress, Parses) {
  using Address = TcpConsoleTransport::ListenAddress;
  const auto v4 = Address::parse("0.0.0.0:5000");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 5000);
  const auto v6 = Address::parse("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  const auto any = Address::parse(":7000");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "");
  EXPECT_FALSE(Address::parse("localhost"));
  EXPECT_FALSE(Address::parse("localhost:"));
  EXPECT_FALSE(Address::parse("localhost:65536"));
  EXPECT_FALSE(Address::parse("::1:5000"));
  EXPECT_FALSE(Address::parse("host:50x"));
}

}  // namespace
