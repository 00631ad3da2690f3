// The pty transport in-process, with a host that opens and closes the slave:
//
//   (module boots, nobody has the pty open)   module writes "boot\r\n"  -> kept
//   host A opens the slave                    -> A reads "boot\r\n"
//   A sends "AT\r"                            -> read_some returns "AT\r"
//   A closes; module writes "lost\r\n"        -> dropped (nobody attached)
//   host B opens; module writes "AT-S.OK\r\n" -> B reads only that
//
// A host that leaves while a command still runs, or while output is queued:
//   A opens, sends "AT\r"; the Session stops reading (a command runs); A closes
//   module writes "late\r\n"                  -> dropped, with what A had not read
//   host B opens; module writes "AT-S.OK\r\n" -> B reads only that
//   A opens, 1 MiB is written, A closes unread -> the transport goes idle (no CPU spent)

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "emulator/PtyTransport.hpp"

namespace {

namespace asio = boost::asio;
using spwf::emulator::PtyTransport;

/// Runs the io_context until `done()` holds or 5 s pass; returns `done()`.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < until) {
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

/// A host end of the pty, non-blocking so reads never hang the test.
class Host {
 public:
  explicit Host(const std::string& path)
      : m_fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK)) {}
  ~Host() {
    if (m_fd >= 0) ::close(m_fd);
  }
  bool is_open() const { return m_fd >= 0; }
  void send(std::string_view bytes) {
    EXPECT_EQ(::write(m_fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  /// Appends what is readable now.
  const std::string& poll_received() {
    char buffer[512];
    ssize_t count;
    while ((count = ::read(m_fd, buffer, sizeof buffer)) > 0) {
      m_received.append(buffer, static_cast<std::size_t>(count));
    }
    return m_received;
  }

 private:
  int m_fd;
  std::string m_received;
};

/// CPU time (user + system) this process has used so far.
std::chrono::microseconds cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto total = [](const timeval& value) {
    return std::chrono::seconds(value.tv_sec) + std::chrono::microseconds(value.tv_usec);
  };
  return total(usage.ru_utime) + total(usage.ru_stime);
}

class PtyTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_transport = std::make_unique<PtyTransport>(m_io.get_executor(), std::nullopt);
    start_reader();
  }
  /// Reads as the Session does, `reads` times (a Session that stops reading runs a command).
  void start_reader(int reads = -1) {
    m_io.restart();  // an earlier reader may have ended, and with it the io_context's work
    asio::co_spawn(m_io, reader(reads), [](std::exception_ptr failure) { EXPECT_FALSE(failure); });
  }
  asio::awaitable<void> reader(int reads) {
    std::array<char, 256> buffer;
    for (int round = 0; reads < 0 || round < reads; ++round) {
      const std::size_t count = co_await m_transport->read_some(buffer);
      if (count == 0) co_return;
      m_from_host.append(buffer.data(), count);
    }
  }
  asio::io_context m_io;
  std::unique_ptr<PtyTransport> m_transport;
  std::string m_from_host;
};

TEST_F(PtyTransportTest, BootOutputIsKeptForTheFirstHostAndOutputWhileDetachedIsDropped) {
  m_transport->write("boot\r\n");
  auto first = std::make_unique<Host>(m_transport->slave_path());
  ASSERT_TRUE(first->is_open());
  ASSERT_TRUE(run_until(m_io, [&] { return first->poll_received() == "boot\r\n"; }));
  first->send("AT\r");
  ASSERT_TRUE(run_until(m_io, [&] { return m_from_host == "AT\r"; }));

  first.reset();
  ASSERT_TRUE(run_until(m_io, [&] { return !m_transport->host_attached(); }));
  m_transport->write("lost\r\n");

  Host second{m_transport->slave_path()};
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_attached(); }));
  m_transport->write("AT-S.OK\r\n");
  ASSERT_TRUE(run_until(m_io, [&] { return second.poll_received().size() >= 9; }));
  EXPECT_EQ(second.poll_received(), "AT-S.OK\r\n");
}

TEST_F(PtyTransportTest, RawModeKeepsCrAndLfUnchanged) {
  Host host{m_transport->slave_path()};
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_attached(); }));
  host.send("AT\r\n\r");
  ASSERT_TRUE(run_until(m_io, [&] { return m_from_host.size() >= 5; }));
  EXPECT_EQ(m_from_host, "AT\r\n\r");
  m_transport->write("AT-S.OK\r\n");
  ASSERT_TRUE(run_until(m_io, [&] { return host.poll_received().size() >= 9; }));
  EXPECT_EQ(host.poll_received(), "AT-S.OK\r\n");
}

/// The Session's reads are started by each test.
class PtyTransportBusySessionTest : public PtyTransportTest {
 protected:
  void SetUp() override {
    m_transport = std::make_unique<PtyTransport>(m_io.get_executor(), std::nullopt);
  }
};

TEST_F(PtyTransportBusySessionTest, OutputAfterTheHostLeftIsNotDeliveredToTheNextHost) {
  start_reader(1);
  auto first = std::make_unique<Host>(m_transport->slave_path());
  first->send("AT\r");
  ASSERT_TRUE(run_until(m_io, [&] { return m_from_host == "AT\r"; }));
  // Nobody reads now, as while a command runs. The host leaves without reading an answer.
  m_transport->write("unread\r\n");
  first.reset();
  m_transport->write("late\r\n");
  EXPECT_FALSE(m_transport->host_attached());

  Host second{m_transport->slave_path()};
  ASSERT_TRUE(second.is_open()) << std::strerror(errno);
  start_reader();
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_attached(); }));
  m_transport->write("AT-S.OK\r\n");
  ASSERT_TRUE(run_until(m_io, [&] { return second.poll_received().size() >= 9; }));
  EXPECT_EQ(second.poll_received(), "AT-S.OK\r\n");
}

TEST_F(PtyTransportTest, AHostLeavingMidOutputLeavesTheTransportIdle) {
  auto host = std::make_unique<Host>(m_transport->slave_path());
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_attached(); }));
  m_transport->write(std::string(1024 * 1024, 'x'));
  ASSERT_GT(m_transport->queued_output(), 0u) << "the pty took everything: no write in flight";
  host.reset();
  ASSERT_TRUE(run_until(m_io, [&] { return !m_transport->host_attached(); }));
  // Idle means idle: a second of the event loop costs (almost) no CPU time.
  const auto before = cpu_time();
  m_io.run_for(std::chrono::seconds(1));
  const auto spent = cpu_time() - before;
  EXPECT_LT(spent, std::chrono::milliseconds(100)) << spent.count() << " us of CPU in 1 s";
  EXPECT_EQ(m_transport->queued_output(), 0u);
}

TEST_F(PtyTransportTest, OutputForAHostThatDoesNotReadIsBounded) {
  using spwf::limits::console_unread_output;
  Host host{m_transport->slave_path()};
  ASSERT_TRUE(run_until(m_io, [&] { return m_transport->host_attached(); }));
  const std::string piece(64 * 1024, 'x');
  for (std::size_t written = 0; written < 2 * console_unread_output; written += piece.size()) {
    m_transport->write(piece);
  }
  m_io.poll();
  EXPECT_LE(m_transport->queued_output(), console_unread_output);
  EXPECT_GE(m_transport->queued_output(), console_unread_output - piece.size());
}

}  // namespace
