#include "BenchSupport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <utility>

extern char** environ;

namespace spwf::bench {

FileDescriptor::FileDescriptor(FileDescriptor&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)) {}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

void FileDescriptor::reset() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

std::runtime_error system_failure(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

void make_raw(int fd) {
  termios settings{};
  if (::tcgetattr(fd, &settings) != 0) throw system_failure("tcgetattr");
  ::cfmakeraw(&settings);
  if (::tcsetattr(fd, TCSANOW, &settings) != 0) throw system_failure("tcsetattr");
}

FileDescriptor open_slave(const std::string& path) {
  FileDescriptor slave{::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (slave.get() < 0) throw system_failure("open " + path);
  make_raw(slave.get());
  return slave;
}

PtyPair open_pty_pair() {
  FileDescriptor master{::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (master.get() < 0) throw system_failure("posix_openpt");
  if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) {
    throw system_failure("grantpt/unlockpt");
  }
  const char* name = ::ptsname(master.get());
  if (name == nullptr) throw system_failure("ptsname");
  // The slave's line discipline is the only one on the pair; raw mode passes bytes unchanged.
  FileDescriptor slave = open_slave(name);
  return {std::move(master), std::move(slave)};
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

bool fill(int fd, std::string& buffer, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[4096];
    const ssize_t count = ::read(fd, chunk, sizeof chunk);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(count));
    return true;
  }
}

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

Summary summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double fraction) {
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1));
    return samples[index];
  };
  return {at(0.50), at(0.99), samples.back()};
}

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "spwf-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw system_failure("mkdtemp");
  m_path = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(m_path, ignored);
}

std::optional<std::size_t> positive_number(const char* text) {
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || parsed == 0) return std::nullopt;
  return static_cast<std::size_t>(parsed);
}

std::string emulator_path(const std::string& built) {
  const char* override_path = std::getenv("SPWF_BENCH_EMULATOR");
  return override_path != nullptr && *override_path != '\0' ? override_path : built;
}

EmulatorChild::EmulatorChild(const std::string& emulator_path,
                             const std::filesystem::path& state_dir,
                             const std::vector<std::string>& extra_arguments) {
  std::vector<std::string> arguments = {emulator_path, "--boot", "instant", "--state-dir",
                                        state_dir.string()};
  arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
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
    throw std::runtime_error("cannot start " + emulator_path + ": " + std::strerror(spawned));
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

EmulatorChild::~EmulatorChild() {
  stop();
}

void EmulatorChild::stop() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGTERM);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
}

void wait_for_boot(int console, std::string& buffer, std::chrono::milliseconds deadline) {
  // The factory boot ends with the join and the NTP delivery that follows it.
  if (!read_until(console, buffer, "+WIND:84:NTP Server delivery:", deadline) ||
      !read_until(console, buffer, "\r\n", deadline)) {
    throw std::runtime_error("spwf04emu did not boot and join; got \"" + buffer + "\"");
  }
}

std::string run_command(int console, std::string& buffer, std::string_view command,
                        std::chrono::milliseconds deadline) {
  constexpr std::string_view ok = "AT-S.OK\r\n";
  write_all(console, std::string{command} + "\r");
  const auto until = Clock::now() + deadline;
  for (;;) {
    if (const auto found = buffer.find(ok); found != std::string::npos) {
      std::string before = buffer.substr(0, found);
      buffer.erase(0, found + ok.size());
      return before;
    }
    if (buffer.find("AT-S.ERROR") != std::string::npos &&
        buffer.find("\r\n", buffer.find("AT-S.ERROR")) != std::string::npos) {
      throw std::runtime_error("\"" + std::string{command} + "\" failed: \"" + buffer + "\"");
    }
    if (!fill(console, buffer, until)) {
      throw std::runtime_error("no AT-S.OK for \"" + std::string{command} + "\"; got \"" + buffer +
                               "\"");
    }
  }
}

std::optional<long> resident_kilobytes(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return std::nullopt;
}

std::string kilobytes_text(std::optional<long> value) {
  return value ? std::to_string(*value) + " kB" : std::string{"unknown"};
}

LoopbackServer::LoopbackServer(Handler handler) : m_handler(std::move(handler)) {
  m_listener = FileDescriptor{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (m_listener.get() < 0) throw system_failure("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(m_listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw system_failure("bind 127.0.0.1:0");
  }
  if (::listen(m_listener.get(), 16) != 0) throw system_failure("listen");
  socklen_t length = sizeof address;
  if (::getsockname(m_listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw system_failure("getsockname");
  }
  m_port = ntohs(address.sin_port);
  m_thread = std::thread{[this] { accept_loop(); }};
}

LoopbackServer::~LoopbackServer() {
  m_stopping = true;
  // shutdown() on a listening socket wakes a blocked accept() on Linux.
  ::shutdown(m_listener.get(), SHUT_RDWR);
  m_thread.join();
  std::vector<std::thread> connections;
  std::vector<int> open_fds;
  {
    const std::lock_guard lock{m_mutex};
    connections.swap(m_connections);
    open_fds.swap(m_open_fds);
  }
  for (const int fd : open_fds) ::shutdown(fd, SHUT_RDWR);
  for (auto& connection : connections) connection.join();
  for (const int fd : open_fds) ::close(fd);
}

void LoopbackServer::accept_loop() {
  while (!m_stopping) {
    const int fd = ::accept4(m_listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    ++m_accepted;
    const std::lock_guard lock{m_mutex};
    m_open_fds.push_back(fd);
    m_connections.emplace_back([this, fd] { m_handler(fd); });
  }
}

void echo_handler(int fd) {
  char chunk[4096];
  for (;;) {
    const ssize_t received = ::recv(fd, chunk, sizeof chunk, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) return;
    std::size_t sent = 0;
    while (sent < static_cast<std::size_t>(received)) {
      const ssize_t count =
          ::send(fd, chunk + sent, static_cast<std::size_t>(received) - sent, MSG_NOSIGNAL);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return;
      sent += static_cast<std::size_t>(count);
    }
  }
}

double process_cpu_seconds(pid_t pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator{tasks, error}) {
    std::ifstream in{task.path() / "schedstat"};
    unsigned long long on_cpu_ns = 0;
    if (in >> on_cpu_ns) total += static_cast<double>(on_cpu_ns) / 1e9;
  }
  return total;
}

}  // namespace spwf::bench
