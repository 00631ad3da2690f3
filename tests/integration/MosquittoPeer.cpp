#include "tests/integration/MosquittoPeer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A port the kernel just handed out for 127.0.0.1 (released again: the broker's log tells
// whether it could take it).
std::uint16_t candidate_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

constexpr int start_attempts = 8;

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> arguments) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  m_pid = ::fork();
  if (m_pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  m_fd = pipe_fds[0];
}

ChildProcess::~ChildProcess() {
  stop(SIGKILL);
}

bool ChildProcess::read_until(std::string_view needle, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (m_output.find(needle) == std::string::npos) {
    if (m_fd < 0) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    pollfd poller{m_fd, POLLIN, 0};
    if (::poll(&poller, 1, static_cast<int>(left)) <= 0) continue;
    char buffer[65536];
    const ssize_t count = ::read(m_fd, buffer, sizeof buffer);
    if (count <= 0) {
      ::close(m_fd);
      m_fd = -1;
      continue;
    }
    m_output.append(buffer, static_cast<std::size_t>(count));
  }
  return true;
}

int ChildProcess::wait_exit(std::chrono::milliseconds deadline) {
  // An impossible needle: reads until the output ends or the deadline passes.
  read_until(std::string_view{"\0\0\0never", 8}, deadline);
  if (m_fd >= 0 || m_pid <= 0) return -1;
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ChildProcess::stop(int signal) {
  if (m_pid > 0) {
    ::kill(m_pid, signal);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

MosquittoPeer::MosquittoPeer(MosquittoOptions options) {
  for (int attempt = 0; attempt < start_attempts; ++attempt) {
    if (try_start(options)) return;
  }
  throw std::runtime_error("mosquitto did not start: " + (m_broker ? m_broker->output() : ""));
}

MosquittoPeer::~MosquittoPeer() {
  stop();
}

bool MosquittoPeer::try_start(const MosquittoOptions& options) {
  m_port = candidate_port();
  m_tls_port = options.tls ? candidate_port() : 0;
  const auto conf = m_directory.path() / "mosquitto.conf";
  {
    std::ofstream out{conf};
    // Errors, warnings and information (the bind failure, "running"), not the notices (a few
    // lines per client): the pipe is read only while the broker starts, and must not fill up.
    out << "log_dest stderr\nlog_type error\nlog_type warning\nlog_type information\n"
        << "per_listener_settings false\nallow_anonymous true\n";
    // Run as root (a CI container), mosquitto would switch to its own user, which cannot read
    // the certificates in this process's private temporary directories.
    if (::geteuid() == 0) out << "user root\n";
    out << "listener " << m_port << " 127.0.0.1\n";
    if (options.tls) {
      out << "listener " << m_tls_port << " 127.0.0.1\n"
          << "certfile " << options.cert_file.string() << "\n"
          << "keyfile " << options.key_file.string() << "\n";
      if (!options.ca_file.empty()) out << "cafile " << options.ca_file.string() << "\n";
      out << "require_certificate " << (options.require_certificate ? "true" : "false") << "\n";
    }
  }
  m_broker =
      std::make_unique<ChildProcess>(std::vector<std::string>{"mosquitto", "-c", conf.string()});
  // "running" follows every listener's bind; a failed bind ends the process first.
  if (m_broker->read_until(" running", 10s)) return true;
  m_broker->stop(SIGKILL);
  return false;
}

void MosquittoPeer::stop() {
  if (m_broker) m_broker->stop(SIGTERM);
}

bool MosquittoPeer::publish(std::string_view topic, std::string_view payload, unsigned qos,
                            bool retain) {
  const auto file = m_directory.path() / ("payload-" + std::to_string(m_files++));
  std::ofstream{file, std::ios::binary}.write(payload.data(),
                                              static_cast<std::streamsize>(payload.size()));
  std::vector<std::string> arguments{"mosquitto_pub",        "-h", "127.0.0.1",        "-p",
                                     std::to_string(m_port), "-t", std::string{topic}, "-q",
                                     std::to_string(qos)};
  if (payload.empty()) {
    arguments.push_back("-n");
  } else {
    arguments.push_back("-f");
    arguments.push_back(file.string());
  }
  if (retain) arguments.push_back("-r");
  ChildProcess client{std::move(arguments)};
  return client.wait_exit() == 0;
}

std::unique_ptr<ChildProcess> MosquittoPeer::subscribe(std::string_view topic, unsigned qos) {
  // stdbuf: mosquitto_sub's stdout is a pipe, which stdio would buffer until exit, and the
  // "Subscribed" line must come as soon as the broker has acknowledged the subscription.
  auto client = std::make_unique<ChildProcess>(std::vector<std::string>{
      "stdbuf", "-o0", "mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(m_port), "-t",
      std::string{topic}, "-q", std::to_string(qos), "-C", "1", "-N", "-d", "-W", "20"});
  EXPECT_TRUE(client->read_until("Subscribed (mid")) << client->output();
  return client;
}

std::pair<std::string, std::string> MosquittoPeer::message(ChildProcess& subscriber,
                                                           std::chrono::milliseconds deadline) {
  // -d writes its own lines around the raw payload (-N: no newline after it):
  //   Client (null) received PUBLISH (d0, q1, r0, m1, 't', ... (6 bytes))\n
  //   [Client (null) sending PUBACK (m1, rc0)\n] <payload>Client (null) sending DISCONNECT\n
  constexpr std::string_view received = "received PUBLISH (";
  constexpr std::string_view puback = "Client (null) sending PUBACK";
  constexpr std::string_view disconnect = "Client (null) sending DISCONNECT";
  subscriber.wait_exit(deadline);
  const std::string& output = subscriber.output();
  const auto start = output.find(received);
  const auto end = output.rfind(disconnect);
  if (start == std::string::npos || end == std::string::npos) return {{}, output};
  const auto line_end = output.find('\n', start);
  std::string flags = output.substr(start + received.size(), line_end - start - received.size());
  std::size_t payload = line_end + 1;
  if (output.compare(payload, puback.size(), puback) == 0) {
    payload = output.find('\n', payload) + 1;
  }
  return {output.substr(payload, end - payload), flags};
}

}  // namespace spwf::testing
