// bench_sockets: payload throughput of the emulated module's client sockets over its pty, beside
// what a bare pty carries on this machine in the same run, and the emulator's memory with
// sockets open.
//   (a) bare pty: 4 MiB through a pty pair, a writer thread on one side, a reader on the other,
//       in both directions (streaming); and the same pty driven lock-step in the shape of SOCKW
//       and SOCKR (one command, one answer, no emulator), the ceiling of any host that waits for
//       each answer;
//   (b) capacity, the figures the target applies to (>= 50 % of the streaming bare pty):
//       SOCKW -> TCP sink with the host streaming its SOCKW commands of 730 (and 1500) bytes and
//       reading the OKs as they come (the UART's buffer holds it back, as RTS/CTS does), and
//       chargen -> SOCKR reading all that is pending (AT+S.SOCKR=<id>,0) from a 48,000-byte
//       receive buffer (ip_sock_memsize=32; the module reports about 60 KB of free heap, so it
//       could hold one such buffer);
//   (c) driver-shaped: SOCKW of 730 (and 1500) bytes each waiting for AT-S.OK, and polling
//       AT+S.SOCKR=<id>,730 (and 1500) with the factory 1500-byte buffer, as the mbed driver
//       does; bound by the pty's round trip, so set beside the lock-step bare pty;
//   (d) memory: the emulator's VmRSS idle after boot, with 8 sockets open to a loopback echo
//       server, and with 1500 bytes pending on each of them.
// Every transfer ends at a loopback peer that checks every byte. The program never fails on
// timings, only on protocol errors or a step that takes longer than 10 s.
//
//   bench_sockets [payload bytes (default 4194304)] [filter]
//     with a filter, only the emulator runs whose label contains it ("SOCKW", "SOCKR 1500",
//     "streamed", "memory"); the bare pty figures always run.
//   SPWF_BENCH_EMULATOR=wrapper.sh bench_sockets   # run the emulator through a wrapper
//                                                  # (strace -c, perf record) that execs it

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "BenchSupport.hpp"
#include "PayloadSupport.hpp"

namespace spwf::bench {
namespace {

using payload::bare_pty_lock_step_read;
using payload::bare_pty_lock_step_write;
using payload::bare_pty_stream;
using payload::best_of;
using payload::Direction;
using payload::mss;
using payload::ok_line;
using payload::pattern;
using payload::pattern_byte;
using payload::repetitions;
using payload::seconds_since;
using payload::SinkState;
using payload::step_deadline;
using payload::Throughput;

/// The factory per-socket receive buffer (ip_sock_memsize = 1 -> 1500 bytes).
constexpr std::size_t receive_buffer = 1500;
/// ip_sock_memsize for the capacity read: 32 x 1500 = 48,000 bytes, within the 61,440 bytes of
/// free heap the module reports.
constexpr unsigned large_buffer_units = 32;
/// The host side of the console: the shared one of PayloadSupport.
using Console = payload::ModuleConsole;

/// A booted emulator with its console prepared.
struct Emulator {
  TemporaryDirectory state_dir;
  EmulatorChild child{emulator_path(SPWF04EMU_PATH), state_dir.path()};
  Console console{child.pty_path()};
};

/// What one SOCKW or SOCKR run measured.
struct SocketRun {
  Throughput throughput;
  Summary command_us;  ///< per-command round trip
  std::size_t empty_reads = 0;
  std::size_t read_caps = 0;
  std::size_t indications = 0;
};

/// A loopback server handler that hands everything it receives to `sink` (which checks it).
LoopbackServer::Handler sink_handler(SinkState& sink) {
  return [&sink](int fd) {
    char block[65536];
    for (;;) {
      const ssize_t count = ::recv(fd, block, sizeof block, 0);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return;
      sink.add(std::string_view{block, static_cast<std::size_t>(count)});
    }
  };
}

/// (c) `total` bytes in SOCKW commands of `chunk` bytes to a loopback sink, each waiting for its
/// AT-S.OK.
SocketRun sockw_to_sink(Console& console, std::size_t total, std::size_t chunk) {
  SinkState sink;
  LoopbackServer server{sink_handler(sink)};
  const unsigned id = console.open_socket("127.0.0.1", server.port(), "t");
  console.reset_counters();
  std::vector<double> samples;
  samples.reserve(total / chunk + 1);
  const std::string payload = pattern(0, chunk + 251);
  const auto start = Clock::now();
  for (std::size_t sent = 0; sent < total;) {
    const std::size_t length = std::min(chunk, total - sent);
    const auto round_start = Clock::now();
    console.write_socket(id, std::string_view{payload}.substr(sent % 251, length));
    samples.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - round_start).count());
    sent += length;
  }
  if (!sink.wait_for(total, step_deadline)) {
    throw std::runtime_error("SOCKW: the sink received " + std::to_string(sink.received()) +
                             " of " + std::to_string(total) + " bytes");
  }
  SocketRun run;
  run.throughput = {total, seconds_since(start)};
  if (sink.corrupt()) throw std::runtime_error("SOCKW: the sink received corrupted bytes");
  run.command_us = summarize(std::move(samples));
  run.indications = console.indications();
  console.command("AT+S.SOCKC=" + std::to_string(id));
  return run;
}

/// (b) `total` bytes in SOCKW commands of `chunk` bytes written back to back by a writer thread
/// while this thread reads the answers: a host that streams its commands and lets the UART hold
/// it back (the pty's buffer does that here, as RTS/CTS does on a board) measures what the
/// emulator itself carries, the figure to set beside the bare pty's streaming rate.
SocketRun sockw_streamed(Console& console, std::size_t total, std::size_t chunk) {
  SinkState sink;
  LoopbackServer server{sink_handler(sink)};
  const unsigned id = console.open_socket("127.0.0.1", server.port(), "t");
  console.reset_counters();
  // One write per command, as a driver hands each command to its UART (and as the bare pty
  // figure writes 730-byte pieces).
  std::vector<std::string> commands;
  for (std::size_t sent = 0; sent < total;) {
    const std::size_t length = std::min(chunk, total - sent);
    commands.push_back("AT+S.SOCKW=" + std::to_string(id) + "," + std::to_string(length) + "\r" +
                       pattern(sent, length));
    sent += length;
  }
  const std::size_t rounds = commands.size();
  const auto start = Clock::now();
  std::thread writer{[&console, &commands] {
    try {
      for (const std::string& command : commands) bench::write_all(console.fd(), command);
    } catch (const std::exception&) {
      // The reader below reports the missing answers.
    }
  }};
  try {
    for (std::size_t answered = 0; answered < rounds; ++answered) {
      const std::string line = console.next_line();
      if (line != "AT-S.OK") throw std::runtime_error("streamed SOCKW answered \"" + line + "\"");
    }
  } catch (...) {
    writer.join();
    throw;
  }
  writer.join();
  if (!sink.wait_for(total, step_deadline)) {
    throw std::runtime_error("streamed SOCKW: the sink received " +
                             std::to_string(sink.received()) + " of " + std::to_string(total));
  }
  SocketRun run;
  run.throughput = {total, seconds_since(start)};
  if (sink.corrupt()) throw std::runtime_error("streamed SOCKW: corrupted bytes");
  console.command("AT+S.SOCKC=" + std::to_string(id));
  return run;
}

/// (b, c) A loopback server sends `total` bytes; the host polls SOCKR=<id>,<chunk> (0: all that
/// is pending) until it has them all.
SocketRun chargen_to_sockr(Console& console, std::size_t total, std::size_t chunk) {
  LoopbackServer server{[total](int fd) {
    const std::string block = pattern(0, 65536 + 251);
    for (std::size_t sent = 0; sent < total;) {
      const std::size_t length = std::min<std::size_t>(65536, total - sent);
      const ssize_t count = ::send(fd, block.data() + sent % 251, length, MSG_NOSIGNAL);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return;
      sent += static_cast<std::size_t>(count);
    }
    ::shutdown(fd, SHUT_WR);
  }};
  SinkState sink;
  const unsigned id = console.open_socket("127.0.0.1", server.port(), "t");
  console.reset_counters();
  const std::string command_line =
      "AT+S.SOCKR=" + std::to_string(id) + "," + std::to_string(chunk) + "\r";
  std::vector<double> samples;
  samples.reserve(2 * total / std::max<std::size_t>(chunk, mss) + 1);
  const auto start = Clock::now();
  auto last_progress = start;
  std::size_t received = 0;
  while (received < total) {
    const auto round_start = Clock::now();
    const std::size_t count = console.read_socket(command_line, sink);
    samples.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - round_start).count());
    if (count > 0) {
      received += count;
      last_progress = Clock::now();
    } else if (Clock::now() - last_progress > step_deadline) {
      throw std::runtime_error("SOCKR: nothing new for 10 s after " + std::to_string(received) +
                               " bytes");
    }
  }
  SocketRun run;
  run.throughput = {received, seconds_since(start)};
  if (received != total) throw std::runtime_error("SOCKR: read more than the server sent");
  if (sink.corrupt()) throw std::runtime_error("SOCKR: corrupted bytes");
  run.command_us = summarize(std::move(samples));
  run.empty_reads = console.empty_reads();
  run.read_caps = console.read_caps();
  run.indications = console.indications();
  console.command("AT+S.SOCKC=" + std::to_string(id));
  return run;
}

/// The emulator's resident memory at each stage of (d).
struct MemoryFigures {
  std::optional<long> idle_kb;
  std::optional<long> open_kb;
  std::optional<long> pending_kb;
};

/// (d) A fresh emulator: idle, 8 sockets open to a loopback echo server, then 1500 bytes
/// echoed back to each and left pending.
MemoryFigures memory_with_sockets() {
  Emulator emulator;
  emulator.console.prepare();
  MemoryFigures figures;
  figures.idle_kb = resident_kilobytes(emulator.child.pid());
  LoopbackServer echo{echo_handler};
  std::vector<unsigned> ids;
  for (int index = 0; index < 8; ++index)
    ids.push_back(emulator.console.open_socket("127.0.0.1", echo.port(), "t"));
  figures.open_kb = resident_kilobytes(emulator.child.pid());
  const std::string payload = pattern(0, receive_buffer);
  for (const unsigned id : ids) {
    emulator.console.write_socket(id, payload);
  }
  for (const unsigned id : ids) {
    const auto until = Clock::now() + step_deadline;
    while (emulator.console.query(id) < receive_buffer) {
      if (Clock::now() > until) {
        throw std::runtime_error("socket " + std::to_string(id) + " never had 1500 bytes pending");
      }
    }
  }
  figures.pending_kb = resident_kilobytes(emulator.child.pid());
  return figures;
}

/// A capacity figure (b): the rate beside the streaming bare pty, with the target.
void print_capacity(const std::string& label, const SocketRun& run, const Throughput& bare) {
  const double ratio = bare.rate() > 0 ? 100.0 * run.throughput.rate() / bare.rate() : 0;
  std::printf("%-22s %.2f MB/s | streaming bare pty %.1f MB/s | %.1f %% (target >= 50 %%)%s",
              label.c_str(), run.throughput.rate(), bare.rate(), ratio,
              ratio >= 50 ? "" : "  ** below target **");
  if (run.command_us.p50 > 0) std::printf(" | per command p50=%.1f us", run.command_us.p50);
  std::printf("\n");
}

/// A driver-shaped figure (c): the rate beside the lock-step bare pty (its ceiling) and, for
/// information, beside the streaming one.
void print_driver_shaped(const std::string& label, const SocketRun& run, const Throughput& bare,
                         const Throughput& lock_step) {
  const double rate = run.throughput.rate();
  std::printf(
      "%-22s %.2f MB/s | lock-step bare pty %.2f MB/s: %.1f %% | streaming bare pty: %.1f %% | "
      "per command p50=%.1f us p99=%.1f us",
      label.c_str(), rate, lock_step.rate(),
      lock_step.rate() > 0 ? 100.0 * rate / lock_step.rate() : 0,
      bare.rate() > 0 ? 100.0 * rate / bare.rate() : 0, run.command_us.p50, run.command_us.p99);
  if (run.empty_reads > 0 || run.read_caps > 0) {
    std::printf(" | Empty %zu, Read Cap %zu", run.empty_reads, run.read_caps);
  }
  if (run.indications > 0) std::printf(" | +WIND lines %zu", run.indications);
  std::printf("\n");
}

int run(std::size_t total, std::string_view filter) {
  const auto wanted = [filter](std::string_view label) {
    return filter.empty() || label.find(filter) != std::string_view::npos;
  };
  std::printf(
      "bench_sockets: %zu payload bytes per transfer, each figure the best of %d runs; MB = 10^6 "
      "bytes\n",
      total, repetitions);

  // (a) The bare pty, in the same run.
  const auto bare = [total](std::size_t chunk, Direction direction) {
    return best_of([=] { return bare_pty_stream(total, chunk, direction); });
  };
  const Throughput bare_in = bare(mss, Direction::host_to_device);
  const Throughput bare_out = bare(mss, Direction::device_to_host);
  const Throughput bare_in_4k = bare(4096, Direction::host_to_device);
  const Throughput bare_out_4k = bare(4096, Direction::device_to_host);
  std::printf(
      "bare pty streaming: host->device %.1f MB/s, device->host %.1f MB/s (730-B writes); "
      "%.1f / %.1f MB/s (4 KiB writes)\n",
      bare_in.rate(), bare_out.rate(), bare_in_4k.rate(), bare_out_4k.rate());
  const std::size_t chunks[] = {mss, receive_buffer};
  Throughput lock_write[2];
  Throughput lock_read[2];
  for (std::size_t index = 0; index < 2; ++index) {
    const std::size_t chunk = chunks[index];
    lock_write[index] = best_of([=] { return bare_pty_lock_step_write(total, chunk); });
    lock_read[index] = best_of([=] { return bare_pty_lock_step_read(total, chunk); });
    std::printf(
        "bare pty lock-step, %zu-B chunks, one command and one answer each: SOCKW-shaped %.2f "
        "MB/s, SOCKR-shaped %.2f MB/s\n",
        chunks[index], lock_write[index].rate(), lock_read[index].rate());
  }

  Emulator emulator;
  emulator.console.prepare();
  Console& console = emulator.console;

  // (b) Capacity.
  std::printf("-- capacity (the target applies here)\n");
  for (const std::size_t size : chunks) {
    const std::string label = "SOCKW streamed " + std::to_string(size);
    if (!wanted(label)) continue;
    const SocketRun run = best_of([&] { return sockw_streamed(console, total, size); });
    print_capacity(label, run, bare_in);
  }
  if (const std::string label = "chargen->SOCKR 48000"; wanted(label)) {
    console.command("AT+S.SCFG=ip_sock_memsize," + std::to_string(large_buffer_units));
    const SocketRun run = best_of([&] { return chargen_to_sockr(console, total, 0); });
    console.command("AT+S.SCFG=ip_sock_memsize,1");
    print_capacity(label, run, bare_out);
  }

  // (c) Driver-shaped.
  std::printf("-- driver-shaped (each command waits for its answer; factory buffer)\n");
  for (std::size_t index = 0; index < 2; ++index) {
    const std::size_t size = chunks[index];
    if (const std::string label = "SOCKW->sink " + std::to_string(size); wanted(label)) {
      const SocketRun run = best_of([&] { return sockw_to_sink(console, total, size); });
      print_driver_shaped(label, run, bare_in, lock_write[index]);
    }
    if (const std::string label = "chargen->SOCKR " + std::to_string(size); wanted(label)) {
      const SocketRun run = best_of([&] { return chargen_to_sockr(console, total, size); });
      print_driver_shaped(label, run, bare_out, lock_read[index]);
    }
  }
  std::printf("RSS after the transfers: %s\n",
              kilobytes_text(resident_kilobytes(emulator.child.pid())).c_str());

  // (d) Memory.
  if (!wanted("memory")) return 0;
  const MemoryFigures memory = memory_with_sockets();
  std::printf("RSS idle after boot %s | 8 sockets open %s | 8 x 1500 B pending %s\n",
              kilobytes_text(memory.idle_kb).c_str(), kilobytes_text(memory.open_kb).c_str(),
              kilobytes_text(memory.pending_kb).c_str());
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t total = 4u << 20;
  const std::string_view filter = argc > 2 ? argv[2] : "";
  if (argc > 3) {
    std::fprintf(stderr, "usage: %s [payload bytes (default 4194304)] [filter]\n", argv[0]);
    return 2;
  }
  if (argc > 1) {
    const auto parsed = spwf::bench::positive_number(argv[1]);
    if (!parsed) {
      std::fprintf(stderr, "usage: %s [payload bytes (default 4194304)] [filter]\n", argv[0]);
      return 2;
    }
    total = *parsed;
  }
  // A peer closing under a write must be an error value, not the end of the program.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    return spwf::bench::run(total, filter);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench_sockets: error: %s\n", failure.what());
    return 1;
  }
}
