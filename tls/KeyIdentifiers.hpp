#pragma once
// The key identifiers of an X.509 certificate (RFC 5280 §4.2.1.1, §4.2.1.2). mbedTLS 2.28 parses
// neither into mbedtls_x509_crt, but the module's store is keyed by them: TLSCERT=ca prints the
// CA's SubjectKeyId, and the chain walk matches a certificate's AuthorityKeyId against it
// (spec §3.5.4 step 4, §3.7). Both are read from the raw extensions of the parsed certificate.

#include <mbedtls/x509_crt.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace spwf::tls {

/// The subjectKeyIdentifier (OID 2.5.29.14) bytes, or nullopt when absent or malformed.
std::optional<std::vector<std::uint8_t>> subject_key_id(const mbedtls_x509_crt& certificate);
/// The keyIdentifier [0] of the authorityKeyIdentifier (OID 2.5.29.35), or nullopt when the
/// extension or its keyIdentifier field is absent or malformed.
std::optional<std::vector<std::uint8_t>> authority_key_id(const mbedtls_x509_crt& certificate);

}  // namespace spwf::tls
