#pragma once
// A real WebSocket server for the integration tests: tests/peers/ws_server.py run by Debian's
// /usr/bin/python3 (python3-websockets) on an ephemeral loopback port, with the lines it prints
// ("closed <path> <code>") read with deadlines. Stopped (SIGTERM, then SIGKILL) when destroyed.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/PeerProcess.hpp"

namespace spwf::testing {

/// The server process.
class WebSocketPeer {
 public:
  /// Starts the script with `arguments` (--cert/--key, --relay-port) and reads its port.
  explicit WebSocketPeer(std::vector<std::string> arguments = {});

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
