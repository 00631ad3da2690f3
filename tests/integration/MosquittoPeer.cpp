#include "tests/integration/MosquittoPeer.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace spwf::testing {
namespace {

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
constexpr auto both_outputs = PeerProcess::Output::stdout_and_stderr;

}  // namespace

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
  m_broker = std::make_unique<PeerProcess>(
      std::vector<std::string>{"mosquitto", "-c", conf.string()}, both_outputs);
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
  PeerProcess client{std::move(arguments), both_outputs};
  return client.wait_exit() == 0;
}

std::unique_ptr<PeerProcess> MosquittoPeer::subscribe(std::string_view topic, unsigned qos) {
  // stdbuf: mosquitto_sub's stdout is a pipe, which stdio would buffer until exit, and the
  // "Subscribed" line must come as soon as the broker has acknowledged the subscription.
  auto client = std::make_unique<PeerProcess>(
      std::vector<std::string>{"stdbuf", "-o0", "mosquitto_sub", "-h", "127.0.0.1", "-p",
                               std::to_string(m_port), "-t", std::string{topic}, "-q",
                               std::to_string(qos), "-C", "1", "-N", "-d", "-W", "20"},
      both_outputs);
  EXPECT_TRUE(client->read_until("Subscribed (mid")) << client->output();
  return client;
}

std::pair<std::string, std::string> MosquittoPeer::message(PeerProcess& subscriber,
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
