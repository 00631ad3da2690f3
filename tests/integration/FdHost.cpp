#include "tests/integration/FdHost.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "tests/integration/EmulatorProcess.hpp"

extern char** environ;

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

FdHost::~FdHost() {
  if (m_fd >= 0) ::close(m_fd);
}

void FdHost::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(m_fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      ADD_FAILURE() << "write failed: " << std::strerror(errno);
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

int FdHost::fill(Clock::time_point until) {
  pollfd entry{m_fd, POLLIN, 0};
  if (::poll(&entry, 1, remaining_ms(until)) <= 0) return -1;
  char buffer[16384];
  const ssize_t count = ::read(m_fd, buffer, sizeof buffer);
  if (count <= 0) return 0;
  m_unread.append(buffer, static_cast<std::size_t>(count));
  return 1;
}

std::string FdHost::read_until(std::string_view needle, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
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
    if (fill(until) != 1) {
      ADD_FAILURE() << "waiting for \"" << needle << "\"; received: \"" << m_unread << "\"";
      return std::exchange(m_unread, {});
    }
  }
}

bool FdHost::wait_closed(std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    const int result = fill(until);
    if (result == 0) return true;
    if (result < 0) return false;
  }
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "connect to port " << port << ": " << std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t console_port(const std::string& console) {
  return static_cast<std::uint16_t>(std::stoul(console.substr(console.rfind(':') + 1)));
}

bool wait_for_text(const std::filesystem::path& file, std::string_view needle,
                   std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  const int watch = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  // The directory is watched: the file may not exist yet.
  ::inotify_add_watch(watch, file.parent_path().c_str(), IN_MODIFY | IN_CREATE);
  bool found = false;
  while (!(found = file_text(file).find(needle) != std::string::npos)) {
    pollfd entry{watch, POLLIN, 0};
    if (::poll(&entry, 1, remaining_ms(until)) <= 0) break;
    char events[4096];
    while (::read(watch, events, sizeof events) > 0) {
    }
  }
  ::close(watch);
  return found;
}

std::uint16_t wait_for_port(const std::filesystem::path& file, std::string_view prefix,
                            std::chrono::milliseconds deadline) {
  if (!wait_for_text(file, prefix, deadline)) return 0;
  const std::string text = file_text(file);  // a trace record is written whole, with its LF
  const auto start = text.find(prefix) + prefix.size();
  const auto end = text.find_first_not_of("0123456789", start);
  if (end == start || end == std::string::npos || end - start > 5) return 0;
  const unsigned long port = std::stoul(text.substr(start, end - start));
  return port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
}

TerminalProcess spawn_on_terminal(const std::vector<std::string>& arguments) {
  TerminalProcess process;
  process.master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (process.master < 0 || ::grantpt(process.master) != 0 || ::unlockpt(process.master) != 0) {
    throw std::runtime_error("no pty for the terminal");
  }
  const std::string slave = ::ptsname(process.master);
  std::vector<std::string> argv_text = {SPWF04EMU_PATH};
  argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& item : argv_text) argv.push_back(item.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, slave.c_str(), O_RDWR, 0);
  posix_spawn_file_actions_adddup2(&actions, STDIN_FILENO, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, STDIN_FILENO, STDERR_FILENO);
  const int spawned = ::posix_spawn(&process.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("posix_spawn failed");
  return process;
}

int wait_process(pid_t pid, std::chrono::milliseconds deadline) {
  // waitpid has no timeout: a pidfd becomes readable when the process exits.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  pollfd entry{pidfd, POLLIN, 0};
  const bool exited = pidfd >= 0 && ::poll(&entry, 1, static_cast<int>(deadline.count())) > 0;
  if (pidfd >= 0) ::close(pidfd);
  if (!exited) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace spwf::testing
