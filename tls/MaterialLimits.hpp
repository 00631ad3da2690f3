#pragma once
// The module's size limits for certificate material, in one place (spec §3.7, §7, §9 Q30): what
// AT+S.TLSCERT stores and what a peer may send in a handshake. ST's answer gives the two byte
// limits; the key-size limit is the emulator's reading of the RSA-4096 log (Certificate Error:22).

#include <cstddef>

#include "tls/CertificateStore.hpp"

namespace spwf::tls::limits {

/// Each certificate a peer sends, DER bytes (✔ ST: "2.5 KB"; read as 2.5 × 1024).
inline constexpr std::size_t peer_certificate_bytes = 2560;
/// Largest RSA key in a certificate a peer sends (? an RSA-4096 intermediate gave error 22 on a
/// firmware two days older than 1.1.0; 2048 is the adopted ceiling).
inline constexpr std::size_t peer_rsa_key_bits = 2048;
/// The own-certificate slot ("cert" bundle), <len> bytes (✔ ST: 1475).
inline constexpr std::size_t stored_cert_bytes = 1475;
/// Every other slot, <len> bytes (? §9 Q30: 4096).
inline constexpr std::size_t stored_material_bytes = 4096;

/// Largest <len> AT+S.TLSCERT=<slot>,<len> takes; longer is refused before the payload with
/// AT-S.ERROR:32 (spec §3.7: the size rule comes before the payload, §9 Q7).
constexpr std::size_t max_stored_length(Slot slot) {
  return slot == Slot::cert ? stored_cert_bytes : stored_material_bytes;
}

}  // namespace spwf::tls::limits
