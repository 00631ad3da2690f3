#pragma once
// Test support for the console transports other than the emulator's own pty: a host on any file
// descriptor (a TCP connection, the master of a pty given to the emulator as its terminal), and
// waiting for a line in a growing log file without sleeping (inotify with a deadline).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace spwf::testing {

using namespace std::chrono_literals;

/// A host on a connected file descriptor, owned and closed with the object.
class FdHost {
 public:
  explicit FdHost(int fd) : m_fd(fd) {}
  ~FdHost();
  FdHost(const FdHost&) = delete;
  FdHost& operator=(const FdHost&) = delete;

  int fd() const { return m_fd; }
  void send(std::string_view bytes);
  /// Reads until `needle` has arrived and returns everything up to it (fails the test at the
  /// deadline and returns what came). A needle ending with ntp_prefix consumes that line.
  std::string read_until(std::string_view needle, std::chrono::milliseconds deadline = 5s);
  /// True when the far end closes (or fails) before the deadline; what came meanwhile is kept.
  bool wait_closed(std::chrono::milliseconds deadline = 5s);
  const std::string& unread() const { return m_unread; }

 private:
  /// Reads once; 1 bytes came, 0 the far end closed, -1 the deadline passed.
  int fill(std::chrono::steady_clock::time_point until);
  int m_fd = -1;
  std::string m_unread;
};

/// A TCP connection to 127.0.0.1:`port` (fails the test and returns -1 when refused).
int connect_loopback(std::uint16_t port);

/// The port of a "tcp:HOST:PORT" console line's address.
std::uint16_t console_port(const std::string& console);

/// Waits until `file` contains `needle` (inotify, no sleeping); false at the deadline.
bool wait_for_text(const std::filesystem::path& file, std::string_view needle,
                   std::chrono::milliseconds deadline = 5s);

/// Waits until a line of `file` holds `prefix` followed by a port number (as the trace's
/// "tftp server listening on 127.0.0.1:PORT" shows an ephemeral port); 0 at the deadline.
std::uint16_t wait_for_port(const std::filesystem::path& file, std::string_view prefix,
                            std::chrono::milliseconds deadline = 5s);

/// The emulator started with a new pty as its terminal (stdin, stdout and stderr), as a user
/// starts `spwf04emu --stdio` in a shell; the test holds the master side.
struct TerminalProcess {
  pid_t pid = -1;
  int master = -1;
};
TerminalProcess spawn_on_terminal(const std::vector<std::string>& arguments);
/// Waits for the process to exit; its exit code, or -1 at the deadline (it is then killed).
int wait_process(pid_t pid, std::chrono::milliseconds deadline = 10s);

}  // namespace spwf::testing
