#pragma once
// Pieces the benchmark programs share: file descriptors, ptys, the spawned emulator, bounded
// reads on a console, percentiles, resident memory and a loopback TCP server. Every wait here
// has a deadline, so a benchmark fails on a silent emulator instead of hanging.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace spwf::bench {

using Clock = std::chrono::steady_clock;

/// Owns a file descriptor and closes it.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept;
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  /// The descriptor, or -1.
  int get() const { return m_fd; }
  /// Closes the descriptor (if any).
  void reset();

 private:
  int m_fd = -1;
};

/// A runtime_error naming `what` and the current errno.
std::runtime_error system_failure(const std::string& what);

/// Puts a terminal in raw mode, so CR and LF pass unchanged and nothing is echoed.
void make_raw(int fd);

/// Opens a pty slave the way a host does (raw mode).
FileDescriptor open_slave(const std::string& path);

/// Both ends of a fresh pty pair in this process, the slave in raw mode.
struct PtyPair {
  FileDescriptor master;
  FileDescriptor slave;
};

/// Opens a pty pair (posix_openpt, grantpt, unlockpt, the slave opened raw).
PtyPair open_pty_pair();

/// Writes every byte (retrying on EINTR and short writes); throws on error.
void write_all(int fd, std::string_view bytes);

/// Appends what `fd` has to `buffer`, waiting for it until `until`. Returns false at the
/// deadline or when the other side has gone.
bool fill(int fd, std::string& buffer, Clock::time_point until);

/// Reads from `fd` into `buffer` until it contains `needle`, then drops everything up to and
/// including it. Returns false at the deadline or when the other side has gone.
bool read_until(int fd, std::string& buffer, std::string_view needle,
                std::chrono::milliseconds deadline);

/// Reads one '\n'-terminated line from `fd` (returned without the '\n'), or nullopt.
std::optional<std::string> read_line(int fd, std::string& buffer,
                                     std::chrono::milliseconds deadline);

/// Median, 99th percentile and worst case of a set of samples.
struct Summary {
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

/// Sorts the samples and picks the median, the 99th percentile and the maximum.
Summary summarize(std::vector<double> samples);

/// A fresh temporary directory for the emulator's flash, removed with the object.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  /// Where the directory is.
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

/// The number a benchmark takes as its first argument (bytes, round trips): a positive decimal,
/// or nullopt for anything else.
std::optional<std::size_t> positive_number(const char* text);

/// The emulator to run: $SPWF_BENCH_EMULATOR if set (e.g. a script that execs it under strace
/// or perf), else `built`, the one built beside the benchmark.
std::string emulator_path(const std::string& built);

/// spwf04emu (`emulator_path`) as a child process serving a pty with `--boot instant`;
/// stopped with SIGTERM when the object goes.
class EmulatorChild {
 public:
  /// `extra_arguments` follow the standard ones (e.g. `--connect-to`, HOST1:PORT1:HOST2:PORT2).
  EmulatorChild(const std::string& emulator_path, const std::filesystem::path& state_dir,
                const std::vector<std::string>& extra_arguments = {});
  ~EmulatorChild();
  EmulatorChild(const EmulatorChild&) = delete;
  EmulatorChild& operator=(const EmulatorChild&) = delete;

  /// The child's process id.
  pid_t pid() const { return m_pid; }
  /// The pty the emulator announced on its stdout.
  const std::string& pty_path() const { return m_pty_path; }

 private:
  void stop();

  pid_t m_pid = -1;
  FileDescriptor m_stdout;
  std::string m_pty_path;
};

/// Waits for the end of the factory boot and join: the `+WIND:84:NTP Server delivery` line that
/// follows WiFi Up (ip_ntp_startup=1). Throws with what arrived if it does not come in time.
void wait_for_boot(int console, std::string& buffer, std::chrono::milliseconds deadline);

/// Sends one command line (without its CR) and waits for `AT-S.OK\r\n`; throws on anything
/// else before it or on the deadline. Returns the lines that came before the OK.
std::string run_command(int console, std::string& buffer, std::string_view command,
                        std::chrono::milliseconds deadline);

/// A process's resident set size in kB (VmRSS in /proc/<pid>/status), or nullopt.
std::optional<long> resident_kilobytes(pid_t pid);

/// The CPU time (user + system, all threads) process `pid` has used so far, in seconds, from
/// /proc/<pid>/task/*/schedstat (nanoseconds); 0 when it cannot be read.
double process_cpu_seconds(pid_t pid);

/// "<n> kB", or "unknown".
std::string kilobytes_text(std::optional<long> value);

/// A TCP listener on 127.0.0.1:<ephemeral> calling `handler(fd)` for each connection, each on
/// its own thread. The destructor shuts every connection down and joins the threads, so a
/// handler's loop must end when its socket fails.
class LoopbackServer {
 public:
  using Handler = std::function<void(int fd)>;
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  /// The port it listens on.
  std::uint16_t port() const { return m_port; }
  /// How many connections it has accepted.
  std::size_t accepted() const { return m_accepted.load(); }

 private:
  void accept_loop();

  FileDescriptor m_listener;
  std::uint16_t m_port = 0;
  Handler m_handler;
  std::atomic<bool> m_stopping{false};
  std::atomic<std::size_t> m_accepted{0};
  std::mutex m_mutex;  // guards the two lists below (accept thread vs destructor)
  std::vector<std::thread> m_connections;
  std::vector<int> m_open_fds;
  std::thread m_thread;
};

/// Handler: echoes everything back until the peer closes.
void echo_handler(int fd);

}  // namespace spwf::bench
