#include "tests/integration/EmulatorProcess.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Finds the end of the first final line (AT-S.OK... or AT-S.ERROR...) that starts a line.
std::size_t final_line_end(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find("\r\n", start);
    if (end == std::string::npos) return std::string::npos;
    const std::string_view line{text.data() + start, end - start};
    if (line.starts_with("AT-S.OK") || line.starts_with("AT-S.ERROR")) return end + 2;
    start = end + 2;
  }
  return std::string::npos;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "spwf-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  m_path = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(m_path, ignored);
}

EmulatorProcess::EmulatorProcess(const std::filesystem::path& state_dir,
                                 std::vector<std::string> arguments, bool expect_console) {
  std::vector<std::string> argv_text = {SPWF04EMU_PATH, "--state-dir", state_dir.string()};
  // --boot instant unless the test chooses the pacing itself.
  if (std::find(arguments.begin(), arguments.end(), "--boot") == arguments.end()) {
    argv_text.insert(argv_text.end(), {"--boot", "instant"});
  }
  argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& item : argv_text) argv.push_back(item.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  m_stderr_file =
      state_dir.parent_path() / ("stderr-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, m_stderr_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int spawned = ::posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  m_stdout = out_pipe[0];
  if (spawned != 0) throw std::runtime_error("posix_spawn failed");
  if (!expect_console) return;

  const auto until = Clock::now() + std::chrono::seconds(10);
  while (m_stdout_text.find('\n') == std::string::npos) {
    pollfd entry{m_stdout, POLLIN, 0};
    if (::poll(&entry, 1, remaining_ms(until)) <= 0) break;
    char buffer[512];
    const ssize_t count = ::read(m_stdout, buffer, sizeof buffer);
    if (count <= 0) break;
    m_stdout_text.append(buffer, static_cast<std::size_t>(count));
  }
  const std::string prefix = "spwf04emu: AT console on ";
  const auto at = m_stdout_text.find(prefix);
  if (at == std::string::npos) {
    throw std::runtime_error("no console line from the emulator: " + m_stdout_text +
                             " stderr: " + stderr_text());
  }
  const auto end = m_stdout_text.find('\n', at);
  m_pty_path = m_stdout_text.substr(at + prefix.size(), end - at - prefix.size());
}

EmulatorProcess::~EmulatorProcess() {
  if (!m_exited && m_pid > 0) terminate();
  if (m_stdout >= 0) ::close(m_stdout);
  std::error_code ignored;
  std::filesystem::remove(m_stderr_file, ignored);
}

int EmulatorProcess::terminate() {
  if (!m_exited) ::kill(m_pid, SIGTERM);
  return wait_exit();
}

int EmulatorProcess::wait_exit(std::chrono::milliseconds deadline) {
  if (m_exited) return m_exit_code;
  const auto until = Clock::now() + deadline;
  int status = 0;
  // waitpid has no timeout: poll it with WNOHANG against the deadline, waiting on the stdout
  // pipe (which closes when the process exits) between tries.
  for (;;) {
    const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
    if (done == m_pid) break;
    if (Clock::now() >= until) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
      m_exited = true;
      m_exit_code = -1;
      return -1;
    }
    pollfd entry{m_stdout, POLLIN, 0};
    if (::poll(&entry, 1, std::min(remaining_ms(until), 20)) > 0) {
      char buffer[256];
      if (::read(m_stdout, buffer, sizeof buffer) > 0) continue;
    }
  }
  m_exited = true;
  m_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return m_exit_code;
}

std::string EmulatorProcess::stderr_text() const {
  std::ifstream file{m_stderr_file};
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

PtyHost::PtyHost(const std::string& path) {
  m_fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m_fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  termios settings{};
  if (::tcgetattr(m_fd, &settings) == 0) {
    ::cfmakeraw(&settings);
    ::tcsetattr(m_fd, TCSANOW, &settings);
  }
}

PtyHost::~PtyHost() {
  if (m_fd >= 0) ::close(m_fd);
}

void PtyHost::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(m_fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      ADD_FAILURE() << "write to pty failed: " << std::strerror(errno);
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void PtyHost::send_in_pieces(std::string_view bytes, std::size_t piece) {
  while (!bytes.empty()) {
    const std::size_t count = std::min(piece, bytes.size());
    send(bytes.substr(0, count));
    bytes.remove_prefix(count);
  }
}

bool PtyHost::fill(Clock::time_point until) {
  pollfd entry{m_fd, POLLIN, 0};
  if (::poll(&entry, 1, remaining_ms(until)) <= 0) return false;
  char buffer[65536];
  const ssize_t count = ::read(m_fd, buffer, sizeof buffer);
  if (count <= 0) return false;
  m_unread.append(buffer, static_cast<std::size_t>(count));
  return true;
}

std::string PtyHost::read_until(std::string_view needle, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  // The NTP indication's fields are the host's time: a needle ending with its prefix also
  // consumes them, up to the line end, and returns the text without them.
  const bool through_ntp_line = needle.ends_with(ntp_prefix);
  for (;;) {
    const auto at = m_unread.find(needle);
    const std::size_t line_end =
        at == std::string::npos ? std::string::npos : m_unread.find("\r\n", at + needle.size());
    if (at != std::string::npos && (!through_ntp_line || line_end != std::string::npos)) {
      std::string result = m_unread.substr(0, at + needle.size());
      m_unread.erase(0, through_ntp_line ? line_end + 2 : at + needle.size());
      return result;
    }
    if (Clock::now() >= until || !fill(until)) {
      ADD_FAILURE() << "timed out waiting for \"" << needle << "\"; received: \"" << m_unread
                    << "\"";
      return std::exchange(m_unread, {});
    }
  }
}

std::string PtyHost::read_exactly(std::size_t count, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (m_unread.size() < count) {
    if (Clock::now() >= until || !fill(until)) {
      ADD_FAILURE() << "timed out waiting for " << count << " bytes; have " << m_unread.size();
      return std::exchange(m_unread, {});
    }
  }
  std::string result = m_unread.substr(0, count);
  m_unread.erase(0, count);
  return result;
}

std::string PtyHost::command(std::string_view command, std::chrono::milliseconds deadline) {
  send(std::string{command} + "\r");
  return answer(deadline);
}

std::string PtyHost::answer(std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    const std::size_t end = final_line_end(m_unread);
    if (end != std::string::npos) {
      std::string result = m_unread.substr(0, end);
      m_unread.erase(0, end);
      return result;
    }
    if (Clock::now() >= until || !fill(until)) {
      ADD_FAILURE() << "no final line; received: \"" << m_unread << "\"";
      return std::exchange(m_unread, {});
    }
  }
}

std::string factory_boot_text() {
  return "+WIND:1:Poweron:171117-0328fe3-SPWF04S\r\n"
         "+WIND:13:Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights "
         "Reserved:SPWF04SA\r\n"
         "+WIND:0:Console active\r\n"
         "+WIND:3:Watchdog Running:20\r\n"
         "+WIND:32:WiFi Hardware Started\r\n";
}

std::string default_join_text(std::string_view link_local) {
  return "+WIND:21:WiFi Scanning\r\n"
         "+WIND:35:WiFi Scan Complete:00\r\n"
         "+WIND:19:WiFi Join:00:11:22:33:44:55\r\n"
         "+WIND:25:WiFi Association successful:STTest\r\n"
         "+WIND:24:WiFi Up:0:192.168.1.100\r\n"
         "+WIND:24:WiFi Up::" +
         std::string{link_local} + "\r\n" + std::string{ntp_prefix};
}

std::string factory_start_text() {
  return factory_boot_text() + default_join_text();
}

std::uint64_t peak_resident_kib(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6));
  }
  return 0;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string run(const std::string& command) {
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    ::pclose(pipe);
  }
  return output;
}

std::string make_test_certificates(const std::string& script,
                                   const std::filesystem::path& directory) {
  return run(script + " '" + directory.string() + "' 2>&1; echo exit=$?");
}

}  // namespace spwf::testing
