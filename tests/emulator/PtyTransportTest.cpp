// The pty transport in-process, with a host that opens and closes the slave:
//
//   (module boots, nobody has the pty open)   module writes "boot\r\n"  -> kept
//   host A opens the slave                    -> A reads "boot\r\n"
//   A sends "AT\r"                            -> read_some returns "AT\r"
//   A closes; module writes "lost\r\n"        -> dropped (nobody attached)
//   host B opens; module writes "AT-S.OK\r\n" -> B reads only that

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
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

class PtyTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_transport = std::make_unique<PtyTransport>(m_io.get_executor(), std::nullopt);
    asio::co_spawn(m_io, reader(), [](std::exception_ptr failure) { EXPECT_FALSE(failure); });
  }
  asio::awaitable<void> reader() {
    std::array<char, 256> buffer;
    for (;;) {
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

}  // namespace
