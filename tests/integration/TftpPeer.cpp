#include "tests/integration/TftpPeer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int start_attempts = 8;
constexpr std::size_t block_size = 512;

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
}

// A UDP socket bound to 127.0.0.1:<port> (0: ephemeral); its port in `port`.
int udp_socket(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address = loopback(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

void send_to(int fd, std::string_view bytes, const sockaddr_in& to) {
  ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
}

// One datagram within `deadline`; nullopt on timeout.
std::optional<std::string> receive(int fd, sockaddr_in& from, std::chrono::milliseconds deadline) {
  pollfd poller{fd, POLLIN, 0};
  if (::poll(&poller, 1, static_cast<int>(deadline.count())) <= 0) return std::nullopt;
  char buffer[1024];
  socklen_t length = sizeof from;
  const ssize_t count =
      ::recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
  if (count < 0) return std::nullopt;
  return std::string(buffer, static_cast<std::size_t>(count));
}

std::uint16_t opcode_of(std::string_view packet) {
  if (packet.size() < 2) return 0;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(packet[0]) << 8) |
                                    static_cast<unsigned char>(packet[1]));
}

std::uint16_t block_of(std::string_view packet) {
  return packet.size() < 4 ? 0 : opcode_of(packet.substr(2));
}

std::string packet(std::uint16_t opcode, std::uint16_t block, std::string_view payload = {}) {
  std::string bytes{static_cast<char>(opcode >> 8), static_cast<char>(opcode & 0xFF),
                    static_cast<char>(block >> 8), static_cast<char>(block & 0xFF)};
  bytes.append(payload);
  return bytes;
}

// The ERROR packet's message as "<code>:<text>".
std::string describe_error(std::string_view packet) {
  return std::to_string(block_of(packet)) + ":" + std::string{packet.substr(4)};
}

}  // namespace

std::string tftp_request(std::uint16_t opcode, const std::string& name) {
  std::string bytes{static_cast<char>(opcode >> 8), static_cast<char>(opcode & 0xFF)};
  bytes += name;
  bytes.push_back('\0');
  bytes += "octet";
  bytes.push_back('\0');
  return bytes;
}

TftpdPeer::TftpdPeer() : m_root(m_directory.path() / "tftpboot") {
  std::filesystem::create_directory(m_root);
  for (int attempt = 0; attempt < start_attempts; ++attempt) {
    if (try_start()) return;
  }
  throw std::runtime_error("in.tftpd did not start: " + (m_server ? m_server->output() : ""));
}

TftpdPeer::~TftpdPeer() {
  if (m_server) m_server->stop(SIGKILL);
}

void TftpdPeer::put_file(const std::string& name, std::string_view content) const {
  std::ofstream{m_root / name, std::ios::binary}.write(
      content.data(), static_cast<std::streamsize>(content.size()));
}

bool TftpdPeer::try_start() {
  {
    std::uint16_t port = 0;
    const int fd = udp_socket(port);  // a port the kernel just handed out, released again
    ::close(fd);
    m_port = port;
  }
  // --secure: names are relative to the directory (chroot, so run as root: as root it would
  // switch to the user tftp, which cannot enter this process's private directory).
  m_server = std::make_unique<PeerProcess>(
      std::vector<std::string>{"/usr/sbin/in.tftpd", "--foreground", "--listen", "--address",
                               "127.0.0.1:" + std::to_string(m_port), "--secure", "--create",
                               "--user", "root", m_root.string()},
      PeerProcess::Output::stdout_and_stderr);
  // The probe: a request for a file that does not exist is answered by ERROR 1 once it serves.
  std::uint16_t client_port = 0;
  const int fd = udp_socket(client_port);
  bool serving = false;
  for (int probe = 0; probe < 20 && !serving; ++probe) {
    send_to(fd, tftp_request(1, "probe-that-does-not-exist"), loopback(m_port));
    sockaddr_in from{};
    const auto answer = receive(fd, from, std::chrono::milliseconds(250));
    serving = answer && opcode_of(*answer) == 5;
  }
  ::close(fd);
  if (!serving) m_server->stop(SIGKILL);
  return serving;
}

TftpRelay::TftpRelay(std::uint16_t server_port, std::uint16_t drop_opcode, std::uint16_t drop_block)
    : m_server_port(server_port), m_drop_opcode(drop_opcode), m_drop_block(drop_block) {
  m_client_side = udp_socket(m_port);
  std::uint16_t ignored = 0;
  m_server_side = udp_socket(ignored);
  m_thread = std::thread([this] { run(); });
}

TftpRelay::~TftpRelay() {
  m_stop = true;
  m_thread.join();
  ::close(m_client_side);
  ::close(m_server_side);
}

// Requests go to the server's well-known port, everything else to the transfer id of the first
// server packet passed on; packets from the server's other ports (a transfer started by a request
// the client sent again) are discarded, as the client would refuse them.
void TftpRelay::run() {
  std::optional<sockaddr_in> client;
  std::optional<sockaddr_in> server_tid;
  const auto same = [](const sockaddr_in& a, const sockaddr_in& b) {
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
  };
  while (!m_stop) {
    pollfd pollers[2] = {{m_client_side, POLLIN, 0}, {m_server_side, POLLIN, 0}};
    if (::poll(pollers, 2, 50) <= 0) continue;  // 50 ms: how soon the destructor is noticed
    for (int side = 0; side < 2; ++side) {
      if ((pollers[side].revents & POLLIN) == 0) continue;
      sockaddr_in from{};
      const auto bytes = receive(pollers[side].fd, from, std::chrono::milliseconds(0));
      if (!bytes) continue;
      if (opcode_of(*bytes) == m_drop_opcode && block_of(*bytes) == m_drop_block &&
          m_dropped == 0) {
        ++m_dropped;
        continue;
      }
      const std::uint16_t opcode = opcode_of(*bytes);
      if (side == 0) {
        client = from;
        if (opcode == 1 || opcode == 2) {
          send_to(m_server_side, *bytes, loopback(m_server_port));
        } else if (server_tid) {
          send_to(m_server_side, *bytes, *server_tid);
        }
        continue;
      }
      if (!server_tid) server_tid = from;
      if (same(from, *server_tid) && client) send_to(m_client_side, *bytes, *client);
    }
  }
}

std::optional<std::string> TftpTestClient::get(const std::string& name, std::string* error,
                                               bool duplicate_acks) {
  std::uint16_t port = 0;
  const int fd = udp_socket(port);
  send_to(fd, tftp_request(1, name), loopback(m_server_port));
  std::string content;
  std::uint16_t expected = 1;
  m_duplicates = 0;
  for (;;) {
    sockaddr_in from{};
    const auto answer = receive(fd, from, m_deadline);
    if (!answer || opcode_of(*answer) != 3) {
      if (error) *error = answer ? describe_error(*answer) : "timeout";
      ::close(fd);
      return std::nullopt;
    }
    if (block_of(*answer) != expected) {
      ++m_duplicates;
      continue;
    }
    content.append(answer->substr(4));
    send_to(fd, packet(4, expected), from);
    if (duplicate_acks) send_to(fd, packet(4, expected), from);
    if (answer->size() - 4 < block_size) break;
    ++expected;
  }
  ::close(fd);
  return content;
}

bool TftpTestClient::put(const std::string& name, std::string_view content, std::string* error,
                         bool stranger_probe) {
  std::uint16_t port = 0;
  const int fd = udp_socket(port);
  send_to(fd, tftp_request(2, name), loopback(m_server_port));
  std::uint16_t awaited = 0;
  for (;;) {
    sockaddr_in from{};
    const auto answer = receive(fd, from, m_deadline);
    if (!answer || opcode_of(*answer) != 4) {
      if (error) *error = answer ? describe_error(*answer) : "timeout";
      ::close(fd);
      return false;
    }
    if (block_of(*answer) != awaited) continue;
    if (awaited == 0 && stranger_probe) {
      std::uint16_t stranger_port = 0;
      const int stranger = udp_socket(stranger_port);
      send_to(stranger, packet(3, 1, "intruder"), from);
      sockaddr_in ignored{};
      const auto refusal = receive(stranger, ignored, m_deadline);
      m_stranger_answer =
          refusal ? std::to_string(opcode_of(*refusal)) + ":" + std::to_string(block_of(*refusal))
                  : "timeout";
      ::close(stranger);
    }
    const std::size_t offset = std::size_t{awaited} * block_size;
    if (awaited > 0 && offset > content.size()) break;  // the short last block was acknowledged
    ++awaited;
    send_to(fd, packet(3, awaited, content.substr(offset, block_size)), from);
  }
  ::close(fd);
  return true;
}

}  // namespace spwf::testing
