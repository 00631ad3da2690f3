#pragma once
// The TLS library alone as a client: full mbedTLS 2.28 handshakes (TLS 1.2, no resumption,
// the server's chain verified against a CA file as any mbedTLS client does) against a loopback
// server, so bench_tls can print what the emulator adds on top of the library it runs on.

#include <cstdint>
#include <filesystem>
#include <string>

namespace spwf::bench {

/// Full handshakes per second a bare mbedTLS client makes against 127.0.0.1:`port`: connect,
/// handshake (server name `host_name`, verification required against `ca_file`), close_notify,
/// close; `cycles` times or for `budget_seconds`, whichever comes first. Throws on a failed
/// handshake.
double mbedtls_handshakes_per_second(std::uint16_t port, const std::filesystem::path& ca_file,
                                     const std::string& host_name, int cycles,
                                     double budget_seconds);

}  // namespace spwf::bench
