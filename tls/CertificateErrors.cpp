#include "tls/CertificateErrors.hpp"

#include <array>

namespace spwf::tls {
namespace {

// Spec §7. Only 5 and 23 (no anchor) were seen with these meanings on a real module; every other
// row is an adopted placeholder (confirmed = false) until evidence arrives.
constexpr std::array<CertificateErrorEntry, 9> table{{
    {Verdict::name_mismatch, 5, true, "common name does not match the server name"},
    {Verdict::no_trust_anchor, 23, true, "no CA in the store issued the chain (CA not found)"},
    {Verdict::self_signed_in_chain, 19, false,
     "self-signed certificate in the chain that is not the stored CA"},
    // Unverified: the module's code for an untrusted self-signed leaf is assumed to be "CA not
    // found".
    {Verdict::self_signed_leaf, 23, false, "self-signed leaf certificate not trusted"},
    {Verdict::expired, 10, false, "certificate expired (module clock)"},
    {Verdict::not_yet_valid, 9, false, "certificate not yet valid (module clock)"},
    {Verdict::bad_signature, 7, false, "certificate signature invalid"},
    // Unverified: 22 was seen (pre-1.1.0) for a chain with an RSA-4096 intermediate; ST limits
    // each peer certificate to 2.5 KB (support/Limits.hpp).
    {Verdict::unsupported_certificate, 22, false,
     "peer certificate or key larger than the module handles"},
    {Verdict::other, 1, false, "other verification failure (key, encoding, usage)"},
}};

}  // namespace

std::span<const CertificateErrorEntry> certificate_error_table() {
  return table;
}

const CertificateErrorEntry& certificate_error(Verdict verdict) {
  for (const auto& entry : table) {
    if (entry.verdict == verdict) return entry;
  }
  return table.back();  // Verdict::ok has no row; "other" is the safe answer.
}

}  // namespace spwf::tls
