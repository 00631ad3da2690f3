#include "tests/integration/SimulatorPeer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <utility>

namespace spwf::testing {

SimulatorPty::SimulatorPty() {
  int slave = -1;
  termios raw{};
  ::cfmakeraw(&raw);
  if (::openpty(&master, &slave, nullptr, &raw, nullptr) != 0) {
    throw std::runtime_error(std::string{"openpty: "} + std::strerror(errno));
  }
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  slave_path = ::ttyname(slave);
  // native_sim keeps only the master; the slave is for whoever attaches.
  ::close(slave);
}

SimulatorPty::~SimulatorPty() {
  if (master >= 0) ::close(master);
}

int SimulatorPty::take_master() {
  return std::exchange(master, -1);
}

SimulatorListener::SimulatorListener(std::uint16_t port) {
  m_socket = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(m_socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(m_socket, 1) != 0) {
    throw std::runtime_error(std::string{"listen: "} + std::strerror(errno));
  }
  socklen_t length = sizeof address;
  ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length);
  m_port = ntohs(address.sin_port);
}

SimulatorListener::SimulatorListener(const std::filesystem::path& path) : m_path(path) {
  m_socket = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ::unlink(path.c_str());
  if (::bind(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(m_socket, 1) != 0) {
    throw std::runtime_error(std::string{"listen on a Unix socket: "} + std::strerror(errno));
  }
}

SimulatorListener::~SimulatorListener() {
  ::close(m_socket);
  if (!m_path.empty()) ::unlink(m_path.c_str());
}

int SimulatorListener::accept(std::chrono::milliseconds deadline) {
  pollfd entry{m_socket, POLLIN, 0};
  if (::poll(&entry, 1, static_cast<int>(deadline.count())) <= 0) return -1;
  return ::accept4(m_socket, nullptr, nullptr, SOCK_CLOEXEC);
}

}  // namespace spwf::testing
