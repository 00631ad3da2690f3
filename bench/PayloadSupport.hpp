#pragma once
// What the payload benchmarks (bench_sockets, bench_tls, bench_http) share: the byte pattern
// every transfer carries and the sink that checks it, bare pty transfers (streaming and
// lock-step) to set beside the emulator's figures, and the host's side of the console with
// SOCKW / SOCKR parsing (the loopback servers are in PayloadServers). Every wait has a deadline.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "BenchSupport.hpp"

namespace spwf::bench {

namespace payload {

/// The TCP maximum segment size of the module's firmware, the write size of the mbed driver.
inline constexpr std::size_t mss = 730;
/// Every step (one command, one transfer, one handshake) must finish within this.
inline constexpr std::chrono::seconds step_deadline{10};
inline constexpr std::string_view ok_line = "AT-S.OK\r\n";

/// The byte at `offset` of every payload stream (a period of 251 never lines up with 730).
inline char pattern_byte(std::size_t offset) {
  return static_cast<char>(offset % 251);
}

/// `length` bytes of the pattern starting at stream offset `offset`.
std::string pattern(std::size_t offset, std::size_t length);

/// Seconds from `start` until now.
double seconds_since(Clock::time_point start);

/// One measured transfer.
struct Throughput {
  std::size_t bytes = 0;
  double seconds = 0;
  /// 10^6 bytes per second.
  double rate() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0; }
};

/// Each figure is the best of this many runs: the machine is shared, and a run that loses the
/// CPU for a scheduler tick or two says more about the neighbours than about the code.
inline constexpr int repetitions = 3;

inline double rate_of(const Throughput& throughput) {
  return throughput.rate();
}
/// A run that carries its Throughput (with other figures beside it).
template <typename Run>
requires requires(const Run& run) {
  run.throughput.rate();
}
double rate_of(const Run& run) {
  return run.throughput.rate();
}

/// The fastest of `repetitions` runs of `measure` (returning a Throughput or a run carrying one).
template <typename Measure>
auto best_of(Measure measure) {
  auto best = measure();
  for (int run = 1; run < repetitions; ++run) {
    auto next = measure();
    if (rate_of(next) > rate_of(best)) best = std::move(next);
  }
  return best;
}

/// Which way bytes cross a pty pair: host = slave side, device = master side.
enum class Direction { host_to_device, device_to_host };

/// `total` bytes through a fresh pty pair in `chunk`-byte writes (a writer thread, a reader).
Throughput bare_pty_stream(std::size_t total, std::size_t chunk, Direction direction);

/// A fresh pty pair driven like SOCKW: command line + `chunk` bytes, then "AT-S.OK" from a
/// device-side thread; the floor of a lock-step console with no emulator.
Throughput bare_pty_lock_step_write(std::size_t total, std::size_t chunk);

/// A fresh pty pair driven like SOCKR: "AT+S.SOCKR=0,<chunk>" answered with the Reading line,
/// `chunk` bytes and "AT-S.OK" by a device-side thread.
Throughput bare_pty_lock_step_read(std::size_t total, std::size_t chunk);

/// Counts and checks (against the pattern) what a server receives; wakes a waiter.
class SinkState {
 public:
  /// Checks `bytes` against the pattern and adds them.
  void add(std::string_view bytes);
  /// Waits until `total` bytes arrived (true) or the deadline passed (false).
  bool wait_for(std::size_t total, std::chrono::milliseconds deadline);
  /// Bytes received so far.
  std::size_t received();
  /// Whether any byte differed from the pattern.
  bool corrupt();

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::size_t m_received = 0;
  bool m_corrupt = false;
};

/// The host's side of the emulator's console for payload benchmarks: bounded command
/// exchanges, SOCKW / SOCKR with their parsing, counting indications it skips.
class ModuleConsole {
 public:
  explicit ModuleConsole(const std::string& pty_path) : m_fd(open_slave(pty_path)) {}

  /// Waits for the boot, turns echo off and masks WINDs 55, 58 and 63 as the mbed driver does
  /// around socket traffic.
  void prepare();
  /// Sends a command and returns the lines before AT-S.OK (throws on ERROR or silence).
  std::string command(std::string_view line);
  /// Sets the module clock (AT+S.TIME) and stores `ca_pem` in the flash CA slot
  /// (AT+S.TLSCERT=ca,<len> + PEM; expects AT-S.SubjectKeyId and OK).
  void load_ca(std::string_view ca_pem, std::int64_t epoch_seconds);
  /// AT+S.SOCKON=<host>,<port>,,<kind>; returns the socket id (throws unless AT-S.On + OK).
  unsigned open_socket(std::string_view host, std::uint16_t port, std::string_view kind);
  /// AT+S.SOCKW=<id>,<length><CR><payload> in one write, then AT-S.OK alone.
  void write_socket(unsigned id, std::string_view payload);
  /// Sends `command_line` (AT+S.SOCKR=<id>,<n><CR>); adds what it read to `sink`, returns how
  /// many bytes.
  std::size_t read_socket(std::string_view command_line, SinkState& sink);
  /// Pending bytes of a socket (AT+S.SOCKQ).
  std::size_t query(unsigned id);
  /// The console descriptor and its read buffer (for exchanges parsed by the caller).
  int fd() const { return m_fd.get(); }
  std::string& buffer() { return m_buffer; }
  /// The next line without its "\r\n"; throws at the deadline.
  std::string next_line();

  std::size_t empty_reads() const { return m_empty_reads; }
  std::size_t read_caps() const { return m_read_caps; }
  std::size_t indications() const { return m_indications; }
  void reset_counters() { m_empty_reads = m_read_caps = m_indications = 0; }

 private:
  /// The next line must be AT-S.OK (indications are counted and skipped).
  void expect_ok(const std::string& what);

  FileDescriptor m_fd;
  std::string m_buffer;
  std::string m_scratch;
  std::size_t m_empty_reads = 0;
  std::size_t m_read_caps = 0;
  std::size_t m_indications = 0;
};

}  // namespace payload

}  // namespace spwf::bench
