#pragma once
// Real network peers for the integration tests, on ephemeral loopback ports: a TCP server that
// runs a handler per connection on its own thread, and a UDP echo server. They stop (and join
// their threads) when destroyed; every loop is bounded by the sockets closing.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace spwf::testing {

/// A TCP listener on 127.0.0.1:<ephemeral> calling `handler(fd)` for each connection.
class TcpPeer {
 public:
  using Handler = std::function<void(int fd)>;
  explicit TcpPeer(Handler handler);
  ~TcpPeer();
  TcpPeer(const TcpPeer&) = delete;
  TcpPeer& operator=(const TcpPeer&) = delete;
  std::uint16_t port() const { return m_port; }

  /// Handlers: echo everything back until the peer closes.
  static void echo(int fd);
  /// Reads until the peer closes and appends everything to `sink`.
  static Handler collect(std::string& sink, std::atomic<bool>& done);
  /// Sends `data` and closes (orderly).
  static Handler send_and_close(std::string data);
  /// After the client's first byte, sends `data` and resets the connection (SO_LINGER 0).
  static Handler send_and_reset(std::string data);

 private:
  void accept_loop();
  int m_listener = -1;
  std::uint16_t m_port = 0;
  Handler m_handler;
  std::thread m_thread;
  std::mutex m_mutex;  // guards the two lists below (accept thread vs destructor)
  std::vector<std::thread> m_connections;
  std::vector<int> m_open_fds;
  std::atomic<bool> m_stopping{false};
};

/// A UDP echo server on 127.0.0.1:<ephemeral>.
class UdpEchoPeer {
 public:
  UdpEchoPeer();
  ~UdpEchoPeer();
  UdpEchoPeer(const UdpEchoPeer&) = delete;
  UdpEchoPeer& operator=(const UdpEchoPeer&) = delete;
  std::uint16_t port() const { return m_port; }

 private:
  int m_socket = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::thread m_thread;
};

/// `count` pseudo-random bytes (every value 0-255), the same for the same seed.
std::string random_bytes(std::size_t count, unsigned seed);
/// A process's resident memory in kB (VmRSS in /proc/<pid>/status), or -1.
long resident_kb(int pid);
/// False in a sanitizer build, where ASan's quarantine and shadow memory make a process's resident
/// memory say nothing about what it holds: memory bounds are asserted in the plain build only.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool resident_memory_is_meaningful = false;
#else
inline constexpr bool resident_memory_is_meaningful = true;
#endif

/// Writes all bytes to a socket (returns false on error).
bool write_all(int fd, std::string_view bytes);
/// A port on 127.0.0.1 that refuses connections: bound by this process and never listening, so
/// no other process can take it while the tests run.
std::uint16_t unused_port();
/// Waits until `flag` is set by a peer's thread (true), or the deadline passes (false).
bool wait_until(const std::atomic<bool>& flag, std::chrono::milliseconds deadline);

}  // namespace spwf::testing
