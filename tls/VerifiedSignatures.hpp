#pragma once
// Certificate signatures already found valid in this process. Whether a certificate's signature
// verifies under its issuer's key depends on nothing but the two certificates, and checking one
// costs a whole ECDSA or RSA verification (2.2 ms for P-256 with mbedTLS 2.28, a fifth of a
// handshake): a module reconnecting to the same server checks the same pair every time
// (issue 16). Pairs are remembered by the SHA-256 of both DER encodings; only valid ones are
// kept, the oldest is forgotten first, and the memory is bounded (limits::verified_signatures).

#include <mbedtls/x509_crt.h>

#include <array>
#include <cstddef>
#include <mutex>
#include <vector>

namespace spwf::tls {

class VerifiedSignatures {
 public:
  explicit VerifiedSignatures(std::size_t capacity) : m_capacity(capacity) {}
  /// True when `child`'s signature was recorded as valid under `issuer`.
  bool contains(const mbedtls_x509_crt& child, const mbedtls_x509_crt& issuer) const;
  /// Records that `child`'s signature verified under `issuer`.
  void add(const mbedtls_x509_crt& child, const mbedtls_x509_crt& issuer);
  std::size_t size() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest digest(const mbedtls_x509_crt& child, const mbedtls_x509_crt& issuer);

  mutable std::mutex m_mutex;
  std::size_t m_capacity;
  std::vector<Digest> m_entries;  ///< a ring once full
  std::size_t m_next = 0;         ///< the slot the next entry replaces once full
};

/// The process's memory of verified signatures, used by verify_chain().
VerifiedSignatures& verified_signatures();

}  // namespace spwf::tls
