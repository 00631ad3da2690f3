// bench_console: what the emulator costs a host on its console.
//   (a) a bare pty round trip: "AT\r" from the slave side, "AT-S.OK\r\n" from a thread echoing on
//       the master side; the floor any pty-based console can reach on this machine;
//   (b) the same exchange against the real spwf04emu (--boot instant, echo off);
//   (c) the emulator's resident memory when idle after boot (VmRSS).
// It prints figures and the targets beside them (p50 within 2x of bare, RSS <= 8 MB); it never
// fails on timings, only when the emulator cannot be started or stops answering.
//
//   bench_console [round trips (default 10000)]

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "BenchSupport.hpp"

namespace spwf::bench {
namespace {

constexpr std::string_view command = "AT\r";
constexpr std::string_view reply = "AT-S.OK\r\n";
constexpr std::size_t warm_up_round_trips = 500;
constexpr std::chrono::seconds answer_deadline{5};

/// Times `count` exchanges of "AT\r" for "AT-S.OK\r\n" on `fd`, in microseconds, after a
/// warm-up that is not recorded.
std::vector<double> time_round_trips(int fd, std::size_t count) {
  std::vector<double> samples;
  samples.reserve(count);
  std::string buffer;
  buffer.reserve(256);
  for (std::size_t round = 0; round < warm_up_round_trips + count; ++round) {
    const auto start = Clock::now();
    write_all(fd, command);
    if (!read_until(fd, buffer, reply, answer_deadline)) {
      throw std::runtime_error("no AT-S.OK within " + std::to_string(answer_deadline.count()) +
                               " s at round trip " + std::to_string(round) + "; got \"" + buffer +
                               "\"");
    }
    const auto elapsed = std::chrono::duration<double, std::micro>(Clock::now() - start);
    if (!buffer.empty()) throw std::runtime_error("unexpected bytes: \"" + buffer + "\"");
    if (round >= warm_up_round_trips) samples.push_back(elapsed.count());
  }
  return samples;
}

/// (a) A pty pair in this process: a thread on the master answers each CR with the reply.
std::vector<double> bare_pty_round_trips(std::size_t count) {
  auto [master, slave] = open_pty_pair();

  // The echoing side stops when the slave is closed (the master then reads EIO or 0).
  std::thread responder{[fd = master.get()] {
    char chunk[512];
    for (;;) {
      const ssize_t received = ::read(fd, chunk, sizeof chunk);
      if (received < 0 && errno == EINTR) continue;
      if (received <= 0) return;
      for (ssize_t index = 0; index < received; ++index) {
        if (chunk[index] == '\r') write_all(fd, reply);
      }
    }
  }};
  std::vector<double> samples;
  try {
    samples = time_round_trips(slave.get(), count);
  } catch (...) {
    slave.reset();
    responder.join();
    throw;
  }
  slave.reset();
  responder.join();
  return samples;
}

/// What was measured against the emulator.
struct EmulatorFigures {
  std::vector<double> samples;
  std::optional<long> idle_rss_kb;
  std::optional<long> rss_after_kb;
};

/// (b) and (c): boots spwf04emu, turns echo off, reads its idle RSS, times the round trips.
EmulatorFigures emulator_round_trips(std::size_t count) {
  TemporaryDirectory state_dir;
  EmulatorChild emulator{emulator_path(SPWF04EMU_PATH), state_dir.path()};
  FileDescriptor host = open_slave(emulator.pty_path());
  std::string buffer;
  wait_for_boot(host.get(), buffer, answer_deadline);
  // Echo off, and every indication masked (as the mbed driver does around socket reads), so
  // the timed exchanges are exactly "AT\r" and "AT-S.OK\r\n".
  for (const std::string_view setup :
       {"AT+S.SCFG=console_echo,0\r", "AT+S.SCFG=console_wind_off_low,0xFFFFFFFF\r",
        "AT+S.SCFG=console_wind_off_medium,0xFFFFFFFF\r",
        "AT+S.SCFG=console_wind_off_high,0xFFFFFFFF\r"}) {
    write_all(host.get(), setup);
    if (!read_until(host.get(), buffer, reply, answer_deadline) || !buffer.empty()) {
      throw std::runtime_error("\"" + std::string{setup.substr(0, setup.size() - 1)} +
                               "\" failed; got \"" + buffer + "\"");
    }
  }
  EmulatorFigures figures;
  figures.idle_rss_kb = resident_kilobytes(emulator.pid());
  figures.samples = time_round_trips(host.get(), count);
  figures.rss_after_kb = resident_kilobytes(emulator.pid());
  return figures;
}

int run(std::size_t count) {
  std::printf(
      "bench_console: %zu round trips of \"AT\\r\" -> \"AT-S.OK\\r\\n\" each (after %zu "
      "warm-up)\n",
      count, warm_up_round_trips);
  const Summary bare = summarize(bare_pty_round_trips(count));
  const EmulatorFigures emulator = emulator_round_trips(count);
  const Summary emulated = summarize(emulator.samples);
  const double ratio = bare.p50 > 0 ? emulated.p50 / bare.p50 : 0;
  std::printf(
      "pty round trip  bare p50=%.1f us p99=%.1f us max=%.1f us | emulator p50=%.1f us "
      "p99=%.1f us max=%.1f us | ratio p50=%.2fx (target <= 2x)%s\n",
      bare.p50, bare.p99, bare.max, emulated.p50, emulated.p99, emulated.max, ratio,
      ratio <= 2.0 ? "" : "  ** above target **");
  const long target_kb = 8192;
  const bool rss_ok = emulator.idle_rss_kb && *emulator.idle_rss_kb <= target_kb;
  std::printf("idle RSS: %s (target <= %ld kB)%s; after the round trips: %s\n",
              kilobytes_text(emulator.idle_rss_kb).c_str(), target_kb,
              rss_ok ? "" : "  ** above target **", kilobytes_text(emulator.rss_after_kb).c_str());
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t count = 10000;
  if (argc > 1) {
    const auto parsed = spwf::bench::positive_number(argv[1]);
    if (!parsed) {
      std::fprintf(stderr, "usage: %s [round trips (default 10000)]\n", argv[0]);
      return 2;
    }
    count = *parsed;
  }
  try {
    return spwf::bench::run(count);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench_console: error: %s\n", failure.what());
    return 1;
  }
}
