// bench_fleet: many modules on one host (issue 16). Starts N emulators, each with its own pty and
// state directory (--boot instant), opens 8 TCP sockets in each to one loopback sink, and prints:
//   (a) start-up: exec to `+WIND:0:Console active` read on the pty, p50/p99/max over the N;
//   (b) memory: total proportional (Pss) and private memory of the N processes, and per module;
//   (c) idle: CPU time and wake-ups (voluntary context switches) of all N over an idle window,
//       with the hosts attached and again after every host has closed its pty;
//   (d) one module's AT round trip p50/p99 (one AT every 2 ms, as a polling host), then the same
//       over a bare pty answered by a forked process, while the N-1 others (or the first S of
//       them) stream SOCKW at the real UART rate (115200 8N1: 11,520 bytes/s each, in 730-byte
//       SOCKWs), and the streaming emulators' CPU time per SOCKW: S shows how many streams the
//       machine carries within a given round trip, and the bare pty what any process gets.
// It never fails on timings, only when an emulator cannot be started or stops answering.
//
//   bench_fleet [modules (default 100)] [idle seconds (default 10)] [streaming S (default N-1)]

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "BenchSupport.hpp"
#include "PayloadSupport.hpp"

namespace spwf::bench {
namespace {

using namespace payload;
using std::chrono::duration;

constexpr unsigned sockets_per_module = 8;
constexpr std::size_t piece = 730;                 // the mbed driver's SOCKW size
constexpr double uart_bytes_per_second = 11520.0;  // 115200 baud, 10 bits per byte
constexpr std::size_t probe_count = 2500;
constexpr std::chrono::milliseconds probe_interval{2};  // 2,500 probes take 5 s at least

/// One thread that accepts every connection on 127.0.0.1:<ephemeral> and discards what arrives
/// (thousands of sockets, so no thread per connection).
class DrainServer {
 public:
  DrainServer() {
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(m_listener, 4096) != 0 ||
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw system_failure("drain server");
    }
    m_port = ntohs(address.sin_port);
    m_epoll = ::epoll_create1(0);
    epoll_event event{EPOLLIN, {.fd = m_listener}};
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listener, &event);
    m_thread = std::thread([this] { run(); });
  }
  ~DrainServer() {
    m_stop = true;
    m_thread.join();
    for (int fd : m_connections) ::close(fd);
    ::close(m_epoll);
    ::close(m_listener);
  }
  std::uint16_t port() const { return m_port; }

 private:
  void run() {
    epoll_event events[64];
    char block[65536];
    while (!m_stop) {
      const int count = ::epoll_wait(m_epoll, events, 64, 100);
      for (int i = 0; i < count; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_listener) {
          for (int client;
               (client = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
            epoll_event event{EPOLLIN, {.fd = client}};
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, client, &event);
            m_connections.push_back(client);
          }
          continue;
        }
        while (::read(fd, block, sizeof block) > 0) {
        }
      }
    }
  }

  int m_listener = -1;
  int m_epoll = -1;
  std::uint16_t m_port = 0;
  std::vector<int> m_connections;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

/// One running module and its console.
struct Module {
  TemporaryDirectory state;
  std::unique_ptr<EmulatorChild> child;
  std::unique_ptr<ModuleConsole> console;
};

/// A number from /proc/<pid>/<file> on the line starting with `key` (kB for smaps_rollup).
long proc_field(pid_t pid, const char* file, const std::string& key) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/" + file};
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(key)) return std::stol(line.substr(key.size()));
  }
  return 0;
}

/// utime + stime of a process, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  std::istringstream fields{text.substr(text.rfind(')') + 2)};
  std::string field;
  long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::stol(field);
    if (index == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

struct Activity {
  long ticks = 0;
  long wakeups = 0;
};

Activity activity(const std::vector<std::unique_ptr<Module>>& modules) {
  Activity total;
  for (const auto& module : modules) {
    total.ticks += cpu_ticks(module->child->pid());
    total.wakeups += proc_field(module->child->pid(), "status", "voluntary_ctxt_switches:");
  }
  return total;
}

/// (c) CPU time and wake-ups of all modules over `seconds` of idleness.
void print_idle(const char* name, const std::vector<std::unique_ptr<Module>>& modules,
                std::size_t seconds) {
  const Activity before = activity(modules);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the idle window measured
  const Activity after = activity(modules);
  const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::printf("%-16s over %zu s: CPU %.2f %% of one core for all %zu, %.2f wake-ups/s per module\n",
              name, seconds,
              100.0 * double(after.ticks - before.ticks) / ticks_per_second / double(seconds),
              modules.size(),
              double(after.wakeups - before.wakeups) / double(seconds) / double(modules.size()));
}

/// (a) Starts one module and times exec to `Console active`; then echo off, WINDs masked, and
/// 8 sockets to the sink.
double start_module(Module& module, std::uint16_t sink_port) {
  const auto start = Clock::now();
  module.child =
      std::make_unique<EmulatorChild>(emulator_path(SPWF04EMU_PATH), module.state.path());
  module.console = std::make_unique<ModuleConsole>(module.child->pty_path());
  while (module.console->next_line() != "+WIND:0:Console active") {
  }
  const double milliseconds = duration<double, std::milli>(Clock::now() - start).count();
  module.console->prepare();
  for (unsigned socket = 0; socket < sockets_per_module; ++socket) {
    module.console->open_socket("127.0.0.1", sink_port, "t");
  }
  return milliseconds;
}

/// (d) Streams SOCKW=0,730 on every module but the first, each at the UART rate, until `stop`:
/// one thread; answers are drained as epoll reports them (a module that falls behind shows as a
/// lower rate), so the bench's own cost grows with the commands, not with the modules.
void stream_at_uart_rate(std::vector<std::unique_ptr<Module>>& modules, std::size_t streams,
                         std::atomic<bool>& stop, std::atomic<std::size_t>& written) {
  const std::size_t end = std::min(modules.size(), streams + 1);
  const std::string command =
      "AT+S.SOCKW=0," + std::to_string(piece) + "\r" + std::string(piece, 'x');
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      duration<double>(command.size() / uart_bytes_per_second));
  const int answers = ::epoll_create1(EPOLL_CLOEXEC);
  if (answers < 0) throw system_failure("epoll_create1");
  for (std::size_t index = 1; index < end; ++index) {
    epoll_event event{EPOLLIN, {.fd = modules[index]->console->fd()}};
    ::epoll_ctl(answers, EPOLL_CTL_ADD, event.data.fd, &event);
  }
  // Spread the first commands over one interval, so the modules do not all write at once.
  std::vector<Clock::time_point> next(modules.size());
  const auto begin = Clock::now();
  for (std::size_t index = 1; index < end; ++index) {
    next[index] = begin + interval * static_cast<long>(index) / static_cast<long>(end);
  }
  std::vector<epoll_event> ready(256);
  char drop[4096];
  while (!stop) {
    const int count = ::epoll_wait(answers, ready.data(), static_cast<int>(ready.size()), 1);
    for (int i = 0; i < count; ++i) {
      (void)!::read(ready[i].data.fd, drop, sizeof drop);  // one read: level-triggered, no block
    }
    const auto now = Clock::now();
    for (std::size_t index = 1; index < end; ++index) {
      if (now < next[index]) continue;
      write_all(modules[index]->console->fd(), command);
      written += piece;
      next[index] += interval;
    }
  }
  ::close(answers);
}

/// (d) The first module's AT round trip, in microseconds, one every `probe_interval`.
Summary probe_round_trips(ModuleConsole& console) {
  std::vector<double> samples;
  auto next = Clock::now();
  for (std::size_t i = 0; i < probe_count; ++i) {
    std::this_thread::sleep_until(next);  // a probe every 2 ms, as a polling host would
    next += probe_interval;
    const auto start = Clock::now();
    console.command("AT");
    samples.push_back(duration<double, std::micro>(Clock::now() - start).count());
  }
  return summarize(std::move(samples));
}

/// (d) The same paced round trip over a bare pty whose other end is a forked process that
/// answers each CR with "AT-S.OK\r\n": what this machine's ptys and scheduler give any
/// process, beside module 0's figure.
Summary probe_bare_pty() {
  auto [master, slave] = open_pty_pair();
  const pid_t responder = ::fork();
  if (responder < 0) throw system_failure("fork");
  if (responder == 0) {
    slave.reset();
    char chunk[512];
    for (;;) {
      const ssize_t received = ::read(master.get(), chunk, sizeof chunk);
      if (received < 0 && errno == EINTR) continue;
      if (received <= 0) ::_exit(0);
      for (ssize_t index = 0; index < received; ++index) {
        if (chunk[index] == '\r' && ::write(master.get(), "AT-S.OK\r\n", 9) != 9) ::_exit(1);
      }
    }
  }
  master.reset();
  std::vector<double> samples;
  auto next = Clock::now();
  std::string buffer;
  for (std::size_t i = 0; i < probe_count; ++i) {
    std::this_thread::sleep_until(next);
    next += probe_interval;
    const auto start = Clock::now();
    write_all(slave.get(), "AT\r");
    if (!read_until(slave.get(), buffer, "AT-S.OK\r\n", std::chrono::seconds(10))) {
      throw std::runtime_error("the bare pty's responder stopped answering");
    }
    samples.push_back(duration<double, std::micro>(Clock::now() - start).count());
  }
  slave.reset();
  ::kill(responder, SIGKILL);
  ::waitpid(responder, nullptr, 0);
  return summarize(std::move(samples));
}

int run(std::size_t count, std::size_t idle_seconds, std::size_t streams) {
  streams = std::min(streams, count - 1);
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  std::printf("bench_fleet: %zu modules, %u TCP sockets each, --boot instant\n", count,
              sockets_per_module);
  DrainServer sink;
  std::vector<std::unique_ptr<Module>> modules;
  std::vector<double> start_ms;
  const auto fleet_start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    modules.push_back(std::make_unique<Module>());
    start_ms.push_back(start_module(*modules.back(), sink.port()));
  }
  const double fleet_seconds = duration<double>(Clock::now() - fleet_start).count();
  const Summary startup = summarize(start_ms);
  std::printf(
      "start-up         exec to Console active p50=%.1f ms p99=%.1f ms max=%.1f ms; all %zu "
      "up with sockets in %.1f s\n",
      startup.p50, startup.p99, startup.max, count, fleet_seconds);

  long pss = 0, private_kb = 0;
  for (const auto& module : modules) {
    const pid_t pid = module->child->pid();
    pss += proc_field(pid, "smaps_rollup", "Pss:");
    private_kb += proc_field(pid, "smaps_rollup", "Private_Clean:") +
                  proc_field(pid, "smaps_rollup", "Private_Dirty:");
  }
  std::printf(
      "memory           Pss %.1f MB, private %.1f MB in total; per module Pss %.0f kB, "
      "private %.0f kB\n",
      pss / 1024.0, private_kb / 1024.0, double(pss) / count, double(private_kb) / count);

  print_idle("idle, host on", modules, idle_seconds);

  std::atomic<bool> stop{false};
  std::atomic<std::size_t> written{0};
  const auto streaming_cpu = [&] {
    double total = 0;
    for (std::size_t index = 1; index < modules.size(); ++index) {
      total += process_cpu_seconds(modules[index]->child->pid());
    }
    return total;
  };
  const double cpu_before = streaming_cpu();
  std::thread streamer{[&] { stream_at_uart_rate(modules, streams, stop, written); }};
  const auto stream_start = Clock::now();
  const Summary probe = probe_round_trips(*modules.front()->console);
  const Summary bare = probe_bare_pty();
  stop = true;
  streamer.join();
  const double stream_seconds = duration<double>(Clock::now() - stream_start).count();
  const double cpu_seconds = streaming_cpu() - cpu_before;
  const double commands = double(written) / double(piece);
  std::printf(
      "round trip       module 0 AT p50=%.1f us p99=%.1f us max=%.1f us while %zu others "
      "streamed SOCKW (%.0f B/s each, target %.0f)\n",
      probe.p50, probe.p99, probe.max, streams,
      streams > 0 ? written / stream_seconds / double(streams) : 0.0, uart_bytes_per_second);
  std::printf(
      "%-16s a bare pty (a forked process answering) meanwhile: p50=%.1f us p99=%.1f us "
      "max=%.1f us\n",
      "", bare.p50, bare.p99, bare.max);
  std::printf(
      "%-16s %.0f SOCKW/s in all over %.1f s; the %zu other emulators used %.0f %% of one core, "
      "%.1f us per SOCKW\n",
      "", commands / stream_seconds, stream_seconds, count - 1,
      100.0 * cpu_seconds / stream_seconds, commands > 0 ? 1e6 * cpu_seconds / commands : 0.0);

  // The hosts leave (every console closed); the modules stay up with their sockets.
  for (auto& module : modules) module->console.reset();
  print_idle("idle, no host", modules, idle_seconds);
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t count = 100;
  std::size_t idle_seconds = 10;
  std::size_t streams = static_cast<std::size_t>(-1);
  const char* usage =
      "usage: %s [modules (default 100)] [idle seconds (default 10)] [streaming (default all "
      "but one)]\n";
  if (argc > 4) return std::fprintf(stderr, usage, argv[0]), 2;
  if (argc > 1) {
    const auto parsed = spwf::bench::positive_number(argv[1]);
    if (!parsed) return std::fprintf(stderr, usage, argv[0]), 2;
    count = *parsed;
  }
  if (argc > 2) {
    const auto parsed = spwf::bench::positive_number(argv[2]);
    if (!parsed) return std::fprintf(stderr, usage, argv[0]), 2;
    idle_seconds = *parsed;
  }
  if (argc > 3) {
    const auto parsed = spwf::bench::positive_number(argv[3]);
    if (!parsed && std::string_view{argv[3]} != "0") return std::fprintf(stderr, usage, argv[0]), 2;
    streams = parsed.value_or(0);
  }
  ::signal(SIGPIPE, SIG_IGN);
  try {
    return spwf::bench::run(count, idle_seconds, streams);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench_fleet: error: %s\n", failure.what());
    return 1;
  }
}
