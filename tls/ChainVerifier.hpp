#pragma once
// The module's verification of a server's certificate chain (spec §3.5.4 steps 4-6, §7): refuse
// a certificate beyond the module's limits (support/Limits.hpp, error 22), find the trust
// anchor in the certificate store by key identifier, walking the chain from the leaf, then check
// signatures, validity dates against the module clock and the leaf's Common Name, in that order;
// only the first failure counts.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tls/CertificateStore.hpp"
#include "tls/HandshakeReport.hpp"
#include "tls/Owners.hpp"

namespace spwf::tls {

/// The store's material as one handshake sees it (copied when the socket opens).
struct TrustSources {
  std::string flash_ca;    ///< the CA slot (empty: not set)
  std::string flash_cert;  ///< own certificate slot
  std::string flash_key;   ///< own key slot
  FileLookup files;        ///< the module's file system (<AKI>.ca, tls.cert, tls.key); may be unset
};

/// The own certificate and key as stored: the flash slots, else the files tls.cert / tls.key.
struct OwnMaterial {
  std::optional<std::string> certificate;
  Origin certificate_origin = Origin::flash;
  std::optional<std::string> key;
  Origin key_origin = Origin::flash;
};
/// Finds the own certificate and key (client authentication, TLS servers).
OwnMaterial find_own_material(const TrustSources& trust);

/// Whether the leaf's Common Name is checked: a server's certificate against the server name, a
/// client certificate (TLS server sockets, s2) against nothing.
enum class NameCheck { leaf_common_name, none };

/// What the verification needs besides the chain.
struct VerifyContext {
  const TrustSources& trust;
  std::string_view server_name;  ///< compared with the leaf's CN
  std::uint64_t module_time;     ///< seconds since 1970 on the module clock
  const HandshakeObserver& observer;
  std::string_view trace_name;  ///< "socket 0", for the trace
  NameCheck name_check = NameCheck::leaf_common_name;
};

/// Verifies `chain` (leaf first, as the server sent it), reporting Loading / Skip CA /
/// Certificate Error events; returns Verdict::ok or the first failure.
Verdict verify_chain(const mbedtls_x509_crt& chain, const VerifyContext& context);

}  // namespace spwf::tls
