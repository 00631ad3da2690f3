#pragma once
// Which size limit of support/Limits.hpp applies to a certificate-store slot (spec §3.7, §7).

#include <cstddef>

#include "support/Limits.hpp"
#include "tls/CertificateStore.hpp"

namespace spwf::tls {

/// Largest <len> AT+S.TLSCERT=<slot>,<len> takes; longer is refused before the payload with
/// AT-S.ERROR:32 (spec §3.7: the size rule comes before the payload, §9 Q7). The cert bundle has
/// ST's 1475 bytes, every other slot the adopted 4096.
constexpr std::size_t max_stored_length(Slot slot) {
  return slot == Slot::cert ? limits::stored_cert_bytes : limits::stored_material_bytes;
}

}  // namespace spwf::tls
