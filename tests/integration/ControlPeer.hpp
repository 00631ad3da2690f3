#pragma once
// Test support: a client of the emulator's control interface (--control on a Unix socket), with
// requests answered by id and events read with deadlines.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tests/integration/FdHost.hpp"

namespace spwf::testing {

/// One control connection.
class ControlPeer {
 public:
  /// Connects to the Unix socket `path` (fails the test when it cannot).
  explicit ControlPeer(const std::string& path);
  /// Sends {"id":n,"verb":verb,...fields} and returns the reply (events before it are kept).
  nlohmann::json request(std::string_view verb, nlohmann::json fields = nlohmann::json::object(),
                         std::chrono::milliseconds deadline = 5s);
  /// The "ok" object of a request that must succeed (fails the test on an error).
  nlohmann::json ok(std::string_view verb, nlohmann::json fields = nlohmann::json::object());
  /// The next event line whose "event" is `name` (others are skipped); null at the deadline.
  nlohmann::json next_event(std::string_view name, std::chrono::milliseconds deadline = 5s);
  /// Sends raw bytes (malformed requests).
  void send_raw(std::string_view bytes) { m_host.send(bytes); }
  /// The next line, raw.
  std::string next_line(std::chrono::milliseconds deadline = 5s);
  FdHost& host() { return m_host; }

 private:
  FdHost m_host;
  unsigned m_next_id = 1;
  std::vector<nlohmann::json> m_events;
};

/// The Unix socket path for a test's control interface, in its temporary directory.
std::string control_path(const std::filesystem::path& directory);

}  // namespace spwf::testing
