#include "tests/integration/SmtpPeer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

extern char** environ;

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

SmtpPeer::SmtpPeer(std::vector<std::string> arguments) {
  std::vector<std::string> argv_text = {"/usr/bin/python3", SPWF_SMTP_SERVER};
  argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& item : argv_text) argv.push_back(item.data());
  argv.push_back(nullptr);
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int spawned = ::posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  m_stdout = out_pipe[0];
  if (spawned != 0) throw std::runtime_error("cannot start smtp_server.py");
  const std::string first = read_line(std::chrono::seconds(10));
  if (first.rfind("port ", 0) != 0) throw std::runtime_error("smtp_server.py said: " + first);
  m_port = static_cast<std::uint16_t>(std::stoul(first.substr(5)));
}

SmtpPeer::~SmtpPeer() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    const auto until = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(m_pid, &status, WNOHANG) != m_pid) {
      if (Clock::now() >= until) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &status, 0);
        break;
      }
      pollfd entry{m_stdout, POLLIN, 0};
      char buffer[256];
      if (::poll(&entry, 1, 20) > 0 && ::read(m_stdout, buffer, sizeof buffer) > 0) continue;
    }
  }
  if (m_stdout >= 0) ::close(m_stdout);
}

std::string SmtpPeer::read_line(std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    if (const auto end = m_unread.find('\n'); end != std::string::npos) {
      std::string line = m_unread.substr(0, end);
      m_unread.erase(0, end + 1);
      return line;
    }
    pollfd entry{m_stdout, POLLIN, 0};
    if (::poll(&entry, 1, remaining_ms(until)) <= 0) return {};
    char buffer[4096];
    const ssize_t count = ::read(m_stdout, buffer, sizeof buffer);
    if (count <= 0) return {};
    m_unread.append(buffer, static_cast<std::size_t>(count));
  }
}

}  // namespace spwf::testing
