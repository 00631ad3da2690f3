#pragma once
// Test support: the real spwf04emu executable started on a real pty, and a host that opens the
// pty slave the way firmware does (raw mode) and reads with deadlines instead of sleeps.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace spwf::testing {

using namespace std::chrono_literals;

/// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

/// The emulator as a child process with --boot instant, serving a pty.
class EmulatorProcess {
 public:
  /// Starts spwf04emu with `--state-dir <state_dir>` plus `arguments` (and `--boot instant`
  /// unless they choose a --boot), and reads
  /// the "AT console on <path>" line (unless `expect_console` is false).
  EmulatorProcess(const std::filesystem::path& state_dir, std::vector<std::string> arguments = {},
                  bool expect_console = true);
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  const std::string& pty_path() const { return m_pty_path; }
  pid_t pid() const { return m_pid; }
  /// Sends SIGTERM and returns the exit status (or -1 on a signal death / timeout).
  int terminate();
  /// Waits for the process to exit by itself and returns its exit code (-1 on timeout).
  int wait_exit(std::chrono::milliseconds deadline = 10s);
  /// Everything the process wrote on stderr so far (read after exit).
  std::string stderr_text() const;
  /// The stdout line(s) read at start.
  const std::string& stdout_text() const { return m_stdout_text; }

 private:
  pid_t m_pid = -1;
  int m_stdout = -1;
  std::filesystem::path m_stderr_file;
  std::string m_pty_path;
  std::string m_stdout_text;
  int m_exit_code = -1;
  bool m_exited = false;
};

/// A host attached to the pty slave in raw mode.
class PtyHost {
 public:
  explicit PtyHost(const std::string& path);
  ~PtyHost();
  PtyHost(const PtyHost&) = delete;
  PtyHost& operator=(const PtyHost&) = delete;

  /// Writes all bytes.
  void send(std::string_view bytes);
  /// Writes bytes in pieces of `piece` bytes, each a separate write().
  void send_in_pieces(std::string_view bytes, std::size_t piece);
  /// Reads until `needle` has arrived (returns everything read up to and including it), or
  /// fails the test and returns what arrived when the deadline passes. A needle ending with
  /// ntp_prefix also consumes the rest of that line (the host's time), which is not returned.
  std::string read_until(std::string_view needle, std::chrono::milliseconds deadline = 5s);
  /// Reads exactly `count` bytes (or fails at the deadline).
  std::string read_exactly(std::size_t count, std::chrono::milliseconds deadline = 5s);
  /// Sends `command` + CR and returns the module's answer through the final OK/ERROR line.
  std::string command(std::string_view command, std::chrono::milliseconds deadline = 5s);
  /// Reads the module's answer through the final OK/ERROR line (after a payload was sent).
  std::string answer(std::chrono::milliseconds deadline = 5s);
  /// Bytes already received but not yet returned by a read.
  const std::string& unread() const { return m_unread; }
  /// Drops the unread bytes.
  void discard_unread() { m_unread.clear(); }

 private:
  bool fill(std::chrono::steady_clock::time_point until);
  int m_fd = -1;
  std::string m_unread;
};

/// The peak resident memory of process `pid` in KiB (VmHWM in /proc), 0 if unknown.
std::uint64_t peak_resident_kib(pid_t pid);
/// True when this build runs under AddressSanitizer, whose shadow memory and quarantine make
/// resident-memory bounds meaningless (tests then check behaviour only).
constexpr bool memory_is_sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  return false;
#endif
}

/// The whole content of a file (certificates, keys made by scripts/make-test-certs.sh).
std::string read_file(const std::filesystem::path& path);
/// Runs a shell command and returns its standard output (openssl, the certificate script).
std::string run(const std::string& command);
/// Runs scripts/make-test-certs.sh (`script`) into `directory`; returns its output, which ends
/// with "exit=<status>" (tests assert "exit=0" and print the rest when it is not).
std::string make_test_certificates(const std::string& script,
                                   const std::filesystem::path& directory);

/// The prefix of the NTP indication that follows WiFi Up with ip_ntp_startup=1 (factory).
inline constexpr std::string_view ntp_prefix = "+WIND:84:NTP Server delivery:";

/// The boot indications of a factory module with the radio on (spec §2.9), up to WIND 32.
std::string factory_boot_text();
/// The join of the default open network "STTest" that follows, through the IPv6 WiFi Up line,
/// ending with the NTP indication's prefix (read_until then also consumes its time fields).
std::string default_join_text(std::string_view link_local = "fe80:0:0:0:280:e1ff:febd:39");
/// Boot and join of a factory module in the default configuration.
std::string factory_start_text();

}  // namespace spwf::testing
