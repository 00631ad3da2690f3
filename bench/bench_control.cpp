// bench_control: what the control interface and the console line options cost, and how exact
// they are. Figures only (never pass/fail on timings); targets printed beside them.
//   (a) console round trip ("AT\r" -> "AT-S.OK") and SOCKW throughput to a loopback sink,
//       without --control and with --control open and a client connected, no rules (target:
//       within 5 %);
//   (b) a latency rule of 20 ms (down) on an echo: the added latency measured from SOCKW to
//       +WIND:55, against the same without the rule (target: within 1 ms of 20 ms);
//   (c) --baud 115200: the line rate over `bytes` of console output (AT+S.HELP repeated;
//       target: 11,520 B/s +-2 %).
//
//   bench_control [round trips (default 5000)] [baud bytes (default 1048576)]

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "BenchSupport.hpp"

namespace spwf::bench {
namespace {

constexpr std::chrono::seconds deadline{30};

/// A started emulator with its console open and the boot read, echo off.
struct Run {
  explicit Run(const std::vector<std::string>& arguments)
      : emulator(emulator_path(SPWF04EMU_PATH), state.path(), arguments),
        console(open_slave(emulator.pty_path())) {
    wait_for_boot(console.get(), buffer, deadline);
    run_command(console.get(), buffer, "AT+S.SCFG=console_echo,0", deadline);
  }
  TemporaryDirectory state;
  EmulatorChild emulator;
  FileDescriptor console;
  std::string buffer;
};

FileDescriptor connect_control(const std::string& path) {
  FileDescriptor fd{::socket(AF_UNIX, SOCK_STREAM, 0)};
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw system_failure("connect " + path);
  }
  return fd;
}

void control_request(int fd, std::string& buffer, const std::string& line) {
  write_all(fd, line + "\n");
  const auto reply = read_line(fd, buffer, std::chrono::milliseconds{5000});
  if (!reply || reply->find("\"ok\"") == std::string::npos) {
    throw std::runtime_error("control: " + line + " -> " + reply.value_or("(nothing)"));
  }
}

double round_trip_p50(Run& run, std::size_t count) {
  std::vector<double> samples;
  for (std::size_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    write_all(run.console.get(), "AT\r");
    if (!read_until(run.console.get(), run.buffer, "AT-S.OK\r\n", deadline)) {
      throw std::runtime_error("no AT-S.OK");
    }
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return summarize(samples).p50;
}

/// Bytes per second of SOCKW (1460-byte pieces, each waiting for its OK) into a sink.
double sockw_rate(Run& run, std::size_t total) {
  LoopbackServer sink{[](int fd) {
    char block[65536];
    while (::read(fd, block, sizeof block) > 0) {
    }
  }};
  run_command(run.console.get(), run.buffer,
              "AT+S.SOCKON=127.0.0.1," + std::to_string(sink.port()) + ",,t", deadline);
  const std::string piece(1460, 'x');
  const std::string command = "AT+S.SOCKW=0,1460\r" + piece;
  const auto start = Clock::now();
  for (std::size_t sent = 0; sent < total; sent += piece.size()) {
    write_all(run.console.get(), command);
    if (!read_until(run.console.get(), run.buffer, "AT-S.OK\r\n", deadline)) {
      throw std::runtime_error("SOCKW: no OK");
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run_command(run.console.get(), run.buffer, "AT+S.SOCKC=0", deadline);
  return static_cast<double>(total) / seconds;
}

/// Median time (ms) from SOCKW of one byte to its echo's +WIND:55, over `count` exchanges.
double echo_ms(Run& run, std::size_t count) {
  LoopbackServer echo{echo_handler};
  run_command(run.console.get(), run.buffer,
              "AT+S.SOCKON=127.0.0.1," + std::to_string(echo.port()) + ",,t", deadline);
  std::vector<double> samples;
  for (std::size_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    write_all(run.console.get(), "AT+S.SOCKW=0,1\rx");
    if (!read_until(run.console.get(), run.buffer, "+WIND:55:Pending Data::0:1:1\r\n", deadline)) {
      throw std::runtime_error("no +WIND:55");
    }
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    run_command(run.console.get(), run.buffer, "AT+S.SOCKR=0,1", deadline);
  }
  run_command(run.console.get(), run.buffer, "AT+S.SOCKC=0", deadline);
  return summarize(samples).p50;
}

void overhead(std::size_t round_trips) {
  Run plain{{}};
  const double plain_rtt = round_trip_p50(plain, round_trips);
  const double plain_rate = sockw_rate(plain, 4u << 20);
  TemporaryDirectory directory;
  const std::string path = (directory.path() / "control.sock").string();
  Run controlled{{"--control", path}};
  FileDescriptor control = connect_control(path);
  std::string replies;
  control_request(control.get(), replies, R"({"id":1,"verb":"ping"})");
  const double control_rtt = round_trip_p50(controlled, round_trips);
  const double control_rate = sockw_rate(controlled, 4u << 20);
  std::printf(
      "(a) console round trip p50: %.1f us without, %.1f us with --control (%+.1f %%; "
      "target within 5 %%)\n",
      plain_rtt, control_rtt, 100.0 * (control_rtt - plain_rtt) / plain_rtt);
  std::printf("    SOCKW to a sink: %.0f B/s without, %.0f B/s with --control (%+.1f %%)\n",
              plain_rate, control_rate, 100.0 * (control_rate - plain_rate) / plain_rate);
}

void latency_rule() {
  TemporaryDirectory directory;
  const std::string path = (directory.path() / "control.sock").string();
  Run run{{"--control", path}};
  FileDescriptor control = connect_control(path);
  std::string replies;
  const double without = echo_ms(run, 200);
  control_request(control.get(), replies,
                  R"({"id":1,"verb":"fault.add","rule":{"kind":"latency","latency_ms":20,)"
                  R"("direction":"down"}})");
  const double with = echo_ms(run, 100);
  std::printf(
      "(b) latency rule 20 ms: echo p50 %.2f ms without, %.2f ms with: added %.2f ms "
      "(target 20 +-1 ms)\n",
      without, with, with - without);
}

void line_rate(std::size_t bytes) {
  Run run{{"--baud", "115200"}};
  // One HELP answer's size, then enough HELP commands sent at once to keep the line busy (their
  // 10 bytes each fit the module's receive buffer).
  const std::string one = run_command(run.console.get(), run.buffer, "AT+S.HELP", deadline);
  const std::size_t answer = one.size() + 9;
  const std::size_t commands = (bytes + answer - 1) / answer;
  std::string batch;
  for (std::size_t i = 0; i < commands; ++i) batch += "AT+S.HELP\r";
  run.buffer.clear();
  write_all(run.console.get(), batch);
  std::size_t received = 0;
  Clock::time_point first{};
  std::size_t first_bytes = 0;
  while (received < commands * answer) {
    std::string chunk;
    if (!fill(run.console.get(), chunk, Clock::now() + std::chrono::seconds{10})) {
      throw std::runtime_error("--baud: output stopped after " + std::to_string(received));
    }
    if (received == 0) {
      first = Clock::now();
      first_bytes = chunk.size();
    }
    received += chunk.size();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - first).count();
  const double rate = static_cast<double>(received - first_bytes) / seconds;
  std::printf("(c) --baud 115200: %zu bytes at %.0f B/s (%+.2f %% of 11,520; target +-2 %%)\n",
              received, rate, 100.0 * (rate - 11520.0) / 11520.0);
}

int run_all(int argc, char** argv) {
  const std::size_t round_trips = argc > 1 ? positive_number(argv[1]).value_or(5000) : 5000;
  const std::size_t baud_bytes = argc > 2 ? positive_number(argv[2]).value_or(1 << 20) : 1 << 20;
  overhead(round_trips);
  latency_rule();
  line_rate(baud_bytes);
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  try {
    return spwf::bench::run_all(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_control: %s\n", error.what());
    return 1;
  }
}
