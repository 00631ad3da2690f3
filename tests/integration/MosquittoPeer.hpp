#pragma once
// A real MQTT broker for the integration tests: Debian's mosquitto, started on ephemeral loopback
// ports with a configuration file written into a temporary directory (a plain listener, and on
// request a TLS listener, with or without required client certificates), and the mosquitto_pub /
// mosquitto_sub clients as second clients. mosquitto cannot bind port 0 and report it, so a free
// port is picked and the broker's own log decides: a failed bind ("Address already in use") is
// retried with another port, a bounded number of times. Every wait reads output with a deadline.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/PeerProcess.hpp"

namespace spwf::testing {

/// How the broker listens besides its plain listener.
struct MosquittoOptions {
  bool tls = false;                  ///< add a TLS listener
  bool require_certificate = false;  ///< the TLS listener asks for a client certificate
  std::filesystem::path ca_file;     ///< root CA (for client certificates)
  std::filesystem::path cert_file;   ///< the broker's certificate (PEM)
  std::filesystem::path key_file;    ///< and its key
};

/// A running mosquitto broker.
class MosquittoPeer {
 public:
  explicit MosquittoPeer(MosquittoOptions options = {});
  ~MosquittoPeer();
  MosquittoPeer(const MosquittoPeer&) = delete;
  MosquittoPeer& operator=(const MosquittoPeer&) = delete;
  std::uint16_t port() const { return m_port; }
  std::uint16_t tls_port() const { return m_tls_port; }
  /// Stops the broker (SIGTERM): its clients see their connections close.
  void stop();
  /// mosquitto_pub of `payload` (any bytes, through a file) to the plain listener; true on
  /// success.
  bool publish(std::string_view topic, std::string_view payload, unsigned qos, bool retain = false);
  /// Starts mosquitto_sub for one message on `topic` and returns once it has subscribed.
  std::unique_ptr<PeerProcess> subscribe(std::string_view topic, unsigned qos);
  /// Waits for the subscriber's message and returns {payload, flags line}; the flags line is
  /// mosquitto_sub's "received PUBLISH (d0, q1, r0, …" description.
  static std::pair<std::string, std::string> message(PeerProcess& subscriber,
                                                     std::chrono::milliseconds deadline = 10s);

 private:
  bool try_start(const MosquittoOptions& options);
  TempDir m_directory;
  std::unique_ptr<PeerProcess> m_broker;
  std::uint16_t m_port = 0;
  std::uint16_t m_tls_port = 0;
  unsigned m_files = 0;
};

}  // namespace spwf::testing
