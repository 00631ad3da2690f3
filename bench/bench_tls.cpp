// bench_tls: TLS client sockets of the emulated module over its pty, beside plain TCP measured
// in the same run and beside what a bare pty carries on this machine.
//   (a) handshakes: AT+S.SOCKON=ssllabs.com,443,,s (mapped with --connect-to to a loopback
//       mbedTLS server presenting the `ssllabs.com` leaf of scripts/make-test-certs.sh, the root
//       CA loaded with AT+S.TLSCERT=ca and the clock set with AT+S.TIME) then AT+S.SOCKC, 50 times
//       or for about 5 s; handshakes/s and p50/p99 of the open (command to AT-S.OK); the same
//       cycle over plain TCP (AT+S.SOCKON=127.0.0.1,<port>,,t);
//   (c) the same cycle against `openssl s_server -tls1_2 -groups <curve>`, beside
//       `openssl s_time -new` against that server in the same run (the library's own rate), for
//       X25519 and P-256, with the EC P-256 `ssllabs.com` leaf and with an RSA-2048 one (the
//       kind most public servers present; the module checks an ECDSA server's key-exchange
//       signature with mbedTLS's generic P-256 arithmetic, 2.2 ms, an RSA one in 0.05 ms);
//       Each (c) row also prints the emulator's CPU time per cycle and the rate of a bare mbedTLS
//       client (MbedtlsClient) against the same server: what the emulator adds to its library.
//   (b) throughput: SOCKW in 730-byte pieces to a sink and chargen -> SOCKR 730, over TLS
//       (AT+S.SOCKON=127.0.0.1,<port>,,ssllabs.com: the kind field names the server) and over
//       TCP, beside the bare pty streams and the lock-step bare pty of bench_sockets.
// WINDs 55, 58 and 63 are masked as the mbed driver does. The program never fails on timings,
// only on protocol errors or a step that takes longer than 10 s.
//
//   bench_tls [payload bytes (default 2097152)]

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "BenchSupport.hpp"
#include "MbedtlsClient.hpp"
#include "OpensslTools.hpp"
#include "PayloadServers.hpp"
#include "PayloadSupport.hpp"

namespace spwf::bench {
namespace {

using namespace payload;

/// Handshake cycles: this many, or as many as fit in `cycle_budget`.
constexpr int handshake_cycles = 50;
constexpr std::chrono::seconds cycle_budget{5};
/// 2024-06-01T00:00:00Z, inside the validity of the test leaves (2020..2049).
constexpr std::int64_t module_time = 1717200000;
/// The TLS name of the test leaf `seed` (CN ssllabs.com).
constexpr std::string_view tls_name = "ssllabs.com";
/// The name in the leaves' subjectAltName, which a standard client such as mbedTLS's checks.
constexpr const char* san_name = "www.ssllabs.com";

/// Where the servers' certificates are.
struct Certificates {
  TemporaryDirectory directory;
  Certificates() {
    make_test_certificates(SPWF_MAKE_TEST_CERTS, directory.path(), "--with-rsa2048");
  }
  std::filesystem::path leaf() const { return directory.path() / "seed.pem"; }
  std::filesystem::path key() const { return directory.path() / "seed.key"; }
  std::filesystem::path rsa_leaf() const { return directory.path() / "rsa-seed.pem"; }
  std::filesystem::path rsa_key() const { return directory.path() / "rsa-seed.key"; }
  std::filesystem::path root() const { return directory.path() / "root-ca.pem"; }
};

/// Plain TCP or TLS, and how each is served and opened.
struct Transport {
  const char* name;
  bool tls;
};

/// Starts a loopback server of the transport's kind around `handler`.
class AnyServer {
 public:
  AnyServer(const Transport& transport, const Certificates& certificates, StreamHandler handler) {
    if (transport.tls) {
      m_tls =
          std::make_unique<TlsServer>(certificates.leaf(), certificates.key(), std::move(handler));
    } else {
      m_plain = std::make_unique<PlainServer>(std::move(handler));
    }
  }
  std::uint16_t port() const { return m_tls ? m_tls->port() : m_plain->port(); }

 private:
  std::unique_ptr<TlsServer> m_tls;
  std::unique_ptr<PlainServer> m_plain;
};

/// Opens a socket to 127.0.0.1:<port>: `t`, or TLS with the leaf's name in the kind field.
unsigned open_to(ModuleConsole& console, const Transport& transport, std::uint16_t port) {
  return console.open_socket("127.0.0.1", port, transport.tls ? tls_name : "t");
}

/// What one SOCKW or SOCKR run measured.
struct SocketRun {
  Throughput throughput;
  Summary command_us;
  std::size_t empty_reads = 0;
  std::size_t indications = 0;
};

/// (b) `total` bytes in SOCKW commands of 730 bytes to a sink.
SocketRun sockw_to_sink(ModuleConsole& console, const Transport& transport,
                        const Certificates& certificates, std::size_t total) {
  SinkState sink;
  AnyServer server{transport, certificates, [&sink](ServerStream& stream) {
                     char block[16384];
                     for (;;) {
                       const long count = stream.read_some(block, sizeof block);
                       if (count <= 0) return;
                       sink.add(std::string_view{block, static_cast<std::size_t>(count)});
                     }
                   }};
  const unsigned id = open_to(console, transport, server.port());
  console.reset_counters();
  std::vector<double> samples;
  samples.reserve(total / mss + 1);
  const std::string bytes = pattern(0, mss + 251);
  const auto start = Clock::now();
  for (std::size_t sent = 0; sent < total;) {
    const std::size_t length = std::min(mss, total - sent);
    const auto round_start = Clock::now();
    console.write_socket(id, std::string_view{bytes}.substr(sent % 251, length));
    samples.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - round_start).count());
    sent += length;
  }
  if (!sink.wait_for(total, step_deadline)) {
    throw std::runtime_error(std::string{transport.name} + " SOCKW: the sink received " +
                             std::to_string(sink.received()) + " of " + std::to_string(total));
  }
  SocketRun run;
  run.throughput = {total, seconds_since(start)};
  if (sink.corrupt()) throw std::runtime_error("SOCKW: the sink received corrupted bytes");
  run.command_us = summarize(std::move(samples));
  run.indications = console.indications();
  console.command("AT+S.SOCKC=" + std::to_string(id));
  return run;
}

/// (b) A server sends `total` bytes; the host polls SOCKR=<id>,730 until it has them all.
SocketRun chargen_to_sockr(ModuleConsole& console, const Transport& transport,
                           const Certificates& certificates, std::size_t total) {
  AnyServer server{transport, certificates, [total](ServerStream& stream) {
                     const std::string block = pattern(0, 16384 + 251);
                     for (std::size_t sent = 0; sent < total;) {
                       const std::size_t length = std::min<std::size_t>(16384, total - sent);
                       if (!stream.write_all(std::string_view{block}.substr(sent % 251, length))) {
                         return;
                       }
                       sent += length;
                     }
                     stream.finish();
                   }};
  SinkState sink;
  const unsigned id = open_to(console, transport, server.port());
  console.reset_counters();
  const std::string command_line =
      "AT+S.SOCKR=" + std::to_string(id) + "," + std::to_string(mss) + "\r";
  std::vector<double> samples;
  samples.reserve(2 * total / mss + 1);
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
      throw std::runtime_error(std::string{transport.name} + " SOCKR: nothing new for 10 s after " +
                               std::to_string(received) + " bytes");
    }
  }
  SocketRun run;
  run.throughput = {received, seconds_since(start)};
  if (received != total) throw std::runtime_error("SOCKR: read more than the server sent");
  if (sink.corrupt()) throw std::runtime_error("SOCKR: corrupted bytes");
  run.command_us = summarize(std::move(samples));
  run.empty_reads = console.empty_reads();
  run.indications = console.indications();
  console.command("AT+S.SOCKC=" + std::to_string(id));
  return run;
}

/// What a series of open + close cycles measured.
struct CycleRun {
  int cycles = 0;
  double seconds = 0;
  Summary open_ms;
  double per_second() const { return seconds > 0 ? cycles / seconds : 0; }
};

/// (a) SOCKON `host`,`port`,,`kind` then SOCKC, `handshake_cycles` times or for `cycle_budget`.
CycleRun open_close_cycles(ModuleConsole& console, std::string_view host, std::uint16_t port,
                           std::string_view kind) {
  std::vector<double> samples;
  const auto start = Clock::now();
  CycleRun run;
  while (run.cycles < handshake_cycles && Clock::now() - start < cycle_budget) {
    const auto open_start = Clock::now();
    const unsigned id = console.open_socket(host, port, kind);
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - open_start).count());
    console.command("AT+S.SOCKC=" + std::to_string(id));
    ++run.cycles;
  }
  run.seconds = seconds_since(start);
  run.open_ms = summarize(std::move(samples));
  return run;
}

void print_cycles(const char* label, const CycleRun& run) {
  std::printf(
      "%-16s %d open+close cycles in %.2f s = %.1f /s | open (SOCKON to OK) p50=%.2f ms "
      "p99=%.2f ms max=%.2f ms\n",
      label, run.cycles, run.seconds, run.per_second(), run.open_ms.p50, run.open_ms.p99,
      run.open_ms.max);
}

void print_socket_run(const std::string& label, const SocketRun& run, const SocketRun& plain,
                      const Throughput& bare, const Throughput& lock_step) {
  const auto percent = [](double part, double whole) {
    return whole > 0 ? 100.0 * part / whole : 0;
  };
  std::printf(
      "%-20s %zu B in %.2f s = %.2f MB/s | plain TCP %.2f MB/s (%.1f %%) | bare pty %.1f MB/s "
      "(%.1f %%) | lock-step bare %.2f MB/s (%.1f %%)\n",
      label.c_str(), run.throughput.bytes, run.throughput.seconds, run.throughput.rate(),
      plain.throughput.rate(), percent(run.throughput.rate(), plain.throughput.rate()), bare.rate(),
      percent(run.throughput.rate(), bare.rate()), lock_step.rate(),
      percent(run.throughput.rate(), lock_step.rate()));
  std::printf("%-20s   per command p50=%.1f us p99=%.1f us max=%.1f us", "", run.command_us.p50,
              run.command_us.p99, run.command_us.max);
  if (run.empty_reads > 0) std::printf(" | Empty %zu", run.empty_reads);
  if (run.indications > 0) std::printf(" | +WIND lines %zu", run.indications);
  std::printf("\n");
}

int run(std::size_t total) {
  std::printf(
      "bench_tls: %zu payload bytes per transfer, each throughput the best of %d runs; MB = 10^6 "
      "bytes\n",
      total, repetitions);
  const Certificates certificates;

  // The bare pty, in the same run.
  const Throughput bare_in =
      best_of([=] { return bare_pty_stream(total, mss, Direction::host_to_device); });
  const Throughput bare_out =
      best_of([=] { return bare_pty_stream(total, mss, Direction::device_to_host); });
  const Throughput lock_write = best_of([=] { return bare_pty_lock_step_write(total, mss); });
  const Throughput lock_read = best_of([=] { return bare_pty_lock_step_read(total, mss); });
  std::printf(
      "bare pty         host->device %.1f MB/s, device->host %.1f MB/s (730-B writes); lock-step "
      "730-B SOCKW-shaped %.2f MB/s, SOCKR-shaped %.2f MB/s\n",
      bare_in.rate(), bare_out.rate(), lock_write.rate(), lock_read.rate());

  // (a) Handshakes against a server reached by name through --connect-to.
  TlsServer handshake_server{certificates.leaf(), certificates.key(), [](ServerStream& stream) {
                               char block[4096];
                               while (stream.read_some(block, sizeof block) > 0) {
                               }
                             }};
  LoopbackServer tcp_server{echo_handler};
  // (c)'s servers: openssl s_server at TLS 1.2 (what the module speaks), each on one curve.
  const OpensslServer x25519_server{certificates.leaf(), certificates.key(), "X25519"};
  const OpensslServer p256_server{certificates.leaf(), certificates.key(), "P-256"};
  const OpensslServer x25519_rsa_server{certificates.rsa_leaf(), certificates.rsa_key(), "X25519"};
  const OpensslServer p256_rsa_server{certificates.rsa_leaf(), certificates.rsa_key(), "P-256"};
  TemporaryDirectory state_dir;
  EmulatorChild child{
      emulator_path(SPWF04EMU_PATH),
      state_dir.path(),
      {"--connect-to",
       std::string{tls_name} + ":443:127.0.0.1:" + std::to_string(handshake_server.port()),
       "--connect-to",
       std::string{tls_name} + ":444:127.0.0.1:" + std::to_string(x25519_server.port()),
       "--connect-to",
       std::string{tls_name} + ":445:127.0.0.1:" + std::to_string(p256_server.port()),
       "--connect-to",
       std::string{tls_name} + ":446:127.0.0.1:" + std::to_string(x25519_rsa_server.port()),
       "--connect-to",
       std::string{tls_name} + ":447:127.0.0.1:" + std::to_string(p256_rsa_server.port())}};
  ModuleConsole console{child.pty_path()};
  console.prepare();
  console.load_ca(read_file(certificates.root()), module_time);

  const CycleRun tls_cycles = open_close_cycles(console, tls_name, 443, "s");
  const CycleRun tcp_cycles = open_close_cycles(console, "127.0.0.1", tcp_server.port(), "t");
  print_cycles("TLS handshakes", tls_cycles);
  print_cycles("plain TCP opens", tcp_cycles);
  std::printf(
      "%-16s TLS/TCP cycle rate %.1f %%; server saw %zu handshakes, %zu failed; TLS open costs "
      "%.2f ms more (p50)\n",
      "",
      tcp_cycles.per_second() > 0 ? 100.0 * tls_cycles.per_second() / tcp_cycles.per_second() : 0,
      handshake_server.handshakes(), handshake_server.failed_handshakes(),
      tls_cycles.open_ms.p50 - tcp_cycles.open_ms.p50);

  // (c) Beside the library itself: SOCKON+SOCKC cycles and `openssl s_time -new` against the same
  // openssl s_server (TLS 1.2, one curve), one after the other.
  const auto beside_openssl = [&](const char* name, std::uint16_t mapped_port,
                                  const OpensslServer& server) {
    const double cpu_before = process_cpu_seconds(child.pid());
    const CycleRun cycles = open_close_cycles(console, tls_name, mapped_port, "s");
    const double cpu_per_cycle = (process_cpu_seconds(child.pid()) - cpu_before) / cycles.cycles;
    const double s_time_rate = openssl_handshakes_per_second(server.port(), 5);
    const double library_rate = mbedtls_handshakes_per_second(
        server.port(), certificates.root(), san_name, handshake_cycles,
        std::chrono::duration<double>(cycle_budget).count());
    const auto percent = [&](double rate) {
      return rate > 0 ? 100.0 * cycles.per_second() / rate : 0;
    };
    print_cycles(name, cycles);
    std::printf(
        "%-16s emulator CPU %.2f ms per cycle (%.0f %% of its wall time) | bare mbedTLS client "
        "%.1f handshakes/s, the module reaches %.1f %% of it | openssl s_time -new %.1f "
        "handshakes/s, the module reaches %.1f %% of it\n",
        "", 1e3 * cpu_per_cycle, 100.0 * cpu_per_cycle * cycles.per_second(), library_rate,
        percent(library_rate), s_time_rate, percent(s_time_rate));
  };
  beside_openssl("s_server x25519", 444, x25519_server);
  beside_openssl("s_server P-256", 445, p256_server);
  beside_openssl("x25519 RSA leaf", 446, x25519_rsa_server);
  beside_openssl("P-256 RSA leaf", 447, p256_rsa_server);

  // (b) Throughput over TLS beside plain TCP.
  const Transport tcp{"TCP", false};
  const Transport tls{"TLS", true};
  const auto write_run = [&](const Transport& transport) {
    return best_of([&] { return sockw_to_sink(console, transport, certificates, total); });
  };
  const auto read_run = [&](const Transport& transport) {
    return best_of([&] { return chargen_to_sockr(console, transport, certificates, total); });
  };
  const SocketRun tcp_write = write_run(tcp);
  const SocketRun tls_write = write_run(tls);
  const SocketRun tcp_read = read_run(tcp);
  const SocketRun tls_read = read_run(tls);
  print_socket_run("TLS SOCKW->sink 730", tls_write, tcp_write, bare_in, lock_write);
  print_socket_run("TCP SOCKW->sink 730", tcp_write, tcp_write, bare_in, lock_write);
  print_socket_run("TLS chargen->SOCKR", tls_read, tcp_read, bare_out, lock_read);
  print_socket_run("TCP chargen->SOCKR", tcp_read, tcp_read, bare_out, lock_read);
  std::printf("RSS after the runs: %s\n", kilobytes_text(resident_kilobytes(child.pid())).c_str());
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t total = 2u << 20;
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [payload bytes (default 2097152)]\n", argv[0]);
    return 2;
  }
  if (argc > 1) {
    const auto parsed = spwf::bench::positive_number(argv[1]);
    if (!parsed) {
      std::fprintf(stderr, "usage: %s [payload bytes (default 2097152)]\n", argv[0]);
      return 2;
    }
    total = *parsed;
  }
  // A peer closing under a write must be an error value, not the end of the program.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    return spwf::bench::run(total);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench_tls: error: %s\n", failure.what());
    return 1;
  }
}
