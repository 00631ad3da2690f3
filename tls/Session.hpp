#pragma once
// A TLS session over in-memory buffers, client or server: the network bytes are fed in with
// receive() and taken out with take_output(), so mbedTLS never touches a socket and never blocks
// the event loop. This base class owns the mbedTLS objects and the byte plumbing shared by
// tls::ClientSession and tls::ServerSession; they add their configuration and their checks.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "tls/Owners.hpp"

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

/// An mbedTLS session over in-memory buffers. Not movable: mbedTLS keeps `this`.
class Session {
 public:
  virtual ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Configures mbedTLS; false when that fails (error() says why).
  virtual bool start() = 0;
  /// Runs the handshake as far as the received bytes allow.
  HandshakeProgress handshake();
  /// Bytes from the network.
  void receive(std::string_view bytes);
  /// The network has no more bytes (the peer closed).
  void receive_end() { m_input_ended = true; }
  /// Bytes to send to the network (emptied by the call).
  std::string take_output();
  /// True when bytes wait to be sent.
  bool has_output() const { return !m_output.empty(); }
  /// Decrypts application data into `buffer`.
  ReadResult read(std::span<char> buffer);
  /// Encrypts application data (output via take_output()); false on failure.
  bool write(std::string_view bytes);
  /// Queues a close_notify alert.
  void close_notify();
  /// The last mbedTLS error in words, empty when none.
  const std::string& error() const { return m_error; }
  /// The negotiated protocol version ("TLSv1.2"), after the handshake.
  std::string version() const;

 protected:
  /// `trace_name` labels the trace records ("socket 0", "server 0 127.0.0.1:5555").
  explicit Session(std::string trace_name) : m_trace_name(std::move(trace_name)) {}
  /// Sets the defaults for `endpoint` (MBEDTLS_SSL_IS_CLIENT or _SERVER): TLS 1.0 to 1.2 as the
  /// module, the process's random generator (tls/SharedRandom), the NSS key log.
  bool configure(int endpoint);
  /// Sets the session up from the configuration and connects the in-memory buffers.
  bool attach();
  /// Called after every handshake step; false ends the handshake as failed.
  virtual bool after_step() { return true; }
  /// Called when the handshake is over; false turns it into a failure.
  virtual bool handshake_finished() { return true; }
  /// A trace record about this session.
  void note(const std::string& text) const;
  /// Records an mbedTLS failure (error() and the trace).
  void failed(int code, std::string_view what);

  SslConfig m_config;
  SslContext m_ssl;
  std::string m_trace_name;
  std::string m_error;

 private:
  static int send_callback(void* self, const unsigned char* data, std::size_t length);
  static int receive_callback(void* self, unsigned char* data, std::size_t length);
  static int export_keys_callback(void* self, const unsigned char* master_secret,
                                  const unsigned char* key_block, std::size_t mac_length,
                                  std::size_t key_length, std::size_t iv_length,
                                  const unsigned char client_random[32],
                                  const unsigned char server_random[32],
                                  mbedtls_tls_prf_types prf_type);

  std::string m_input;
  std::size_t m_input_offset = 0;
  bool m_input_ended = false;
  std::string m_output;
};

}  // namespace spwf::tls
