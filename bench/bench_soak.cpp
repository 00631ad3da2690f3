// bench_soak: the emulator under a long mix of commands, garbage and misbehaving peers (issue 10).
// One emulator, one loopback TCP server whose connections take turns at being an echo, a peer
// that resets, a peer that closes at once, a peer that never reads and a peer that floods
// 64 KiB; the
// host opens sockets to it, writes, reads what is pending, closes, sends garbage lines, hostile
// arguments and files, for the given time. It prints the emulator's resident memory and open
// descriptors at the start, every minute and at the end: both must stay flat. It fails only
// when the emulator stops answering (no final line within 30 s) or exits.
//
//   bench_soak [seconds (default 600)]

#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "BenchSupport.hpp"

namespace spwf::bench {
namespace {

constexpr std::chrono::seconds answer_deadline{30};

/// How many descriptors a process has open (entries of /proc/<pid>/fd).
long open_descriptors(pid_t pid) {
  DIR* directory = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (directory == nullptr) return -1;
  long count = 0;
  while (const dirent* entry = ::readdir(directory)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(directory);
  return count;
}

/// Each connection behaves as the next of five peers: echo, reset, close, never read, flood.
void misbehaving_peer(int fd, unsigned turn) {
  char buffer[4096];
  switch (turn % 5) {
    case 0:  // echo
      for (;;) {
        const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
        if (count <= 0 || ::send(fd, buffer, static_cast<std::size_t>(count), MSG_NOSIGNAL) < 0)
          return;
      }
    case 1: {  // reset after the first bytes
      if (::recv(fd, buffer, sizeof buffer, 0) <= 0) return;
      const linger reset{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      return;
    }
    case 2:  // orderly close at once
      ::shutdown(fd, SHUT_RDWR);
      return;
    case 3: {  // never reads: waits for a hang-up (the module's close, or the server's end)
      pollfd wait{fd, POLLRDHUP, 0};
      while (::poll(&wait, 1, -1) == 0 || (wait.revents & (POLLRDHUP | POLLHUP | POLLERR)) == 0) {
      }
      return;
    }
    default: {  // floods 64 KiB as fast as the module takes it, then closes
      const std::string chunk(4096, 'f');
      for (int i = 0; i < 16 && ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) > 0; ++i) {
      }
      return;
    }
  }
}

/// The host's side: one round of mixed traffic. Returns how many command lines it sent.
class Host {
 public:
  Host(int console, std::uint16_t port) : m_console(console), m_port(port) {}

  unsigned round() {
    unsigned lines = 0;
    const std::string open = command("AT+S.SOCKON=127.0.0.1," + std::to_string(m_port) + ",,t");
    ++lines;
    if (open.find("AT-S.OK") != std::string::npos) {
      for (int i = 0; i < 5; ++i, ++lines) {
        command("AT+S.SOCKW=0,730\r" + std::string(730, static_cast<char>('a' + i)), false);
      }
      for (int i = 0; i < 3; ++i, ++lines) command("AT+S.SOCKR=0,0");
      for (int i = 0; i < 100; ++i, ++lines) {
        if (command("AT+S.SOCKC=0").find("77:") == std::string::npos) break;
        command("AT+S.SOCKR=0,0");
        ++lines;
      }
    }
    command("AT+S.SOCKC=0");
    noise();
    command("AT+S.FSC=/soak.txt,100\r" + std::string(100, 'x'), false);
    command("AT+S.FSD=/soak.txt");
    command("AT+S.STS=free_heap");
    command("AT+S.SCFG=user_desc,18446744073709551616");
    command("AT+S.CMDREQ=16\r0123456789abcdef", false);
    return lines + 8;
  }

 private:
  /// Sends `text` (plus CR unless `raw`) and reads through the final line.
  std::string command(const std::string& text, bool add_cr = true) {
    write_all(m_console, add_cr ? text + "\r" : text);
    const auto until = Clock::now() + answer_deadline;
    for (;;) {
      for (std::string_view ending :
           {std::string_view{"AT-S.OK\r\n"}, std::string_view{"AT-S.ERROR"}}) {
        const auto at = m_buffer.find(ending);
        if (at == std::string::npos) continue;
        const auto end = m_buffer.find("\r\n", at);
        if (end == std::string::npos) continue;
        std::string answer = m_buffer.substr(0, end + 2);
        m_buffer.erase(0, end + 2);
        return answer;
      }
      if (!fill(m_console, m_buffer, until)) {
        throw std::runtime_error("no final line after \"" + text.substr(0, 40) + "\"");
      }
    }
  }
  /// Line noise: random bytes without 'A', 'a', '!' or CR, so nothing in it can start, repeat
  /// or end a command; then CR LF "AT" CR, after which the console is in step again whatever
  /// state the noise left the line editor in (a junk line then answers ERROR:1 before the OK).
  void noise() {
    std::string bytes(64 + m_random() % 512, '\0');
    for (auto& byte : bytes) {
      do {
        byte = static_cast<char>(m_random() % 256);
      } while (byte == 'A' || byte == 'a' || byte == '!' || byte == '\r');
    }
    write_all(m_console, bytes + "\r\nAT\r");
    if (!read_until(m_console, m_buffer, "AT-S.OK\r\n", answer_deadline)) {
      throw std::runtime_error("no AT-S.OK after line noise");
    }
  }

  int m_console;
  std::uint16_t m_port;
  std::string m_buffer;
  std::mt19937 m_random{20261201};
};

void report(const char* when, pid_t pid, double seconds, unsigned long lines) {
  std::printf("%-6s t=%6.0f s  lines=%8lu  rss=%s  fds=%ld\n", when, seconds, lines,
              kilobytes_text(resident_kilobytes(pid)).c_str(), open_descriptors(pid));
  std::fflush(stdout);
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  using namespace spwf::bench;
  const auto seconds = argc > 1 ? positive_number(argv[1]) : std::optional<std::size_t>{600};
  if (!seconds) {
    std::fprintf(stderr, "usage: bench_soak [seconds]\n");
    return 2;
  }
  try {
    std::atomic<unsigned> turns{0};
    LoopbackServer server{[&turns](int fd) { misbehaving_peer(fd, turns++); }};
    TemporaryDirectory state;
    EmulatorChild emulator{emulator_path(SPWF04EMU_PATH), state.path()};
    FileDescriptor console = open_slave(emulator.pty_path());
    std::string buffer;
    wait_for_boot(console.get(), buffer, std::chrono::seconds(10));
    run_command(console.get(), buffer, "AT+S.SCFG=console_echo,0", std::chrono::seconds(5));
    Host host{console.get(), server.port()};
    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(*seconds);
    auto next_report = start;
    unsigned long lines = 0;
    report("start", emulator.pid(), 0, lines);
    while (Clock::now() < end) {
      lines += host.round();
      if (Clock::now() >= next_report + std::chrono::minutes(1)) {
        next_report = Clock::now();
        report("", emulator.pid(), std::chrono::duration<double>(Clock::now() - start).count(),
               lines);
      }
    }
    report("end", emulator.pid(), std::chrono::duration<double>(Clock::now() - start).count(),
           lines);
    std::printf("target: rss and fds at the end as at the start (flat)\n");
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_soak: %s\n", error.what());
    return 1;
  }
}
