#pragma once
// The codes the module prints as "AT-S.Certificate Error:<n>" (spec §7), one table row per
// verification outcome, each marked confirmed or unverified. The numbers come from the module's
// closed TLS library; only 5, 23 and the numbers 19 and 22 were ever seen.

#include <cstdint>
#include <span>
#include <string_view>

namespace spwf::tls {

/// Verification outcomes the emulator distinguishes.
enum class Verdict {
  ok,
  no_trust_anchor,       ///< no CA in the store issued any certificate of the chain
  name_mismatch,         ///< leaf CN differs from the server name
  self_signed_in_chain,  ///< a self-signed certificate that is not the stored CA
  self_signed_leaf,      ///< an untrusted self-signed leaf
  expired,
  not_yet_valid,
  bad_signature,
  unsupported_certificate,  ///< a peer certificate too large, or with a key too large (limits)
  other,                    ///< unsupported key, bad encoding, key usage ...
};

/// One row: outcome, code, whether the code was seen on a real module, words for the trace.
struct CertificateErrorEntry {
  Verdict verdict;
  std::uint8_t code;
  bool confirmed;
  std::string_view meaning;
};

/// The whole table (spec §7).
std::span<const CertificateErrorEntry> certificate_error_table();
/// The row of a verdict (not for Verdict::ok).
const CertificateErrorEntry& certificate_error(Verdict verdict);

}  // namespace spwf::tls
