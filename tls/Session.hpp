#pragma once
// What the TLS stream needs of a session, client or server: mbedTLS over in-memory buffers. The
// network bytes are fed in with receive() and taken out with take_output(), so mbedTLS never
// touches a socket and never blocks the event loop.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace spwf::tls {

/// Where a handshake stands after handshake().
enum class HandshakeProgress { done, want_read, failed };
/// What read() produced.
enum class ReadStatus { data, want_read, closed, failed };

/// One read()'s result: with ReadStatus::data, `count` bytes were decrypted.
struct ReadResult {
  ReadStatus status = ReadStatus::want_read;
  std::size_t count = 0;
};

/// A TLS session over in-memory buffers (tls::ClientSession, tls::ServerSession).
class Session {
 public:
  virtual ~Session() = default;

  /// Configures mbedTLS; false when that fails (error() says why).
  virtual bool start() = 0;
  /// Runs the handshake as far as the received bytes allow.
  virtual HandshakeProgress handshake() = 0;
  /// Bytes from the network.
  virtual void receive(std::string_view bytes) = 0;
  /// The network has no more bytes (the peer closed).
  virtual void receive_end() = 0;
  /// Bytes to send to the network (emptied by the call).
  virtual std::string take_output() = 0;
  /// True when bytes wait to be sent.
  virtual bool has_output() const = 0;
  /// Decrypts application data into `buffer`.
  virtual ReadResult read(std::span<char> buffer) = 0;
  /// Encrypts application data (output via take_output()); false on failure.
  virtual bool write(std::string_view bytes) = 0;
  /// Queues a close_notify alert.
  virtual void close_notify() = 0;
  /// The last mbedTLS error in words, empty when none.
  virtual const std::string& error() const = 0;
};

}  // namespace spwf::tls
