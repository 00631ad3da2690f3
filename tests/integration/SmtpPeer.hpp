#pragma once
// A real SMTP server for the integration tests: tests/peers/smtp_server.py run by Debian's
// /usr/bin/python3 (python3-aiosmtpd) on an ephemeral loopback port. Each mail it accepts is one
// JSON line on its stdout, read here with deadlines. Stopped (SIGTERM, then SIGKILL) when
// destroyed.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/PeerProcess.hpp"

namespace spwf::testing {

/// The server process.
class SmtpPeer {
 public:
  /// Starts the script with `arguments` (--cert/--key, --implicit, --user/--password,
  /// --login-only) and reads its port.
  explicit SmtpPeer(std::vector<std::string> arguments = {});

  std::uint16_t port() const { return m_port; }
  /// The next line the server prints, without its newline ("" when the deadline passes).
  std::string read_line(std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    return m_process.read_line(deadline);
  }

 private:
  PeerProcess m_process;
  std::uint16_t m_port = 0;
};

}  // namespace spwf::testing
