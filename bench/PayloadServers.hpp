#pragma once
// Loopback servers for the payload benchmarks: plain TCP and mbedTLS (the peers the emulated
// module's sockets talk to), and the test certificates they present.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "BenchSupport.hpp"

namespace spwf::bench {

namespace payload {

/// A byte stream a server handler talks over: plain TCP or TLS.
class ServerStream {
 public:
  virtual ~ServerStream() = default;
  /// Up to `length` bytes; 0 when the peer closed, < 0 on an error.
  virtual long read_some(char* target, std::size_t length) = 0;
  /// Every byte, or false.
  virtual bool write_all(std::string_view bytes) = 0;
  /// Ends the sending direction (TCP FIN, or TLS close_notify then FIN).
  virtual void finish() = 0;
};

/// Handler of one connection, given its stream.
using StreamHandler = std::function<void(ServerStream& stream)>;

/// A loopback TCP server handing each connection, as a plain ServerStream, to `handler`.
class PlainServer {
 public:
  explicit PlainServer(StreamHandler handler);
  /// The port it listens on.
  std::uint16_t port() const { return m_server.port(); }

 private:
  LoopbackServer m_server;
};

/// A loopback TLS server (mbedTLS, TLS 1.0-1.2, no client authentication) presenting the PEM
/// certificate chain and key it is given; each connection is handed to `handler` once its
/// handshake is done. Certificate and key are parsed once; each connection has its own RNG,
/// configuration and context.
class TlsServer {
 public:
  TlsServer(const std::filesystem::path& certificate, const std::filesystem::path& key,
            StreamHandler handler);
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  /// The port it listens on.
  std::uint16_t port() const { return m_server->port(); }
  /// Handshakes completed / failed so far.
  std::size_t handshakes() const { return m_handshakes.load(); }
  std::size_t failed_handshakes() const { return m_failed.load(); }

 private:
  struct Identity;
  void serve(int fd);

  std::unique_ptr<Identity> m_identity;
  StreamHandler m_handler;
  std::atomic<std::size_t> m_handshakes{0};
  std::atomic<std::size_t> m_failed{0};
  // Declared last: destroyed first, so every connection thread ends before the identity goes.
  std::unique_ptr<LoopbackServer> m_server;
};

/// Runs scripts/make-test-certs.sh (`script`) into `directory` with `options` (such as
/// "--with-rsa2048"); throws when it fails.
void make_test_certificates(const std::string& script, const std::filesystem::path& directory,
                            const std::string& options = "");

/// The whole content of a file.
std::string read_file(const std::filesystem::path& path);

}  // namespace payload

}  // namespace spwf::bench
