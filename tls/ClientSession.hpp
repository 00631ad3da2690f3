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
  /// A fault rule's Certificate Error:<n> for a chain that would pass (the control interface).
  std::optional<unsigned> forced_certificate_error;
};

/// The module's TLS client session over in-memory buffers.
class ClientSession : public Session {
 public:
  explicit ClientSession(ClientSettings settings);

  /// Configures mbedTLS; false when that fails (error() says why).
  bool start() override;
  /// The certificate verdict, once the chain was checked.
  std::optional<Verdict> verdict() const { return m_verdict; }

 private:
  bool after_step() override;
  bool handshake_finished() override;
  bool load_own_material();
  void report(const HandshakeEvent& event);

  ClientSettings m_settings;
  std::optional<Certificate> m_own_certificate;
  std::optional<PrivateKey> m_own_key;
  Origin m_certificate_origin = Origin::flash;
  Origin m_key_origin = Origin::flash;
  std::string m_own_problem;  ///< why stored own material cannot be used (reported if asked)
  std::optional<Verdict> m_verdict;
  bool m_client_auth_checked = false;
};

}  // namespace spwf::tls
