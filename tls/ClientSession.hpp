#pragma once
// A TLS client session as the module runs it, over in-memory buffers: the network bytes are fed
// in with receive() and taken out with take_output(), so mbedTLS never touches a socket and never
// blocks the event loop. The handshake applies the module's policy: TLS 1.0-1.2, SNI = server
// name, the module's own chain verification (ChainVerifier) instead of mbedTLS's, the client
// certificate from the store when the server asks for one, and the NSS key log.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tls/ChainVerifier.hpp"
#include "tls/HandshakeReport.hpp"
#include "tls/Owners.hpp"
#include "tls/Session.hpp"

namespace spwf::tls {

/// What one client session needs to know.
struct ClientSettings {
  std::string server_name;        ///< SNI and the name checked against the leaf's CN
  TrustSources trust;             ///< the certificate store's material
  std::uint64_t module_time = 0;  ///< module clock, seconds since 1970
  HandshakeObserver observer;     ///< Loading / Skip CA / Certificate Error, in order
  std::string trace_name;         ///< "socket 0"
};

/// An mbedTLS client session over in-memory buffers. Not movable: mbedTLS keeps `this`.
class ClientSession : public Session {
 public:
  explicit ClientSession(ClientSettings settings);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  /// Configures mbedTLS; false when that fails (error() says why).
  bool start() override;
  /// Runs the handshake as far as the received bytes allow.
  HandshakeProgress handshake() override;
  /// Bytes from the network.
  void receive(std::string_view bytes) override;
  /// The network has no more bytes (the peer closed).
  void receive_end() override { m_input_ended = true; }
  /// Bytes to send to the network (emptied by the call).
  std::string take_output() override;
  /// True when bytes wait to be sent.
  bool has_output() const override { return !m_output.empty(); }
  /// Decrypts application data into `buffer`.
  ReadResult read(std::span<char> buffer) override;
  /// Encrypts application data (output via take_output()); false on failure.
  bool write(std::string_view bytes) override;
  /// Queues a close_notify alert.
  void close_notify() override;
  /// The certificate verdict, once the chain was checked.
  std::optional<Verdict> verdict() const { return m_verdict; }
  /// The last mbedTLS error in words, empty when none.
  const std::string& error() const override { return m_error; }
  /// The negotiated protocol version ("TLSv1.2"), after the handshake.
  std::string version() const;

 private:
  static int send_callback(void* self, const unsigned char* data, std::size_t length);
  static int receive_callback(void* self, unsigned char* data, std::size_t length);
  static int export_keys_callback(void* self, const unsigned char* master_secret,
                                  const unsigned char* key_block, std::size_t mac_length,
                                  std::size_t key_length, std::size_t iv_length,
                                  const unsigned char client_random[32],
                                  const unsigned char server_random[32],
                                  mbedtls_tls_prf_types prf_type);
  bool load_own_material();
  bool after_step();
  void report(const HandshakeEvent& event);
  void note(const std::string& text) const;
  void failed(int code, std::string_view what);

  ClientSettings m_settings;
  Entropy m_entropy;
  Random m_random;
  SslConfig m_config;
  SslContext m_ssl;
  std::optional<Certificate> m_own_certificate;
  std::optional<PrivateKey> m_own_key;
  Origin m_certificate_origin = Origin::flash;
  Origin m_key_origin = Origin::flash;
  std::string m_own_problem;  ///< why stored own material cannot be used (reported if asked)
  std::string m_input;
  std::size_t m_input_offset = 0;
  bool m_input_ended = false;
  std::string m_output;
  std::optional<Verdict> m_verdict;
  bool m_client_auth_checked = false;
  std::string m_error;
};

}  // namespace spwf::tls
