#pragma once
// A peer program the integration tests run beside the emulator (mosquitto, in.tftpd, the Python
// servers in tests/peers): started with an argv (found on PATH), stdin on /dev/null, its stdout
// (and, when asked, its stderr) on one pipe that is read with deadlines. A readiness line or the
// port a server picked is awaited on that pipe. The process is always reaped: stop() and the
// destructor send a signal, drain the pipe while it exits (so it never blocks on a full pipe),
// and after a bounded wait kill it.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spwf::testing {

/// One child process and the read end of its output pipe.
class PeerProcess {
 public:
  /// Which of the child's outputs the pipe carries.
  enum class Output { stdout_only, stdout_and_stderr };

  /// Starts `argv` (throws std::runtime_error when it cannot be started).
  explicit PeerProcess(std::vector<std::string> argv, Output output = Output::stdout_only);
  /// stop(SIGTERM).
  ~PeerProcess();
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  /// Reads until `needle` has arrived; false when the output ends or the deadline passes first.
  bool read_until(std::string_view needle,
                  std::chrono::milliseconds deadline = std::chrono::seconds(5));
  /// The next line not yet taken, without its newline ("" at the deadline or the output's end).
  std::string read_line(std::chrono::milliseconds deadline = std::chrono::seconds(5));
  /// Reads the next line, which must be "<prefix><port>" (a server that bound port 0 says which
  /// port it got); throws std::runtime_error with the output at the deadline or on another line.
  std::uint16_t read_port(std::string_view prefix, std::chrono::milliseconds deadline);
  /// Waits for the process to exit (reading its output), then reaps it; its exit code, or -1
  /// (ended by a signal, or still running at the deadline: then it is killed).
  int wait_exit(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  /// Sends `signal`, drains the output for up to 5 s while the process exits, then SIGKILL;
  /// always reaps it. No effect once it is reaped.
  void stop(int signal);

  /// Everything read so far (read_line takes lines from its unread end, not from this text).
  const std::string& output() const { return m_output; }
  pid_t pid() const { return m_pid; }

 private:
  /// Reads once within `until`: true when bytes came, false at the deadline or the end.
  bool fill(std::chrono::steady_clock::time_point until);
  /// Waits for the exit (draining the output) and reaps; the wait status, nullopt at `until`.
  std::optional<int> reap_within(std::chrono::steady_clock::time_point until);
  std::string m_program;  ///< the command line, for errors
  pid_t m_pid = -1;
  int m_pidfd = -1;  ///< readable once the process has exited
  int m_fd = -1;
  std::string m_output;
  std::size_t m_line_start = 0;  ///< where read_line's next line begins in m_output
};

/// The argv that runs `script` with `arguments` under Debian's /usr/bin/python3 (where the
/// python3-* packages the peers need are installed).
std::vector<std::string> python_argv(std::string script, std::vector<std::string> arguments);

}  // namespace spwf::testing
