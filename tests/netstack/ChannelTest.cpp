// Tests of netstack/Channel.hpp's send side over a scripted stream (no sockets needed):
//   write("a"), write("b"), write("c") in one go  -> each answers none at once; the stream sees
//                                                    one write "abc" once the writer waits
//   the stream's write fails (broken pipe)         -> the next write answers not_connected
//   close() while a write is under way             -> the stream is closed when it is out
//   close() while the peer never takes the bytes   -> the stream is closed after the linger
//   the queue holds 64 KiB                         -> a further write waits for room
//   the peer never takes the bytes                 -> that write fails after the send timeout

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netstack/Channel.hpp"

namespace spwf::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

/// What the test sees of and decides for the scripted stream (shared: the Channel owns the
/// stream itself).
struct Script {
  explicit Script(asio::io_context& io) : gate(io) {
    // Never expires by itself: wake() cancels every wait on it at once.
    gate.expires_at(asio::steady_timer::time_point::max());
  }
  std::vector<std::string> writes;  ///< every write_all the Channel made
  bool hold = false;                ///< writes wait until released (a peer that does not read)
  error_code failure;               ///< what each write answers
  bool closed = false;
  asio::steady_timer gate;  ///< wakes held writes and pending reads
  void wake() { gate.cancel(); }
};

class ScriptedStream : public Stream {
 public:
  explicit ScriptedStream(std::shared_ptr<Script> script) : m_script(std::move(script)) {}
  asio::awaitable<std::pair<error_code, std::size_t>> read_some(std::span<char>) override {
    while (!m_script->closed) co_await wait();
    co_return std::pair{error_code{asio::error::operation_aborted}, std::size_t{0}};
  }
  asio::awaitable<error_code> write_all(std::string_view bytes) override {
    m_script->writes.emplace_back(bytes);
    while (m_script->hold && !m_script->closed) co_await wait();
    if (m_script->closed) co_return error_code{asio::error::operation_aborted};
    co_return m_script->failure;
  }
  void close() override {
    m_script->closed = true;
    m_script->wake();
  }
  StreamKind kind() const override { return StreamKind::tcp; }

 private:
  asio::awaitable<void> wait() {
    co_await m_script->gate.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  std::shared_ptr<Script> m_script;
};

class ChannelTest : public ::testing::Test {
 protected:
  void open(std::chrono::milliseconds linger = Channel::default_linger,
            std::chrono::milliseconds send_timeout = limits::socket_send_timeout) {
    m_channel =
        std::make_shared<Channel>(m_io.get_executor(), std::make_unique<ScriptedStream>(m_script),
                                  1500, 0, ChannelCallbacks{}, linger, send_timeout);
    m_channel->start("socket 0");
  }
  /// Starts a write; its answer lands in the returned slot when it is done.
  std::shared_ptr<std::optional<NetError>> write(std::string bytes) {
    auto answer = std::make_shared<std::optional<NetError>>();
    asio::co_spawn(
        m_io,
        [](std::shared_ptr<Channel> channel, std::string data,
           std::shared_ptr<std::optional<NetError>> slot) -> asio::awaitable<void> {
          *slot = co_await channel->write(data);
        }(m_channel, std::move(bytes), answer),
        [](std::exception_ptr failure) { ASSERT_FALSE(failure); });
    return answer;
  }
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= until) return false;
      if (m_io.stopped()) m_io.restart();
      m_io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  /// Runs every handler that is ready now.
  void settle() {
    if (m_io.stopped()) m_io.restart();
    m_io.poll();
  }

  asio::io_context m_io;
  std::shared_ptr<Script> m_script = std::make_shared<Script>(m_io);
  std::shared_ptr<Channel> m_channel;
};

TEST_F(ChannelTest, WritesAnswerAtOnceAndLeaveTogether) {
  open();
  const auto first = write("a");
  const auto second = write("b");
  const auto third = write("c");
  ASSERT_TRUE(run_until([&] { return third->has_value(); }));
  EXPECT_EQ(first->value(), NetError::none);
  EXPECT_EQ(second->value(), NetError::none);
  EXPECT_EQ(third->value(), NetError::none);
  settle();
  EXPECT_EQ(m_script->writes, std::vector<std::string>{"abc"});
}

TEST_F(ChannelTest, AFailedSendIsReportedByTheNextWrite) {
  open();
  m_script->failure = asio::error::broken_pipe;
  const auto first = write("x");
  ASSERT_TRUE(run_until([&] { return first->has_value() && !m_script->writes.empty(); }));
  EXPECT_EQ(first->value(), NetError::none);
  settle();
  const auto second = write("y");
  ASSERT_TRUE(run_until([&] { return second->has_value(); }));
  EXPECT_EQ(second->value(), NetError::not_connected);
  EXPECT_EQ(m_script->writes.size(), 1u);
}

TEST_F(ChannelTest, CloseLetsTheQueuedBytesOutFirst) {
  open();
  m_script->hold = true;
  write("data");
  ASSERT_TRUE(run_until([&] { return m_script->writes.size() == 1; }));
  m_channel->close();
  settle();
  EXPECT_FALSE(m_script->closed);
  m_script->hold = false;
  m_script->wake();
  ASSERT_TRUE(run_until([&] { return m_script->closed; }));
  EXPECT_EQ(m_script->writes, std::vector<std::string>{"data"});
}

TEST_F(ChannelTest, APeerThatNeverReadsIsClosedAfterTheLinger) {
  open(std::chrono::milliseconds(50));
  m_script->hold = true;
  write("data");
  ASSERT_TRUE(run_until([&] { return m_script->writes.size() == 1; }));
  const auto closed_at = std::chrono::steady_clock::now();
  m_channel->close();
  ASSERT_TRUE(run_until([&] { return m_script->closed; }));
  EXPECT_GE(std::chrono::steady_clock::now() - closed_at, std::chrono::milliseconds(50));
}

TEST_F(ChannelTest, AWriteBeyondTheQueueLimitWaitsForRoom) {
  open();
  m_script->hold = true;
  write("x");  // taken by the send loop, which then waits on the peer
  ASSERT_TRUE(run_until([&] { return m_script->writes.size() == 1; }));
  const auto fills = write(std::string(Channel::send_queue_limit, 'y'));
  ASSERT_TRUE(run_until([&] { return fills->has_value(); }));
  EXPECT_EQ(fills->value(), NetError::none);
  const auto waits = write("z");
  settle();
  EXPECT_FALSE(waits->has_value());
  m_script->hold = false;
  m_script->wake();
  ASSERT_TRUE(run_until([&] { return waits->has_value(); }));
  EXPECT_EQ(waits->value(), NetError::none);
  ASSERT_TRUE(run_until([&] { return m_script->writes.size() == 3; }));
  EXPECT_EQ(m_script->writes[1], std::string(Channel::send_queue_limit, 'y'));
  EXPECT_EQ(m_script->writes[2], "z");
}

TEST_F(ChannelTest, AWriteThatFindsNoRoomFailsAfterTheSendTimeout) {
  open(Channel::default_linger, std::chrono::milliseconds(50));
  m_script->hold = true;
  write("x");
  ASSERT_TRUE(run_until([&] { return m_script->writes.size() == 1; }));
  write(std::string(Channel::send_queue_limit, 'y'));
  const auto started = std::chrono::steady_clock::now();
  const auto waits = write("z");
  ASSERT_TRUE(run_until([&] { return waits->has_value(); }));
  EXPECT_EQ(waits->value(), NetError::write_failed);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(50));
  m_script->hold = false;
  m_script->wake();
}

}  // namespace
}  // namespace spwf::net
