#include "tests/integration/Peers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <stdexcept>

namespace spwf::testing {
namespace {

int bound_socket(int type, std::uint16_t& port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("bind failed");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::string random_bytes(std::size_t count, unsigned seed) {
  std::mt19937 generator{seed};
  std::string bytes(count, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xFF);
  return bytes;
}

long resident_kb(int pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::uint16_t unused_port() {
  // Bound but never listening: a connect is refused, and no other process can take the port
  // meanwhile (a port bound and released could be reused by anyone before the test connects).
  // The sockets stay open until the test program ends.
  static std::mutex mutex;
  static std::vector<int> held;
  std::uint16_t port = 0;
  const int fd = bound_socket(SOCK_STREAM, port);
  std::lock_guard lock{mutex};
  held.push_back(fd);
  return port;
}

bool wait_until(const std::atomic<bool>& flag, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::yield();
  }
  return true;
}

TcpPeer::TcpPeer(Handler handler) : m_handler(std::move(handler)) {
  m_listener = bound_socket(SOCK_STREAM, m_port);
  ::listen(m_listener, 16);
  m_thread = std::thread([this] { accept_loop(); });
}

TcpPeer::~TcpPeer() {
  m_stopping = true;
  ::shutdown(m_listener, SHUT_RDWR);
  m_thread.join();
  {
    // Handlers block in recv(): shutting their sockets down ends them.
    std::lock_guard lock{m_mutex};
    for (const int fd : m_open_fds) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& connection : m_connections) connection.join();
  ::close(m_listener);
}

void TcpPeer::accept_loop() {
  while (!m_stopping) {
    const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;  // shut down
    std::lock_guard lock{m_mutex};
    m_open_fds.push_back(fd);
    m_connections.emplace_back([this, fd] {
      m_handler(fd);
      std::lock_guard done_lock{m_mutex};
      std::erase(m_open_fds, fd);
      ::close(fd);
    });
  }
}

void TcpPeer::echo(int fd) {
  char buffer[16384];
  for (;;) {
    const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
    if (count <= 0) return;
    if (!write_all(fd, {buffer, static_cast<std::size_t>(count)})) return;
  }
}

TcpPeer::Handler TcpPeer::collect(std::string& sink, std::atomic<bool>& done) {
  return [&sink, &done](int fd) {
    char buffer[16384];
    for (;;) {
      const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
      if (count <= 0) break;
      sink.append(buffer, static_cast<std::size_t>(count));
    }
    done = true;
  };
}

TcpPeer::Handler TcpPeer::send_and_close(std::string data) {
  return [data](int fd) {
    write_all(fd, data);
    ::shutdown(fd, SHUT_WR);
    char byte;
    while (::recv(fd, &byte, 1, 0) > 0) {
    }
  };
}

TcpPeer::Handler TcpPeer::send_and_reset(std::string data) {
  return [data](int fd) {
    // Wait for the client's first byte, so the reset cannot race the connect itself.
    char byte;
    if (::recv(fd, &byte, 1, 0) <= 0) return;
    write_all(fd, data);
    linger option{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  };
}

UdpEchoPeer::UdpEchoPeer() {
  m_socket = bound_socket(SOCK_DGRAM, m_port);
  // A receive timeout bounds each wait so the thread notices the stop flag.
  timeval timeout{0, 50000};
  ::setsockopt(m_socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  m_thread = std::thread([this] {
    char buffer[65536];
    while (!m_stopping) {
      sockaddr_in from{};
      socklen_t length = sizeof from;
      const ssize_t count = ::recvfrom(m_socket, buffer, sizeof buffer, 0,
                                       reinterpret_cast<sockaddr*>(&from), &length);
      if (count < 0) continue;
      ::sendto(m_socket, buffer, static_cast<std::size_t>(count), 0,
               reinterpret_cast<sockaddr*>(&from), length);
    }
  });
}

UdpEchoPeer::~UdpEchoPeer() {
  m_stopping = true;
  m_thread.join();
  ::close(m_socket);
}

}  // namespace spwf::testing
