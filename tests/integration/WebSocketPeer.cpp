#include "tests/integration/WebSocketPeer.hpp"

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

// Starts argv[0] with its stdout (or stderr) on a pipe; returns the pipe's read end.
int spawn(std::vector<std::string> argv_text, int captured, pid_t& pid) {
  std::vector<char*> argv;
  for (auto& item : argv_text) argv.push_back(item.data());
  argv.push_back(nullptr);
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], captured);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    throw std::runtime_error("cannot start " + argv_text[0]);
  }
  return out_pipe[0];
}

// SIGTERM, then up to 5 s for the exit (draining `output` meanwhile), then SIGKILL.
void stop(pid_t pid, int output) {
  ::kill(pid, SIGTERM);
  const auto until = Clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) != pid) {
    if (Clock::now() >= until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    pollfd entry{output, POLLIN, 0};
    char buffer[256];
    if (::poll(&entry, 1, 20) > 0 && ::read(output, buffer, sizeof buffer) > 0) continue;
  }
}

}  // namespace

WebSocketPeer::WebSocketPeer(std::vector<std::string> arguments) {
  std::vector<std::string> argv_text = {"/usr/bin/python3", SPWF_WS_SERVER};
  argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
  m_stdout = spawn(std::move(argv_text), STDOUT_FILENO, m_pid);
  const std::string first = read_line(std::chrono::seconds(10));
  if (first.rfind("port ", 0) != 0) throw std::runtime_error("ws_server.py said: " + first);
  m_port = static_cast<std::uint16_t>(std::stoul(first.substr(5)));
}

WebSocketPeer::~WebSocketPeer() {
  if (m_pid > 0) stop(m_pid, m_stdout);
  if (m_stdout >= 0) ::close(m_stdout);
}

std::string WebSocketPeer::read_line(std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (;;) {
    if (const auto end = m_unread.find('\n'); end != std::string::npos) {
      std::string line = m_unread.substr(0, end);
      m_unread.erase(0, end + 1);
      return line;
    }
    pollfd entry{m_stdout, POLLIN, 0};
    if (::poll(&entry, 1, remaining_ms(until)) <= 0) return {};
    char buffer[512];
    const ssize_t count = ::read(m_stdout, buffer, sizeof buffer);
    if (count <= 0) return {};
    m_unread.append(buffer, static_cast<std::size_t>(count));
  }
}

}  // namespace spwf::testing
