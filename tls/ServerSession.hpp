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

/// The module's TLS server session over in-memory buffers.
class ServerSession : public Session {
 public:
  /// `settings` must be set (shared by every client of one server); `peer` names the client in
  /// the trace.
  ServerSession(std::shared_ptr<const ServerSettings> settings, std::string peer);

  bool start() override;
  /// The verdict on the client certificate (s2), once it was checked.
  std::optional<Verdict> client_verdict() const { return m_verdict; }

 private:
  bool after_step() override;

  std::shared_ptr<const ServerSettings> m_settings;
  std::optional<Verdict> m_verdict;
};

}  // namespace spwf::tls
