#pragma once
// A TLS server session as the module's TLS socket servers run it (AT+S.SOCKDON=<port>,s1|s2;
// spec §3.6), over in-memory buffers like ClientSession: TLS 1.0-1.2 with the stored own
// certificate and key, and for s2 a client certificate that must chain to the stored CA (checked
// by the module's own chain verification against the module clock, without a name check).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "tls/ChainVerifier.hpp"
#include "tls/HandshakeReport.hpp"
#include "tls/Owners.hpp"
#include "tls/Session.hpp"

namespace spwf::tls {

/// The own certificate (chain) and private key a server presents, parsed once at SOCKDON.
struct ServerIdentity {
  Certificate certificate;
  PrivateKey key;
  Origin certificate_origin = Origin::flash;
  Origin key_origin = Origin::flash;
};

/// Loads the own certificate and key: the flash slots, else the files tls.cert / tls.key; the
/// problem in words when either is missing or does not parse (or they do not belong together).
std::variant<std::shared_ptr<const ServerIdentity>, std::string> load_server_identity(
    const TrustSources& trust);

/// Whether a client must present a certificate (s2) or not (s1).
enum class ClientAuthentication { none, required };

/// What every session of one TLS server shares.
struct ServerSettings {
  std::shared_ptr<const ServerIdentity> identity;
  ClientAuthentication client_authentication = ClientAuthentication::none;
  TrustSources trust;                          ///< the CA for client certificates (s2)
  std::function<std::uint64_t()> module_time;  ///< module clock, seconds since 1970
  std::string trace_name;                      ///< "server 0"
};

/// An mbedTLS server session over in-memory buffers. Not movable: mbedTLS keeps `this`.
class ServerSession : public Session {
 public:
  /// `settings` must be set (shared by every client of one server); `peer` names the client in
  /// the trace.
  ServerSession(std::shared_ptr<const ServerSettings> settings, std::string peer);
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  bool start() override;
  HandshakeProgress handshake() override;
  void receive(std::string_view bytes) override;
  void receive_end() override { m_input_ended = true; }
  std::string take_output() override;
  bool has_output() const override { return !m_output.empty(); }
  ReadResult read(std::span<char> buffer) override;
  bool write(std::string_view bytes) override;
  void close_notify() override;
  const std::string& error() const override { return m_error; }
  /// The verdict on the client certificate (s2), once it was checked.
  std::optional<Verdict> client_verdict() const { return m_verdict; }

 private:
  static int send_callback(void* self, const unsigned char* data, std::size_t length);
  static int receive_callback(void* self, unsigned char* data, std::size_t length);
  static int export_keys_callback(void* self, const unsigned char* master_secret,
                                  const unsigned char* key_block, std::size_t mac_length,
                                  std::size_t key_length, std::size_t iv_length,
                                  const unsigned char client_random[32],
                                  const unsigned char server_random[32],
                                  mbedtls_tls_prf_types prf_type);
  bool after_step();
  void note(const std::string& text) const;
  void failed(int code, std::string_view what);

  std::shared_ptr<const ServerSettings> m_settings;
  std::string m_trace_name;
  Entropy m_entropy;
  Random m_random;
  SslConfig m_config;
  SslContext m_ssl;
  std::string m_input;
  std::size_t m_input_offset = 0;
  bool m_input_ended = false;
  std::string m_output;
  std::optional<Verdict> m_verdict;
  std::string m_error;
};

}  // namespace spwf::tls
