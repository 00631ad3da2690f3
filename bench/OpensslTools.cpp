#include "OpensslTools.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "BenchSupport.hpp"

namespace spwf::bench {
namespace {

/// A loopback port nobody listens on now (a benchmark may take this small race).
std::uint16_t pick_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw system_failure("picking a port for openssl s_server");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected =
      fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (fd >= 0) ::close(fd);
  return connected;
}

}  // namespace

OpensslServer::OpensslServer(const std::filesystem::path& certificate,
                             const std::filesystem::path& key, const std::string& groups)
    : m_port(pick_port()) {
  const std::string accept = "127.0.0.1:" + std::to_string(m_port);
  m_pid = ::fork();
  if (m_pid < 0) throw system_failure("fork");
  if (m_pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execlp("openssl", "openssl", "s_server", "-quiet", "-tls1_2", "-groups", groups.c_str(),
             "-accept", accept.c_str(), "-cert", certificate.c_str(), "-key", key.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Bounded: the server listens within a few hundred milliseconds or the benchmark stops.
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (accepts(m_port)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  throw std::runtime_error("openssl s_server did not listen on " + accept);
}

OpensslServer::~OpensslServer() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
  }
}

double openssl_handshakes_per_second(std::uint16_t port, int seconds) {
  const std::string command = "openssl s_time -connect 127.0.0.1:" + std::to_string(port) +
                              " -new -time " + std::to_string(seconds) + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw system_failure("popen openssl s_time");
  // "<n> connections in <s> real seconds, ..." (the -new pass); the real time is whole seconds,
  // so the rate uses the run's own wall clock instead.
  const auto start = std::chrono::steady_clock::now();
  char line[4096];
  long connections = -1;
  while (std::fgets(line, sizeof line, pipe)) {
    long count = 0;
    long real = 0;
    if (std::sscanf(line, "%ld connections in %ld real seconds", &count, &real) == 2) {
      connections = count;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::pclose(pipe);
  if (connections < 0) throw std::runtime_error("openssl s_time printed no result");
  return elapsed > 0 ? connections / elapsed : 0;
}

}  // namespace spwf::bench
