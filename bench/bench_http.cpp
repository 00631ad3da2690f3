// bench_http: the emulated module's HTTP client over its pty, beside what a bare pty carries on
// this machine in the same run.
//   AT+S.HTTPGET=bench.local,/,,0,,,,  (--connect-to bench.local:80 -> a loopback server that
//     answers 200 with Content-Length: 1048576 and a patterned body, then closes)
//     -> AT-S.Http Server Status Code:200\r\n<1 MiB, checked byte by byte>AT-S.OK\r\n
//   AT+S.HTTPGET=ssllabs.com,/,,2,,,,  (HTTPS: --connect-to ssllabs.com:443 -> a loopback mbedTLS
//     server with the `ssllabs.com` leaf of scripts/make-test-certs.sh; root CA loaded, clock set)
//     -> AT-S.Loading:1:2\r\nAT-S.Http Server Status Code:200\r\n<1 MiB>AT-S.OK\r\n
// The time runs from writing the command to the AT-S.OK that follows exactly 1 MiB of body.
// The program never fails on timings, only on protocol errors or a step longer than 10 s.
//
//   bench_http [body bytes (default 1048576)]

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "BenchSupport.hpp"
#include "PayloadServers.hpp"
#include "PayloadSupport.hpp"

namespace spwf::bench {
namespace {

using namespace payload;

/// 2024-06-01T00:00:00Z, inside the validity of the test leaves (2020..2049).
constexpr std::int64_t module_time = 1717200000;

/// Serves one HTTP/1.1 GET: reads the request head, answers 200 with `body_size` patterned bytes
/// and Content-Length, then closes its side. Counts requests whose head is not a GET of `/`.
class HttpResponder {
 public:
  explicit HttpResponder(std::size_t body_size) : m_body_size(body_size) {}

  void operator()(ServerStream& stream) {
    std::string head;
    char block[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const long count = stream.read_some(block, sizeof block);
      if (count <= 0) return;
      head.append(block, static_cast<std::size_t>(count));
    }
    if (!head.starts_with("GET / HTTP/1.1\r\n")) ++m_bad_requests;
    const std::string header =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: " +
        std::to_string(m_body_size) + "\r\nConnection: close\r\n\r\n";
    if (!stream.write_all(header)) return;
    const std::string bytes = pattern(0, 16384 + 251);
    for (std::size_t sent = 0; sent < m_body_size;) {
      const std::size_t length = std::min<std::size_t>(16384, m_body_size - sent);
      if (!stream.write_all(std::string_view{bytes}.substr(sent % 251, length))) return;
      sent += length;
    }
    stream.finish();
  }
  std::size_t bad_requests() const { return m_bad_requests.load(); }

 private:
  std::size_t m_body_size;
  std::atomic<std::size_t> m_bad_requests{0};
};

/// One measured GET.
struct GetRun {
  Throughput throughput;        ///< body bytes over command -> AT-S.OK
  double first_byte_ms = 0;     ///< command -> status line
  std::size_t indications = 0;  ///< +WIND lines before the status line
};

/// Sends `command`, expects optional TLS progress lines, the 200 status line, exactly
/// `body_size` patterned bytes and AT-S.OK right after them.
GetRun http_get(ModuleConsole& console, const std::string& command, std::size_t body_size,
                bool tls) {
  GetRun run;
  std::string& buffer = console.buffer();
  const auto start = Clock::now();
  write_all(console.fd(), command + "\r");
  bool loaded = !tls;
  for (;;) {
    const std::string line = console.next_line();
    if (line == "AT-S.Http Server Status Code:200") break;
    if (line.starts_with("+WIND:")) {
      ++run.indications;
    } else if (tls && line == "AT-S.Loading:1:2") {
      loaded = true;
    } else {
      throw std::runtime_error("\"" + command + "\" answered \"" + line + "\"");
    }
  }
  if (!loaded) throw std::runtime_error("HTTPS GET: no AT-S.Loading:1:2 before the status");
  run.first_byte_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  // The body and the OK line: check the pattern as it comes, keep only what is not yet checked.
  std::size_t checked = 0;
  const auto until = Clock::now() + step_deadline;
  while (checked < body_size || buffer.size() < ok_line.size()) {
    if (checked < body_size) {
      const std::size_t take = std::min(buffer.size(), body_size - checked);
      for (std::size_t index = 0; index < take; ++index) {
        if (buffer[index] != pattern_byte(checked + index)) {
          throw std::runtime_error("body byte " + std::to_string(checked + index) + " is wrong");
        }
      }
      checked += take;
      buffer.erase(0, take);
      if (checked == body_size && buffer.size() >= ok_line.size()) break;
    }
    if (!fill(console.fd(), buffer, until)) {
      throw std::runtime_error("GET stalled after " + std::to_string(checked) + " body bytes");
    }
  }
  if (std::string_view{buffer}.substr(0, ok_line.size()) != ok_line) {
    throw std::runtime_error("no AT-S.OK right after the body; got \"" + buffer.substr(0, 40) +
                             "\"");
  }
  run.throughput = {body_size, seconds_since(start)};
  buffer.erase(0, ok_line.size());
  return run;
}

void print_get(const char* label, const GetRun& run, const Throughput& bare,
               const Throughput& bare_4k) {
  const auto percent = [](double part, double whole) {
    return whole > 0 ? 100.0 * part / whole : 0;
  };
  std::printf(
      "%-20s %zu B body in %.3f s = %.2f MB/s (%.2f MiB/s) | status after %.2f ms | bare pty "
      "device->host %.1f MB/s (%.1f %%), 4 KiB writes %.1f MB/s (%.1f %%)",
      label, run.throughput.bytes, run.throughput.seconds, run.throughput.rate(),
      run.throughput.rate() * 1e6 / (1 << 20), run.first_byte_ms, bare.rate(),
      percent(run.throughput.rate(), bare.rate()), bare_4k.rate(),
      percent(run.throughput.rate(), bare_4k.rate()));
  if (run.indications > 0) std::printf(" | +WIND lines %zu", run.indications);
  std::printf("\n");
}

int run(std::size_t body_size) {
  std::printf(
      "bench_http: %zu body bytes per GET, each figure the best of %d runs; MB = 10^6 "
      "bytes\n",
      body_size, repetitions);
  TemporaryDirectory certificates;
  make_test_certificates(SPWF_MAKE_TEST_CERTS, certificates.path());

  const auto bare = [body_size](std::size_t chunk) {
    return best_of([=] { return bare_pty_stream(body_size, chunk, Direction::device_to_host); });
  };
  const Throughput bare_out = bare(mss);
  const Throughput bare_out_4k = bare(4096);
  std::printf(
      "bare pty             device->host %.1f MB/s (730-B writes), %.1f MB/s (4 KiB "
      "writes)\n",
      bare_out.rate(), bare_out_4k.rate());

  HttpResponder plain_responder{body_size};
  HttpResponder tls_responder{body_size};
  PlainServer plain_server{[&](ServerStream& stream) { plain_responder(stream); }};
  TlsServer tls_server{certificates.path() / "seed.pem", certificates.path() / "seed.key",
                       [&](ServerStream& stream) { tls_responder(stream); }};
  TemporaryDirectory state_dir;
  EmulatorChild child{
      emulator_path(SPWF04EMU_PATH),
      state_dir.path(),
      {"--connect-to", "bench.local:80:127.0.0.1:" + std::to_string(plain_server.port()),
       "--connect-to", "ssllabs.com:443:127.0.0.1:" + std::to_string(tls_server.port())}};
  ModuleConsole console{child.pty_path()};
  console.prepare();
  console.load_ca(read_file(certificates.path() / "root-ca.pem"), module_time);

  const GetRun http = best_of(
      [&] { return http_get(console, "AT+S.HTTPGET=bench.local,/,,0,,,,", body_size, false); });
  const GetRun https = best_of(
      [&] { return http_get(console, "AT+S.HTTPGET=ssllabs.com,/,,2,,,,", body_size, true); });
  if (plain_responder.bad_requests() > 0 || tls_responder.bad_requests() > 0) {
    throw std::runtime_error("a server received a request other than GET /");
  }
  print_get("HTTPGET (plain)", http, bare_out, bare_out_4k);
  print_get("HTTPGET (TLS 2)", https, bare_out, bare_out_4k);
  std::printf(
      "%-20s HTTPS/HTTP rate %.1f %%; RSS after the runs: %s\n", "",
      http.throughput.rate() > 0 ? 100.0 * https.throughput.rate() / http.throughput.rate() : 0,
      kilobytes_text(resident_kilobytes(child.pid())).c_str());
  return 0;
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  std::size_t body_size = 1u << 20;
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [body bytes (default 1048576)]\n", argv[0]);
    return 2;
  }
  if (argc > 1) {
    const auto parsed = spwf::bench::positive_number(argv[1]);
    if (!parsed) {
      std::fprintf(stderr, "usage: %s [body bytes (default 1048576)]\n", argv[0]);
      return 2;
    }
    body_size = *parsed;
  }
  // A peer closing under a write must be an error value, not the end of the program.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    return spwf::bench::run(body_size);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench_http: error: %s\n", failure.what());
    return 1;
  }
}
