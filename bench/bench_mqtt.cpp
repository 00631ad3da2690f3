// bench_mqtt: MQTT publish throughput through the emulated module, beside mosquitto_pub alone
// against the same broker in the same run, and the emulator's memory with both instances
// subscribed under a flood.
//   AT+S.MQTTCONN=127.0.0.1,<port>,,,,,,,,,,           -> AT-S.On:0 / AT-S.OK
//   AT+S.MQTTPUB=0,bench/<size>,0,0,<size>\r<payload>  -> AT-S.OK   (n times, one after another)
// A mosquitto_sub counting n messages marks the end: the figure is messages (and payload bytes)
// per second from the first MQTTPUB to the broker's delivery of the last one. The same n
// messages from `mosquitto_pub -l` (one connection, one line per message) give the reference.
// The flood: both instances subscribe to bench/flood, mosquitto_pub -l sends m messages of 1 KiB,
// the console is read as fast as it comes; resident memory before and after.
// mosquitto cannot report a port it chose, so a free port is picked and the broker's log says
// whether it could bind it (retried otherwise). Never fails on timings.
//
//   bench_mqtt [messages per size (default 2000)]

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "BenchSupport.hpp"
#include "PayloadSupport.hpp"

namespace spwf::bench {
namespace {

/// A child whose stdin may be written and whose stdout+stderr are read through a pipe.
class Child {
 public:
  explicit Child(std::vector<std::string> arguments, bool with_stdin = false) {
    int out[2], in[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) != 0 || (with_stdin && ::pipe2(in, O_CLOEXEC) != 0)) {
      throw system_failure("pipe");
    }
    m_pid = ::fork();
    if (m_pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      if (with_stdin) ::dup2(in[0], STDIN_FILENO);
      std::vector<char*> argv;
      for (auto& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    m_out = FileDescriptor{out[0]};
    if (with_stdin) {
      ::close(in[0]);
      m_in = FileDescriptor{in[1]};
    }
  }
  ~Child() { stop(SIGKILL); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  /// True once `needle` is in the output; false when the output ends or at the deadline.
  bool wait_for(std::string_view needle, std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    while (m_output.find(needle) == std::string::npos) {
      if (m_out.get() < 0 || !fill(m_out.get(), m_output, until)) return false;
    }
    return true;
  }
  /// Waits for the process to end (its output closes); true if it exited with 0.
  bool wait_exit(std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    while (fill(m_out.get(), m_output, until)) {
    }
    if (Clock::now() >= until) return false;
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  /// Takes what the process has written so far without waiting (keeps its pipe from filling).
  void drain() {
    char chunk[65536];
    for (;;) {
      pollfd entry{m_out.get(), POLLIN, 0};
      if (m_out.get() < 0 || ::poll(&entry, 1, 0) <= 0 || (entry.revents & POLLIN) == 0) return;
      const ssize_t count = ::read(m_out.get(), chunk, sizeof chunk);
      if (count <= 0) return;
      m_output.append(chunk, static_cast<std::size_t>(count));
    }
  }
  int input() const { return m_in.get(); }
  void close_input() { m_in.reset(); }
  void stop(int signal) {
    if (m_pid <= 0) return;
    ::kill(m_pid, signal);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }
  const std::string& output() const { return m_output; }

 private:
  pid_t m_pid = -1;
  FileDescriptor m_out;
  FileDescriptor m_in;
  std::string m_output;
};

std::uint16_t candidate_port() {
  FileDescriptor socket{::socket(AF_INET, SOCK_STREAM, 0)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

/// mosquitto on a free loopback port (the log decides; a failed bind is retried).
std::unique_ptr<Child> start_broker(const std::filesystem::path& directory, std::uint16_t& port) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    port = candidate_port();
    const auto conf = directory / "mosquitto.conf";
    std::ofstream{conf} << "log_dest stderr\nallow_anonymous true\nmax_queued_messages 100000\n"
                        << "listener " << port << " 127.0.0.1\n";
    auto broker = std::make_unique<Child>(std::vector<std::string>{"mosquitto", "-c", conf});
    if (broker->wait_for(" running", std::chrono::seconds(10))) return broker;
  }
  throw std::runtime_error("mosquitto did not start");
}

/// A subscriber that exits after `count` messages on `topic`; returns once it has subscribed.
std::unique_ptr<Child> counting_subscriber(std::uint16_t port, const std::string& topic,
                                           std::size_t count) {
  // stdbuf: stdout is a pipe, which stdio would buffer until exit.
  auto subscriber = std::make_unique<Child>(std::vector<std::string>{
      "stdbuf", "-o0", "mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port), "-t", topic,
      "-C", std::to_string(count), "-d"});
  if (!subscriber->wait_for("Subscribed (mid", std::chrono::seconds(10))) {
    throw std::runtime_error("mosquitto_sub did not subscribe: " + subscriber->output());
  }
  return subscriber;
}

/// A printable payload of `size` bytes (mosquitto_pub -l sends one line per message).
std::string line_payload(std::size_t size) {
  std::string payload(size, 'x');
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
  return payload;
}

struct Rate {
  double messages = 0;
  double bytes = 0;
};

Rate rate(std::size_t count, std::size_t size, Clock::time_point start) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(count) / seconds, static_cast<double>(count * size) / seconds};
}

Rate through_module(payload::ModuleConsole& console, std::uint16_t port, std::size_t size,
                    std::size_t count) {
  const std::string topic = "bench/" + std::to_string(size);
  auto subscriber = counting_subscriber(port, topic, count);
  const std::string message =
      "AT+S.MQTTPUB=0," + topic + ",0,0," + std::to_string(size) + "\r" + line_payload(size);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    write_all(console.fd(), message);
    if (console.next_line() != "AT-S.OK") throw std::runtime_error("MQTTPUB failed");
    subscriber->drain();
  }
  if (!subscriber->wait_exit(std::chrono::seconds(60))) {
    throw std::runtime_error("the subscriber did not get every message");
  }
  return rate(count, size, start);
}

Rate through_mosquitto_pub(std::uint16_t port, std::size_t size, std::size_t count) {
  const std::string topic = "bench/ref/" + std::to_string(size);
  auto subscriber = counting_subscriber(port, topic, count);
  std::string lines;
  for (std::size_t i = 0; i < count; ++i) lines += line_payload(size) + "\n";
  const auto start = Clock::now();
  Child publisher{{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "-t", topic,
                   "-l", "-q", "0"},
                  true};
  // The lines go in from a thread while this one reads the subscriber, so neither pipe fills.
  std::thread writer{[&] {
    write_all(publisher.input(), lines);
    publisher.close_input();
  }};
  const bool delivered = subscriber->wait_exit(std::chrono::seconds(60));
  const Rate result = rate(count, size, start);
  writer.join();
  if (!delivered) throw std::runtime_error("the reference subscriber did not get every message");
  publisher.wait_exit(std::chrono::seconds(10));
  return result;
}

void flood(payload::ModuleConsole& console, pid_t emulator, std::uint16_t port, std::size_t count) {
  for (int instance = 0; instance < 2; ++instance) {
    console.command("AT+S.MQTTCONN=127.0.0.1," + std::to_string(port) + ",,,,,,,,,,");
  }
  console.command("AT+S.MQTTSUB=0,bench/flood,1");
  console.command("AT+S.MQTTSUB=1,bench/flood,1");
  const auto before = resident_kilobytes(emulator);
  std::string lines;
  for (std::size_t i = 0; i < count; ++i) lines += line_payload(1024) + "\n";
  Child publisher{{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "-t",
                   "bench/flood", "-l", "-q", "1"},
                  true};
  write_all(publisher.input(), lines);
  publisher.close_input();
  // Each message is 16 lines of 64 bytes per instance; read until both have had all of them.
  const std::size_t expected = count * 2 * (1024 / 64);
  std::size_t seen = 0;
  std::optional<long> peak = before;
  const auto start = Clock::now();
  while (seen < expected) {
    if (console.next_line().starts_with("+WIND:86:")) ++seen;
    if (seen % 4096 == 0)
      peak = std::max(peak.value_or(0), resident_kilobytes(emulator).value_or(0));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "flood: %zu x 1 KiB to both instances in %.2f s (%zu +WIND:86 lines); RSS %s before, "
      "peak %s, %s after\n",
      count, seconds, seen, kilobytes_text(before).c_str(), kilobytes_text(peak).c_str(),
      kilobytes_text(resident_kilobytes(emulator)).c_str());
}

int run(std::size_t count) {
  TemporaryDirectory directory;
  std::uint16_t port = 0;
  auto broker = start_broker(directory.path(), port);
  EmulatorChild child{emulator_path(SPWF04EMU_PATH), directory.path() / "state"};
  payload::ModuleConsole console{child.pty_path()};
  console.prepare();
  console.command("AT+S.MQTTCONN=127.0.0.1," + std::to_string(port) + ",,,,,,,,,,");
  std::printf("MQTT publish, QoS 0, %zu messages per size, to a loopback mosquitto:\n", count);
  for (const std::size_t size : {std::size_t{64}, std::size_t{1024}}) {
    const Rate module = through_module(console, port, size, count);
    const Rate reference = through_mosquitto_pub(port, size, count);
    std::printf(
        "  %4zu B: module %8.0f msg/s %8.2f MB/s | mosquitto_pub alone %8.0f msg/s "
        "%8.2f MB/s\n",
        size, module.messages, module.bytes / 1e6, reference.messages, reference.bytes / 1e6);
  }
  console.command("AT+S.MQTTDISC=0");
  flood(console, child.pid(), port, count);
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t count = 2000;
  if (argc > 1) {
    const auto given = spwf::bench::positive_number(argv[1]);
    if (!given) {
      std::fprintf(stderr, "usage: %s [messages per size (default 2000)]\n", argv[0]);
      return 2;
    }
    count = *given;
  }
  try {
    return spwf::bench::run(count);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_mqtt: %s\n", error.what());
    return 1;
  }
}
