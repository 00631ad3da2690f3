// Socket servers over a real pty, with real clients on loopback (spec §3.6):
//   AT+S.SOCKDON=<port>,t        -> AT-S.On:0 / AT-S.OK
//   (a client connects)          -> +WIND:61:Incoming Socket Client:127.0.0.1:<cport>:0:0
//   (it sends "hello world")     -> +WIND:55:Pending Data:0:0:11:11
//   AT+S.SOCKDQ=0,0              -> AT-S.Query:11 / AT-S.OK
//   AT+S.SOCKDR=0,0,5            -> AT-S.Reading:5:11\r\nhello AT-S.OK
//   AT+S.SOCKDW=0,0,5\rabcde     -> AT-S.OK (the client receives "abcde")
//   AT+S.SOCKDL                  -> AT-S.List:0:0:1:2:0:127.0.0.1:<cport> / AT-S.OK
//   (the client closes)          -> +WIND:62:Socket Client Gone:127.0.0.1:<cport>:0:0:0
//   (a 9th client)               -> +WIND:83:Sockd Dropping Client:0
//   AT+S.SOCKDON=<used port>,t   -> AT-S.ERROR:73:Port already opened
//   (third server)               -> AT-S.ERROR:75:Too many sockets
//   AT+S.SOCKDC=0,0 (unread)     -> AT-S.ERROR:77:Pending data
//   (radio off) AT+S.SOCKDON     -> AT-S.ERROR:44:Wait for Connection Up

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

/// An owned socket descriptor.
class Socket {
 public:
  explicit Socket(int fd = -1) : m_fd(fd) {}
  ~Socket() { reset(); }
  Socket(Socket&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  Socket& operator=(Socket&& other) noexcept {
    if (this != &other) {
      reset();
      m_fd = other.m_fd;
      other.m_fd = -1;
    }
    return *this;
  }
  int fd() const { return m_fd; }
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

 private:
  int m_fd;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/// A socket of `type` bound to 127.0.0.1:<port> (0: ephemeral).
Socket bound_socket(int type, std::uint16_t port = 0) {
  Socket socket{::socket(AF_INET, type, 0)};
  const sockaddr_in address = loopback(port);
  if (::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "bind: " << std::strerror(errno);
  }
  return socket;
}

std::uint16_t local_port(const Socket& socket) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

/// A port of `type` on 127.0.0.1 that is free: bound to port 0, read back, released.
std::uint16_t free_port(int type = SOCK_STREAM) {
  return local_port(bound_socket(type));
}

/// A TCP connection to 127.0.0.1:<port>; fd -1 when refused.
Socket connect_tcp(std::uint16_t port) {
  Socket socket{::socket(AF_INET, SOCK_STREAM, 0)};
  const sockaddr_in address = loopback(port);
  if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return Socket{};
  }
  return socket;
}

bool send_all(const Socket& socket, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::send(socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

bool send_datagram(const Socket& socket, std::uint16_t port, std::string_view bytes) {
  const sockaddr_in address = loopback(port);
  return ::sendto(socket.fd(), bytes.data(), bytes.size(), 0,
                  reinterpret_cast<const sockaddr*>(&address),
                  sizeof address) == static_cast<ssize_t>(bytes.size());
}

/// Waits (bounded) until the socket is readable; false at the deadline.
bool readable(const Socket& socket, std::chrono::milliseconds deadline = 5s) {
  pollfd entry{socket.fd(), POLLIN, 0};
  return ::poll(&entry, 1, static_cast<int>(deadline.count())) == 1;
}

/// Reads exactly `count` bytes from a stream socket, or what arrived before the deadline / EOF.
std::string receive_exactly(const Socket& socket, std::size_t count) {
  std::string data;
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (data.size() < count && std::chrono::steady_clock::now() < until) {
    if (!readable(socket, std::chrono::duration_cast<std::chrono::milliseconds>(
                              until - std::chrono::steady_clock::now()))) {
      break;
    }
    char buffer[4096];
    const ssize_t received =
        ::recv(socket.fd(), buffer, std::min(sizeof buffer, count - data.size()), 0);
    if (received <= 0) break;
    data.append(buffer, static_cast<std::size_t>(received));
  }
  return data;
}

/// One datagram, or "" at the deadline.
std::string receive_datagram(const Socket& socket) {
  if (!readable(socket)) return {};
  char buffer[2048];
  const ssize_t received = ::recv(socket.fd(), buffer, sizeof buffer, 0);
  return received > 0 ? std::string(buffer, static_cast<std::size_t>(received)) : std::string{};
}

/// True once the peer has closed the stream (EOF or reset) within the deadline.
bool closed_by_peer(const Socket& socket) {
  if (!readable(socket)) return false;
  char byte;
  return ::recv(socket.fd(), &byte, 1, 0) <= 0;
}

class ServerSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state");
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  PtyHost& host() { return *m_host; }

  /// SOCKDON on a fresh port; returns the port.
  std::uint16_t open_server(std::string_view kind, unsigned expected_sid = 0) {
    const std::uint16_t port = free_port(kind == "u" ? SOCK_DGRAM : SOCK_STREAM);
    EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(port) + "," + std::string{kind}),
              "AT-S.On:" + std::to_string(expected_sid) + "\r\nAT-S.OK\r\n");
    return port;
  }
  /// A SOCKDR whose data end without a line break: everything through the OK line.
  std::string sockdr(std::string_view command) {
    host().send(std::string{command} + "\r");
    return host().read_until("AT-S.OK\r\n");
  }
  /// Reads exactly the next line and checks it.
  void expect_line(const std::string& line) { EXPECT_EQ(host().read_until("\r\n"), line + "\r\n"); }
  static std::string arrived(std::uint16_t port, unsigned sid, unsigned cid) {
    return "+WIND:61:Incoming Socket Client:127.0.0.1:" + std::to_string(port) + ":" +
           std::to_string(sid) + ":" + std::to_string(cid);
  }
  static std::string gone(std::uint16_t port, unsigned sid, unsigned cid, unsigned reason = 0) {
    return "+WIND:62:Socket Client Gone:127.0.0.1:" + std::to_string(port) + ":" +
           std::to_string(sid) + ":" + std::to_string(cid) + ":" + std::to_string(reason);
  }
  /// Connects a TCP client and checks its WIND 61.
  Socket connect_client(std::uint16_t port, unsigned sid, unsigned cid) {
    Socket client = connect_tcp(port);
    EXPECT_GE(client.fd(), 0);
    expect_line(arrived(local_port(client), sid, cid));
    return client;
  }
  /// Reads WIND 55 lines of (sid, cid) until the total pending reaches `total`.
  void wait_pending(unsigned sid, unsigned cid, std::size_t total) {
    const std::string prefix =
        "+WIND:55:Pending Data:" + std::to_string(sid) + ":" + std::to_string(cid) + ":";
    const std::string suffix = ":" + std::to_string(total) + "\r\n";
    for (int lines = 0; lines < 64; ++lines) {
      const std::string line = host().read_until("\r\n");
      ASSERT_TRUE(line.starts_with(prefix)) << line;
      if (line.ends_with(suffix)) return;
      if (::testing::Test::HasFailure()) return;
    }
    FAIL() << "no WIND 55 with total " << total;
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(ServerSocketTest, TcpClientArrivesSendsIsReadWrittenToAndLeaves) {
  const std::uint16_t port = open_server("t");
  Socket client = connect_client(port, 0, 0);
  const std::string cport = std::to_string(local_port(client));

  ASSERT_TRUE(send_all(client, "hello world"));
  expect_line("+WIND:55:Pending Data:0:0:11:11");
  EXPECT_EQ(host().command("AT+S.SOCKDQ=0,0"), "AT-S.Query:11\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDL"),
            "AT-S.List:0:0:1:2:11:127.0.0.1:" + cport + "\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockdr("AT+S.SOCKDR=0,0,5"), "AT-S.Reading:5:11\r\nhelloAT-S.OK\r\n");
  EXPECT_EQ(sockdr("AT+S.SOCKDR=0,0,100"),
            "AT-S.Read Cap:6\r\nAT-S.Reading:6:6\r\n worldAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDR=0,0,0"), "AT-S.Empty\r\nAT-S.OK\r\n");

  // Every byte value, CR and LF included, comes through untouched.
  std::string all_bytes;
  for (int value = 0; value < 256; ++value) all_bytes += static_cast<char>(value);
  ASSERT_TRUE(send_all(client, all_bytes));
  wait_pending(0, 0, 256);
  host().send("AT+S.SOCKDR=0,0,0\r");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.Reading:256:256\r\n");
  EXPECT_EQ(host().read_exactly(256), all_bytes);
  EXPECT_EQ(host().read_exactly(9), "AT-S.OK\r\n");

  host().send("AT+S.SOCKDW=0,0,5\rabcde");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(receive_exactly(client, 5), "abcde");
  host().send("AT+S.SOCKDW=0,0,256\r" + all_bytes);
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(receive_exactly(client, 256), all_bytes);
  EXPECT_EQ(host().command("AT+S.SOCKDW=0,0,0"), "AT-S.ERROR:33:Argument evaluated to zero\r\n");

  EXPECT_EQ(host().command("AT+S.SOCKDL=0"),
            "AT-S.List:0:0:1:2:0:127.0.0.1:" + cport + "\r\nAT-S.OK\r\n");
  client.reset();
  expect_line(gone(static_cast<std::uint16_t>(std::stoi(cport)), 0, 0));
  // Nothing was pending: the slot is free at once.
  EXPECT_EQ(host().command("AT+S.SOCKDL"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDQ=0,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");

  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.OK\r\n");
  EXPECT_LT(connect_tcp(port).fd(), 0) << "the listener is closed";
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
}

TEST_F(ServerSocketTest, GoneClientKeepsUnreadDataUntilSockdc) {
  const std::uint16_t port = open_server("t");
  Socket client = connect_client(port, 0, 0);
  const std::uint16_t cport = local_port(client);
  ASSERT_TRUE(send_all(client, "abc"));
  expect_line("+WIND:55:Pending Data:0:0:3:3");
  client.reset();
  expect_line(gone(cport, 0, 0));

  EXPECT_EQ(host().command("AT+S.SOCKDL"),
            "AT-S.List:0:0:0:2:3:127.0.0.1:" + std::to_string(cport) + "\r\nAT-S.OK\r\n");
  host().send("AT+S.SOCKDW=0,0,2\rxy");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.ERROR:78:Socket not connected\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDC=0,0"), "AT-S.ERROR:77:Pending data\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.ERROR:77:Pending data\r\n");
  EXPECT_EQ(sockdr("AT+S.SOCKDR=0,0,3"), "AT-S.Reading:3:3\r\nabcAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDC=0,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.OK\r\n");
}

TEST_F(ServerSocketTest, HostDropsOneClientAndTheServerWithTheRest) {
  const std::uint16_t port = open_server("t");
  Socket first = connect_client(port, 0, 0);
  Socket second = connect_client(port, 0, 1);
  EXPECT_EQ(host().command("AT+S.SOCKDC=0,0"), "AT-S.OK\r\n");
  EXPECT_TRUE(closed_by_peer(first));
  // The freed cid is the lowest again.
  Socket third = connect_client(port, 0, 0);
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.OK\r\n");
  EXPECT_TRUE(closed_by_peer(second));
  EXPECT_TRUE(closed_by_peer(third));
  EXPECT_EQ(host().command("AT+S.SOCKDL"), "AT-S.OK\r\n");
}

TEST_F(ServerSocketTest, UdpServerMakesEachRemoteAClient) {
  const std::uint16_t port = open_server("u");
  Socket first = bound_socket(SOCK_DGRAM);
  Socket second = bound_socket(SOCK_DGRAM);
  const std::uint16_t first_port = local_port(first);
  const std::uint16_t second_port = local_port(second);

  ASSERT_TRUE(send_datagram(first, port, "ping"));
  expect_line(arrived(first_port, 0, 0));
  expect_line("+WIND:55:Pending Data:0:0:4:4");
  ASSERT_TRUE(send_datagram(second, port, "xy"));
  expect_line(arrived(second_port, 0, 1));
  expect_line("+WIND:55:Pending Data:0:1:2:2");
  // The same remote again is the same client.
  ASSERT_TRUE(send_datagram(first, port, "!"));
  expect_line("+WIND:55:Pending Data:0:0:1:5");

  EXPECT_EQ(host().command("AT+S.SOCKDL"),
            "AT-S.List:0:0:1:1:5:127.0.0.1:" + std::to_string(first_port) +
                "\r\nAT-S.List:0:1:1:1:2:127.0.0.1:" + std::to_string(second_port) +
                "\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockdr("AT+S.SOCKDR=0,1,0"), "AT-S.Reading:2:2\r\nxyAT-S.OK\r\n");
  EXPECT_EQ(sockdr("AT+S.SOCKDR=0,0,0"), "AT-S.Reading:5:5\r\nping!AT-S.OK\r\n");

  host().send("AT+S.SOCKDW=0,0,4\rpong");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(receive_datagram(first), "pong");
  host().send("AT+S.SOCKDW=0,1,3\rabc");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(receive_datagram(second), "abc");

  EXPECT_EQ(host().command("AT+S.SOCKDC=0,1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.OK\r\n");
}

TEST_F(ServerSocketTest, NinthClientIsRefused) {
  const std::uint16_t port = open_server("t");
  std::vector<Socket> clients;
  for (unsigned cid = 0; cid < 8; ++cid) clients.push_back(connect_client(port, 0, cid));

  Socket ninth = connect_tcp(port);
  ASSERT_GE(ninth.fd(), 0);
  expect_line("+WIND:83:Sockd Dropping Client:0");
  EXPECT_TRUE(closed_by_peer(ninth));

  // A client leaves; the next one gets its cid.
  const std::uint16_t leaving = local_port(clients[3]);
  clients[3].reset();
  expect_line(gone(leaving, 0, 3));
  clients[3] = connect_client(port, 0, 3);
}

TEST_F(ServerSocketTest, ErrorsOfOpenAndIds) {
  // A port some other program listens on.
  Socket other = bound_socket(SOCK_STREAM);
  ASSERT_EQ(::listen(other.fd(), 1), 0);
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(local_port(other)) + ",t"),
            "AT-S.ERROR:73:Port already opened\r\n");

  const std::uint16_t port = open_server("t", 0);
  // A port the module's own other server uses.
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(port) + ",t"),
            "AT-S.ERROR:73:Port already opened\r\n");
  open_server("u", 1);
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(free_port()) + ",t"),
            "AT-S.ERROR:75:Too many sockets\r\n");

  EXPECT_EQ(host().command("AT+S.SOCKDON=1234,x"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  // A TLS server without a stored certificate and key (TlsServerTest covers s1/s2).
  EXPECT_EQ(host().command("AT+S.SOCKDON=1234,s1"), "AT-S.ERROR:74:Failed to open socket\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDON=1234"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDON=1234,t,1"), "AT-S.ERROR:6:Too many argument(s)\r\n");

  const std::string illegal = "AT-S.ERROR:76:Illegal Socket ID\r\n";
  EXPECT_EQ(host().command("AT+S.SOCKDQ=0,0"), illegal);  // no client yet
  EXPECT_EQ(host().command("AT+S.SOCKDQ=2,0"), illegal);
  EXPECT_EQ(host().command("AT+S.SOCKDQ=0,8"), illegal);
  EXPECT_EQ(host().command("AT+S.SOCKDR=1,9,1"), illegal);
  EXPECT_EQ(host().command("AT+S.SOCKDW=0,0,3"), illegal);  // refused before the payload
  EXPECT_EQ(host().command("AT+S.SOCKDC=5"), illegal);
  EXPECT_EQ(host().command("AT+S.SOCKDC=0,0"), illegal);
  EXPECT_EQ(host().command("AT+S.SOCKDL=3"), illegal);
  EXPECT_EQ(host().command("AT+S.SOCKDW=0,0"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDR=0,0"), "AT-S.ERROR:2:Missing argument(s)\r\n");

  // Closing a server frees its id and its port.
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(port) + ",t"),
            "AT-S.On:0\r\nAT-S.OK\r\n");
}

TEST_F(ServerSocketTest, NetworkDownWaitsForConnectionUp) {
  const std::uint16_t port = open_server("t");
  Socket client = connect_client(port, 0, 0);
  const std::string off = host().command("AT+S.WIFI=0");
  ASSERT_TRUE(off.ends_with("AT-S.OK\r\n")) << off;
  host().read_until("+WIND:38:WiFi Powered Down\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(free_port()) + ",t"),
            "AT-S.ERROR:44:Wait for Connection Up\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDW=0,0,3"), "AT-S.ERROR:44:Wait for Connection Up\r\n");
}

// The listener and each client take the module's heap (61440 free after boot); a client the
// heap cannot hold is refused like a ninth, and the HTTP client takes its share while it runs:
//   AT+S.SCFG=ip_sock_memsize,32
//   AT+S.SOCKDON=<port>,t             -> AT-S.On:0            (1024 taken)
//   a client connects                 -> +WIND:61 ...         (1024 + 48000 taken)
//   AT+S.STS=free_heap                -> AT-S.Var:free_heap=11392
//   a second client                   -> +WIND:83:Sockd Dropping Client:0
//   AT+S.HTTPGET=127.0.0.1,/,<port>,2,,,, -> AT-S.ERROR:91:Low Memory (1024 + 1500 + 18432 needed)
//   the client leaves; AT+S.SOCKDC=0  -> free_heap 61440 again
TEST_F(ServerSocketTest, ServersAndTheHttpClientTakeTheModulesHeap) {
  ASSERT_EQ(host().command("AT+S.SCFG=ip_sock_memsize,32"), "AT-S.OK\r\n");
  const std::uint16_t port = open_server("t");
  Socket first = connect_client(port, 0, 0);
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), "AT-S.Var:free_heap=11392\r\nAT-S.OK\r\n");
  Socket second = connect_tcp(port);
  ASSERT_GE(second.fd(), 0);
  expect_line("+WIND:83:Sockd Dropping Client:0");
  EXPECT_TRUE(closed_by_peer(second));
  EXPECT_EQ(host().command("AT+S.HTTPGET=127.0.0.1,/," + std::to_string(port) + ",2,,,,"),
            "AT-S.ERROR:91:Low Memory\r\n");
  const std::uint16_t leaving = local_port(first);
  first.reset();
  expect_line(gone(leaving, 0, 0));
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), "AT-S.Var:free_heap=60416\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKDC=0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), "AT-S.Var:free_heap=61440\r\nAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
