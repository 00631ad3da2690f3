// bench_console: what the emulator costs a host on its console.
//   (a) a bare pty round trip: "AT\r" from the slave side, "AT-S.OK\r\n" from a thread echoing on
//       the master side; the floor any pty-based console can reach on this machine;
//   (b) the same exchange against the real spwf04emu (--boot instant, echo off);
//   (c) the emulator's resident memory when idle after boot (VmRSS).
// It prints figures and the targets beside them (p50 within 2x of bare, RSS <= 8 MB); it never
// fails on timings, only when the emulator cannot be started or stops answering.
//
//   bench_console [round trips (default 10000)]

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace spwf::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view command = "AT\r";
constexpr std::string_view reply = "AT-S.OK\r\n";
constexpr std::size_t warm_up_round_trips = 500;
constexpr std::chrono::seconds answer_deadline{5};

/// Owns a file descriptor and closes it.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset();
      m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
  }
  int get() const { return m_fd; }
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

 private:
  int m_fd = -1;
};

std::runtime_error system_failure(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

/// Puts a terminal in raw mode, so CR and LF pass unchanged and nothing is echoed.
void make_raw(int fd) {
  termios settings{};
  if (::tcgetattr(fd, &settings) != 0) throw system_failure("tcgetattr");
  ::cfmakeraw(&settings);
  if (::tcsetattr(fd, TCSANOW, &settings) != 0) throw system_failure("tcsetattr");
}

/// Opens a pty slave the way a host does.
FileDescriptor open_slave(const std::string& path) {
  FileDescriptor slave{::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (slave.get() < 0) throw system_failure("open " + path);
  make_raw(slave.get());
  return slave;
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw system_failure("write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

/// Appends what `fd` has to `buffer`, waiting for it until `until`. Returns false at the
/// deadline or when the other side has gone.
bool fill(int fd, std::string& buffer, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[512];
    const ssize_t count = ::read(fd, chunk, sizeof chunk);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(count));
    return true;
  }
}

/// Reads from `fd` into `buffer` until it contains `needle`, then drops everything up to and
/// including it. Returns false at the deadline or when the other side has gone.
bool read_until(int fd, std::string& buffer, std::string_view needle,
                std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    if (const auto found = buffer.find(needle); found != std::string::npos) {
      buffer.erase(0, found + needle.size());
      return true;
    }
    if (!fill(fd, buffer, until)) return false;
  }
}

/// Reads one '\n'-terminated line from `fd` (returned without the '\n'), or nullopt.
std::optional<std::string> read_line(int fd, std::string& buffer,
                                     std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    if (const auto end = buffer.find('\n'); end != std::string::npos) {
      std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 1);
      return line;
    }
    if (!fill(fd, buffer, until)) return std::nullopt;
  }
}

/// Times `count` exchanges of "AT\r" for "AT-S.OK\r\n" on `fd`, in microseconds, after a
/// warm-up that is not recorded.
std::vector<double> time_round_trips(int fd, std::size_t count) {
  std::vector<double> samples;
  samples.reserve(count);
  std::string buffer;
  buffer.reserve(256);
  for (std::size_t round = 0; round < warm_up_round_trips + count; ++round) {
    const auto start = Clock::now();
    write_all(fd, command);
    if (!read_until(fd, buffer, reply, answer_deadline)) {
      throw std::runtime_error("no AT-S.OK within " + std::to_string(answer_deadline.count()) +
                               " s at round trip " + std::to_string(round) + "; got \"" + buffer +
                               "\"");
    }
    const auto elapsed = std::chrono::duration<double, std::micro>(Clock::now() - start);
    if (!buffer.empty()) throw std::runtime_error("unexpected bytes: \"" + buffer + "\"");
    if (round >= warm_up_round_trips) samples.push_back(elapsed.count());
  }
  return samples;
}

/// Median, 99th percentile and worst case of a set of samples.
struct Summary {
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

Summary summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double fraction) {
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1));
    return samples[index];
  };
  return {at(0.50), at(0.99), samples.back()};
}

/// (a) A pty pair in this process: a thread on the master answers each CR with the reply.
std::vector<double> bare_pty_round_trips(std::size_t count) {
  FileDescriptor master{::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (master.get() < 0) throw system_failure("posix_openpt");
  if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) {
    throw system_failure("grantpt/unlockpt");
  }
  const char* name = ::ptsname(master.get());
  if (name == nullptr) throw system_failure("ptsname");
  FileDescriptor slave = open_slave(name);

  // The echoing side stops when the slave is closed (the master then reads EIO or 0).
  std::thread responder{[fd = master.get()] {
    char chunk[512];
    for (;;) {
      const ssize_t received = ::read(fd, chunk, sizeof chunk);
      if (received < 0 && errno == EINTR) continue;
      if (received <= 0) return;
      for (ssize_t index = 0; index < received; ++index) {
        if (chunk[index] == '\r') write_all(fd, reply);
      }
    }
  }};
  std::vector<double> samples;
  try {
    samples = time_round_trips(slave.get(), count);
  } catch (...) {
    slave.reset();
    responder.join();
    throw;
  }
  slave.reset();
  responder.join();
  return samples;
}

/// A fresh temporary directory for the emulator's flash, removed with the object.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "spwf-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw system_failure("mkdtemp");
    m_path = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

/// spwf04emu as a child process serving a pty; stopped with SIGTERM when the object goes.
class EmulatorChild {
 public:
  explicit EmulatorChild(const std::filesystem::path& state_dir) {
    std::vector<std::string> arguments = {SPWF04EMU_PATH, "--boot", "instant", "--state-dir",
                                          state_dir.string()};
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);

    int out_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw system_failure("pipe2");
    m_stdout = FileDescriptor{out_pipe[0]};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const int spawned = ::posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    if (spawned != 0) {
      m_pid = -1;
      throw std::runtime_error(std::string{"cannot start "} + SPWF04EMU_PATH + ": " +
                               std::strerror(spawned));
    }

    // The emulator announces its pty on stdout: "spwf04emu: AT console on /dev/pts/N".
    constexpr std::string_view prefix = "spwf04emu: AT console on ";
    std::string buffer;
    const auto line = read_line(m_stdout.get(), buffer, std::chrono::seconds(10));
    if (!line || !line->starts_with(prefix)) {
      stop();
      throw std::runtime_error("spwf04emu did not announce its pty (got \"" + line.value_or("") +
                               "\")");
    }
    m_pty_path = line->substr(prefix.size());
  }

  ~EmulatorChild() { stop(); }
  EmulatorChild(const EmulatorChild&) = delete;
  EmulatorChild& operator=(const EmulatorChild&) = delete;

  pid_t pid() const { return m_pid; }
  const std::string& pty_path() const { return m_pty_path; }

 private:
  void stop() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
  }

  pid_t m_pid = -1;
  FileDescriptor m_stdout;
  std::string m_pty_path;
};

/// A process's resident set size in kB (VmRSS in /proc/<pid>/status), or nullopt.
std::optional<long> resident_kilobytes(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return std::nullopt;
}

/// What was measured against the emulator.
struct EmulatorFigures {
  std::vector<double> samples;
  std::optional<long> idle_rss_kb;
  std::optional<long> rss_after_kb;
};

/// (b) and (c): boots spwf04emu, turns echo off, reads its idle RSS, times the round trips.
EmulatorFigures emulator_round_trips(std::size_t count) {
  TemporaryDirectory state_dir;
  EmulatorChild emulator{state_dir.path()};
  FileDescriptor host = open_slave(emulator.pty_path());
  std::string buffer;
  // The factory start ends with the join of the default network; its last line is the IPv6
  // WiFi Up (ip_use_v6=1).
  if (!read_until(host.get(), buffer, "+WIND:24:WiFi Up::", answer_deadline) ||
      !read_until(host.get(), buffer, "\r\n", answer_deadline)) {
    throw std::runtime_error("spwf04emu did not boot and join; got \"" + buffer + "\"");
  }
  // Echo off, and every indication masked (as the mbed driver does around socket reads), so
  // the timed exchanges are exactly "AT\r" and "AT-S.OK\r\n".
  for (const std::string_view setup :
       {"AT+S.SCFG=console_echo,0\r", "AT+S.SCFG=console_wind_off_low,0xFFFFFFFF\r",
        "AT+S.SCFG=console_wind_off_medium,0xFFFFFFFF\r",
        "AT+S.SCFG=console_wind_off_high,0xFFFFFFFF\r"}) {
    write_all(host.get(), setup);
    if (!read_until(host.get(), buffer, reply, answer_deadline) || !buffer.empty()) {
      throw std::runtime_error("\"" + std::string{setup.substr(0, setup.size() - 1)} +
                               "\" failed; got \"" + buffer + "\"");
    }
  }
  EmulatorFigures figures;
  figures.idle_rss_kb = resident_kilobytes(emulator.pid());
  figures.samples = time_round_trips(host.get(), count);
  figures.rss_after_kb = resident_kilobytes(emulator.pid());
  return figures;
}

std::string kilobytes_text(std::optional<long> value) {
  return value ? std::to_string(*value) + " kB" : std::string{"unknown"};
}

int run(std::size_t count) {
  std::printf(
      "bench_console: %zu round trips of \"AT\\r\" -> \"AT-S.OK\\r\\n\" each (after %zu "
      "warm-up)\n",
      count, warm_up_round_trips);
  const Summary bare = summarize(bare_pty_round_trips(count));
  const EmulatorFigures emulator = emulator_round_trips(count);
  const Summary emulated = summarize(emulator.samples);
  const double ratio = bare.p50 > 0 ? emulated.p50 / bare.p50 : 0;
  std::printf(
      "pty round trip  bare p50=%.1f us p99=%.1f us max=%.1f us | emulator p50=%.1f us "
      "p99=%.1f us max=%.1f us | ratio p50=%.2fx (target <= 2x)%s\n",
      bare.p50, bare.p99, bare.max, emulated.p50, emulated.p99, emulated.max, ratio,
      ratio <= 2.0 ? "" : "  ** above target **");
  const long target_kb = 8192;
  const bool rss_ok = emulator.idle_rss_kb && *emulator.idle_rss_kb <= target_kb;
  std::printf("idle RSS: %s (target <= %ld kB)%s; after the round trips: %s\n",
              kilobytes_text(emulator.idle_rss_kb).c_str(), target_kb,
              rss_ok ? "" : "  ** above target **", kilobytes_text(emulator.rss_after_kb).c_str());
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t count = 10000;
  if (argc > 1) {
    char* end = nullptr;
    const unsigned long long parsed = std::strtoull(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || parsed == 0) {
      std::fprintf(stderr, "usage: %s [round trips (default 10000)]\n", argv[0]);
      return 2;
    }
    count = static_cast<std::size_t>(parsed);
  }
  try {
    return spwf::bench::run(count);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench_console: error: %s\n", failure.what());
    return 1;
  }
}
