#pragma once
// TFTP peers for the integration tests: Debian's tftpd-hpa (in.tftpd) serving a temporary
// directory on an ephemeral loopback port, a UDP relay that drops one packet of a chosen kind
// once (the lost-packet case), and a minimal blocking TFTP client (RFC 1350, octet mode) for the
// module's own server. in.tftpd cannot report a port it picked, so a free port is chosen and a
// probe request (for a file that does not exist, answered by ERROR 1) decides whether it serves
// it; a failed start is retried with another port, a bounded number of times.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/PeerProcess.hpp"

namespace spwf::testing {

/// A running in.tftpd (--secure --create) on 127.0.0.1.
class TftpdPeer {
 public:
  TftpdPeer();
  ~TftpdPeer();
  TftpdPeer(const TftpdPeer&) = delete;
  TftpdPeer& operator=(const TftpdPeer&) = delete;
  std::uint16_t port() const { return m_port; }
  /// The directory it serves (files written here can be fetched; uploads arrive here).
  const std::filesystem::path& directory() const { return m_root; }
  /// Writes a file into the served directory, readable by the server.
  void put_file(const std::string& name, std::string_view content) const;

 private:
  bool try_start();
  TempDir m_directory;
  std::filesystem::path m_root;
  std::unique_ptr<PeerProcess> m_server;
  std::uint16_t m_port = 0;
};

/// Relays datagrams between one client and a TFTP server (following the server's transfer id),
/// dropping the first packet with opcode `drop_opcode` (3 DATA, 4 ACK) and block `drop_block`
/// once.
class TftpRelay {
 public:
  TftpRelay(std::uint16_t server_port, std::uint16_t drop_opcode, std::uint16_t drop_block = 1);
  ~TftpRelay();
  TftpRelay(const TftpRelay&) = delete;
  TftpRelay& operator=(const TftpRelay&) = delete;
  /// The port the client sends its request to.
  std::uint16_t port() const { return m_port; }
  /// How many packets were dropped (0 or 1).
  unsigned dropped() const { return m_dropped.load(); }

 private:
  void run();
  int m_client_side = -1;
  int m_server_side = -1;
  std::uint16_t m_port = 0;
  std::uint16_t m_server_port = 0;
  std::uint16_t m_drop_opcode = 0;
  std::uint16_t m_drop_block = 0;
  std::atomic<unsigned> m_dropped{0};
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// A blocking TFTP client: one transfer per call, every wait with a deadline.
class TftpTestClient {
 public:
  explicit TftpTestClient(std::uint16_t server_port,
                          std::chrono::milliseconds deadline = std::chrono::seconds(5))
      : m_server_port(server_port), m_deadline(deadline) {}
  /// RRQ: the file's content, or nullopt on an ERROR packet or a timeout (`error` says which).
  /// With `duplicate_acks` every ACK is sent twice; duplicates() then counts the DATA packets
  /// that were not the awaited block (a sender that answers duplicate ACKs repeats blocks).
  std::optional<std::string> get(const std::string& name, std::string* error = nullptr,
                                 bool duplicate_acks = false);
  /// WRQ: true when every block was acknowledged. With `stranger_probe`, after ACK 0 a DATA is
  /// sent to the server's transfer id from another port; stranger_answer() then holds the
  /// opcode and code of what came back there ("5:5" for ERROR 5).
  bool put(const std::string& name, std::string_view content, std::string* error = nullptr,
           bool stranger_probe = false);
  unsigned duplicates() const { return m_duplicates; }
  const std::string& stranger_answer() const { return m_stranger_answer; }

 private:
  std::uint16_t m_server_port;
  std::chrono::milliseconds m_deadline;
  unsigned m_duplicates = 0;
  std::string m_stranger_answer;
};

/// The datagram of an RRQ (opcode 1) or WRQ (2) for `name` in octet mode.
std::string tftp_request(std::uint16_t opcode, const std::string& name);

}  // namespace spwf::testing
