#include "tests/integration/PeerProcess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

extern char** environ;

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto exit_grace = std::chrono::seconds(5);  // after a signal, before SIGKILL

int remaining_ms(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

PeerProcess::PeerProcess(std::vector<std::string> argv, Output output) {
  if (argv.empty()) throw std::runtime_error("PeerProcess: no program");
  for (const auto& item : argv) m_program += (m_program.empty() ? "" : " ") + item;
  std::vector<char*> pointers;
  for (auto& item : argv) pointers.push_back(item.data());
  pointers.push_back(nullptr);
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  if (output == Output::stdout_and_stderr) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDERR_FILENO);
  }
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int spawned =
      ::posix_spawnp(&m_pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  m_fd = out_pipe[0];
  if (spawned != 0) {
    m_pid = -1;
    ::close(m_fd);
    m_fd = -1;
    throw std::runtime_error("cannot start " + m_program);
  }
  m_pidfd = static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0));
  if (m_pidfd < 0) {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
    ::close(m_fd);
    m_fd = -1;
    throw std::runtime_error("pidfd_open failed for " + m_program);
  }
}

PeerProcess::~PeerProcess() {
  stop(SIGTERM);
}

bool PeerProcess::fill(Clock::time_point until) {
  if (m_fd < 0) return false;
  pollfd entry{m_fd, POLLIN, 0};
  if (::poll(&entry, 1, remaining_ms(until)) <= 0) return false;
  char buffer[65536];
  const ssize_t count = ::read(m_fd, buffer, sizeof buffer);
  if (count <= 0) {
    ::close(m_fd);
    m_fd = -1;
    return false;
  }
  m_output.append(buffer, static_cast<std::size_t>(count));
  return true;
}

bool PeerProcess::read_until(std::string_view needle, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (m_output.find(needle) == std::string::npos) {
    if (!fill(until)) return false;
  }
  return true;
}

std::string PeerProcess::read_line(std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    if (const auto end = m_output.find('\n', m_line_start); end != std::string::npos) {
      std::string line = m_output.substr(m_line_start, end - m_line_start);
      m_line_start = end + 1;
      return line;
    }
    if (!fill(until)) return {};
  }
}

std::uint16_t PeerProcess::read_port(std::string_view prefix, std::chrono::milliseconds deadline) {
  const std::string line = read_line(deadline);
  const std::string digits = line.substr(std::min(prefix.size(), line.size()));
  const bool numeric = !digits.empty() && digits.size() <= 5 &&
                       digits.find_first_not_of("0123456789") == std::string::npos;
  const unsigned long port = numeric ? std::stoul(digits) : 0;
  if (line.rfind(prefix, 0) != 0 || port == 0 || port > 65535) {
    throw std::runtime_error(m_program + " said: " + m_output);
  }
  return static_cast<std::uint16_t>(port);
}

int PeerProcess::wait_exit(std::chrono::milliseconds deadline) {
  if (m_pid <= 0) return -1;
  const auto status = reap_within(Clock::now() + deadline);
  if (!status) {
    stop(SIGKILL);
    return -1;
  }
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

void PeerProcess::stop(int signal) {
  if (m_pid > 0) {
    ::kill(m_pid, signal);
    if (!reap_within(Clock::now() + exit_grace)) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
      m_pid = -1;
    }
  }
  if (m_pidfd >= 0) ::close(m_pidfd);
  m_pidfd = -1;
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

std::optional<int> PeerProcess::reap_within(Clock::time_point until) {
  // waitpid has no timeout: the pidfd becomes readable when the process has exited; the output
  // is drained meanwhile (a child blocked on a full pipe would never exit).
  for (;;) {
    pollfd entries[2] = {{m_pidfd, POLLIN, 0}, {m_fd, POLLIN, 0}};
    const int ready = ::poll(entries, 2, remaining_ms(until));
    if (ready <= 0) return std::nullopt;
    if (entries[1].revents != 0) fill(Clock::now());
    if (entries[0].revents != 0) break;
  }
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  while (fill(Clock::now())) {  // what it wrote before it ended
  }
  return status;
}

std::vector<std::string> python_argv(std::string script, std::vector<std::string> arguments) {
  std::vector<std::string> argv = {"/usr/bin/python3", std::move(script)};
  argv.insert(argv.end(), std::make_move_iterator(arguments.begin()),
              std::make_move_iterator(arguments.end()));
  return argv;
}

}  // namespace spwf::testing
