// Bounds that keep a misbehaving host or a flood from growing the emulator (issue 10):
//   "AT+S.SO" left open while 600 datagrams arrive on a UDP socket, then CR
//                                  -> AT-S.ERROR:1:Command not found, then the 256 +WIND:55 lines
//                                     held (the rest were dropped, as masked ones are)
//   AT+S.PING=65536,56,127.0.0.1   -> AT-S.ERROR:7:Invalid argument(s)
//   AT+S.PING=2,56,127.0.0.1 with --deny 127.0.0.0/8
//                                  -> AT-S.Start:127.0.0.1, then each AT-S.Timeout as it happens,
//                                     AT-S.Stop:2:0, AT-S.OK

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {
bool icmp_sockets_permitted() {
  std::ifstream range_file{"/proc/sys/net/ipv4/ping_group_range"};
  long low = 1, high = 0;
  range_file >> low >> high;
  const long group = static_cast<long>(::getgid());
  return low <= group && group <= high;
}

class RobustnessTest : public ConsoleFixture {
 protected:
};

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

/// Bytes waiting in the receive queue of the UDP socket bound to 127.0.0.1:`port`, from
/// /proc/net/udp (-1 when there is no such socket).
long udp_receive_queue(std::uint16_t port) {
  std::ifstream table{"/proc/net/udp"};
  std::string line;
  char local[64];
  std::getline(table, line);  // header
  while (std::getline(table, line)) {
    unsigned slot = 0, queue_tx = 0, queue_rx = 0;
    char remote[64];
    unsigned state = 0;
    if (std::sscanf(line.c_str(), " %u: %63s %63s %x %x:%x", &slot, local, remote, &state,
                    &queue_tx, &queue_rx) != 6) {
      continue;
    }
    const std::string address = local;
    if (address.size() > 5 && std::stoul(address.substr(address.size() - 4), nullptr, 16) == port) {
      return static_cast<long>(queue_rx);
    }
  }
  return -1;
}

TEST_F(RobustnessTest, IndicationsHeldByAnOpenLineAreBounded) {
  // A UDP peer in the test: it learns the module's port from one datagram, then floods it.
  const int peer = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(peer, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(peer, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(peer, reinterpret_cast<sockaddr*>(&address), &length), 0);
  start();
  ASSERT_EQ(
      host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(ntohs(address.sin_port)) + ",,u"),
      "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  host().send("AT+S.SOCKW=0,1\rx");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  sockaddr_in module{};
  socklen_t module_length = sizeof module;
  char byte = 0;
  ASSERT_EQ(::recvfrom(peer, &byte, 1, 0, reinterpret_cast<sockaddr*>(&module), &module_length), 1);
  const std::uint16_t module_port = ntohs(module.sin_port);

  // The line stays open: indications are held. Its echo shows the module has read it.
  ASSERT_EQ(host().command("AT+S.SCFG=console_echo,1"), "AT-S.OK\r\n");
  host().send("AT+S.SO");
  ASSERT_EQ(host().read_until("AT+S.SO"), "AT+S.SO");
  constexpr int datagrams = 600;  // 600 one-byte datagrams fit the 1500-byte socket buffer
  for (int sent = 0; sent < datagrams;) {
    for (int i = 0; i < 50; ++i, ++sent) {
      ASSERT_EQ(::sendto(peer, "y", 1, 0, reinterpret_cast<sockaddr*>(&module), module_length), 1);
    }
    // Until the module has taken them (its socket's queue is empty): no datagram is lost.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (udp_receive_queue(module_port) != 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::yield();
    }
    ASSERT_EQ(udp_receive_queue(module_port), 0);
  }
  host().send("\r");
  std::string after = host().read_until("AT-S.ERROR:1:Command not found\r\n");
  after += host().command("AT+S.SOCKQ=0");
  // 256 were held; the rest were dropped while the line was open, except the last few the
  // module may still have been handling when the CR came (written at once, not held).
  const std::size_t indications = count_of(after, "+WIND:55:");
  EXPECT_GE(indications, 256u) << after;
  EXPECT_LT(indications, 300u) << "indications held while the line was open";
  EXPECT_TRUE(after.ends_with("AT-S.Query:600\r\nAT-S.OK\r\n")) << after;
  ::close(peer);
}

TEST_F(RobustnessTest, PingRefusesCountsBeyondItsSequenceNumbers) {
  start();
  EXPECT_EQ(host().command("AT+S.PING=65536,56,127.0.0.1"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.PING=18446744073709551616,1,127.0.0.1"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.PING=1,65508,127.0.0.1"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
}

TEST_F(RobustnessTest, PingToARefusedTargetStreamsTimeoutsAtTheirPace) {
  if (!icmp_sockets_permitted()) {
    GTEST_SKIP() << "ICMP datagram sockets are not permitted on this host "
                    "(net.ipv4.ping_group_range); scripts/test.sh allows them when run as root";
  }
  start({"--deny", "127.0.0.0/8"});
  host().send("AT+S.PING=2,56,127.0.0.1\r");
  const auto started = std::chrono::steady_clock::now();
  // The first result reaches the host before the command has finished.
  EXPECT_EQ(host().read_until("AT-S.Timeout\r\n", 5s), "AT-S.Start:127.0.0.1\r\nAT-S.Timeout\r\n");
  EXPECT_EQ(host().unread(), "");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n", 5s), "AT-S.Timeout\r\nAT-S.Stop:2:0\r\nAT-S.OK\r\n");
  // Each refused echo took its timeout (1 s), as an unreachable target would.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1900ms);
}

// The receive buffers come from the module's heap (61440 bytes free after boot):
//   AT+S.SCFG=ip_sock_memsize,32 ; AT+S.SOCKON=… -> AT-S.On (1024 + 48000 bytes taken)
//   AT+S.STS=free_heap           -> AT-S.Var:free_heap=12416
//   AT+S.SOCKON=…                -> AT-S.ERROR:91:Low Memory
//   AT+S.SOCKC=0 ; AT+S.STS=free_heap -> 61440, and min_heap stays at 12416
TEST_F(RobustnessTest, SocketBuffersComeFromTheModulesHeap) {
  TcpPeer peer{TcpPeer::echo};
  start();
  const std::string open = "AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t";
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), "AT-S.Var:free_heap=61440\r\nAT-S.OK\r\n");
  ASSERT_EQ(host().command("AT+S.SCFG=ip_sock_memsize,32"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command(open), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), "AT-S.Var:free_heap=12416\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command(open), "AT-S.ERROR:91:Low Memory\r\n");
  ASSERT_EQ(host().command("AT+S.SCFG=ip_sock_memsize,1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command(open), "AT-S.On:127.0.0.1:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKC=1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), "AT-S.Var:free_heap=61440\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=min_heap"), "AT-S.Var:min_heap=9892\r\nAT-S.OK\r\n");
  ASSERT_EQ(host().command("AT+S.SCFG=console_verbose,2"), "AT-S.OK:61440:10\r\n");
}

// A body larger than anything the emulator should hold, to a host that does not read yet:
//   AT+S.HTTPGET=127.0.0.1,/,<port>,0,,,, -> AT-S.Http Server Status Code:200, then the body goes
//   at the host's pace: the server is held back (its send times out) while the emulator's memory
//   stays small; then the host reads all 64 MiB and AT-S.OK.
TEST_F(RobustnessTest, AnHttpBodyIsRelayedAtTheHostsPace) {
  constexpr std::size_t body_size = 64u << 20;
  std::mutex mutex;
  std::condition_variable changed;
  bool held_back = false;
  TcpPeer server{[&](int fd) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
      if (count <= 0) return;
      request.append(buffer, static_cast<std::size_t>(count));
    }
    const timeval timeout{1, 0};  // a send that cannot go on for 1 s: the reader holds back
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body_size) +
                      "\r\nConnection: close\r\n\r\n");
    const std::string chunk(65536, 'b');
    for (std::size_t sent = 0; sent < body_size;) {
      const ssize_t count =
          ::send(fd, chunk.data(), std::min(chunk.size(), body_size - sent), MSG_NOSIGNAL);
      if (count > 0) {
        sent += static_cast<std::size_t>(count);
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        std::lock_guard lock{mutex};
        held_back = true;
        changed.notify_all();
      } else {
        return;
      }
    }
  }};
  start();
  host().send("AT+S.HTTPGET=127.0.0.1,/," + std::to_string(server.port()) + ",0,,,,\r");
  {
    std::unique_lock lock{mutex};
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] { return held_back; }))
        << "the server was never held back: the emulator took the body regardless of the host";
  }
  if (resident_memory_is_meaningful) {
    EXPECT_LT(resident_kb(m_emulator->pid()), 32 * 1024) << "the emulator holds the body";
  }
  EXPECT_EQ(host().read_until("AT-S.Http Server Status Code:200\r\n", 10s),
            "AT-S.Http Server Status Code:200\r\n");
  const std::string body = host().read_exactly(body_size, 60s);
  EXPECT_EQ(body.size(), body_size);
  EXPECT_EQ(body.find_first_not_of('b'), std::string::npos);
  EXPECT_EQ(host().read_until("AT-S.OK\r\n", 10s), "AT-S.OK\r\n");
}

// The state directory on a host disk that fills up (a 192 KiB tmpfs, mounted when the tests run
// as root): the volume still has room, the disk does not.
//   AT+S.FSC=/big.dat,100000 + data -> AT-S.OK
//   AT+S.FSC=/big.dat,100000 + data -> AT-S.ERROR:32:Argument exceeds allowed size, file unchanged
TEST_F(RobustnessTest, AFullHostDiskIsAVolumeOutOfRoom) {
  const auto disk = m_temp.path() / "small-disk";
  std::filesystem::create_directories(disk);
  if (::geteuid() != 0 ||
      std::system(
          ("mount -t tmpfs -o size=192k tmpfs " + disk.string() + " 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "needs root to mount a small tmpfs";
  }
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { std::system(("umount " + path.string()).c_str()); }
  } unmount{disk};
  {
    m_emulator = std::make_unique<EmulatorProcess>(disk / "state");
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
    const std::string data(100000, 'd');
    host().send("AT+S.FSC=/big.dat,100000\r" + data);
    EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
    host().send("AT+S.FSC=/big.dat,100000\r" + data);
    EXPECT_EQ(host().read_until("\r\n"), "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
    EXPECT_TRUE(host().command("AT+S.FSL").starts_with("AT-S.File:1\t100000\tbig.dat\r\n"));
    EXPECT_EQ(m_emulator->terminate(), 0);
    m_host.reset();
    m_emulator.reset();
  }
}

// The receive buffer's size and threshold (spec §3.5.3), with a UDP echo peer, whose datagrams are
// reported whole:
//   SCFG ip_sock_memsize,2 (3000 bytes) ; SCFG ip_sock_threshold,50 ; SOCKON …,u
//   SOCKW 1000 bytes  -> echo: 33 % full, no indication
//   SOCKW 730 bytes   -> echo: 57 % full: +WIND:55:Pending Data::0:730:1730
//   SOCKW 1500 bytes  -> echo does not fit: +WIND:63:Socket Dropping Data::0:1500
TEST_F(RobustnessTest, ReceiveBufferSizeThresholdAndDrops) {
  UdpEchoPeer peer;
  start();
  ASSERT_EQ(host().command("AT+S.SCFG=ip_sock_memsize,2"), "AT-S.OK\r\n");
  ASSERT_EQ(host().command("AT+S.SCFG=ip_sock_threshold,50"), "AT-S.OK\r\n");
  ASSERT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,u"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  host().send("AT+S.SOCKW=0,1000\r" + std::string(1000, 'a'));
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  host().send("AT+S.SOCKW=0,730\r" + std::string(730, 'b'));
  EXPECT_EQ(host().read_until("+WIND:55:Pending Data::0:730:1730\r\n"),
            "AT-S.OK\r\n+WIND:55:Pending Data::0:730:1730\r\n");
  host().send("AT+S.SOCKW=0,1500\r" + std::string(1500, 'c'));
  EXPECT_EQ(host().read_until("+WIND:63:Socket Dropping Data::0:1500\r\n"),
            "AT-S.OK\r\n+WIND:63:Socket Dropping Data::0:1500\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKQ=0"), "AT-S.Query:1730\r\nAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
