#pragma once
// Debian's openssl command as a reference peer for the benchmarks: an `openssl s_server` on a
// loopback port, and `openssl s_time -new` against it, so the emulator's handshake rate can be
// printed beside the library's own in the same run.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace spwf::bench {

/// `openssl s_server` on 127.0.0.1 (TLS 1.2, the given groups), killed when destroyed.
class OpensslServer {
 public:
  OpensslServer(const std::filesystem::path& certificate, const std::filesystem::path& key,
                const std::string& groups);
  ~OpensslServer();
  OpensslServer(const OpensslServer&) = delete;
  OpensslServer& operator=(const OpensslServer&) = delete;
  std::uint16_t port() const { return m_port; }

 private:
  pid_t m_pid = -1;
  std::uint16_t m_port = 0;
};

/// Full handshakes per second (new session each, no resumption) that `openssl s_time -new`
/// makes against 127.0.0.1:`port` in `seconds`.
double openssl_handshakes_per_second(std::uint16_t port, int seconds);

}  // namespace spwf::bench
