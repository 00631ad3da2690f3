#include "tls/VerifiedSignatures.hpp"

#include <mbedtls/sha256.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "support/Limits.hpp"

namespace spwf::tls {

VerifiedSignatures::Digest VerifiedSignatures::digest(const mbedtls_x509_crt& child,
                                                      const mbedtls_x509_crt& issuer) {
  // The child's length first, so no two pairs share an input.
  const std::uint64_t child_length = child.raw.len;
  std::string input(reinterpret_cast<const char*>(&child_length), sizeof child_length);
  input.append(reinterpret_cast<const char*>(child.raw.p), child.raw.len);
  input.append(reinterpret_cast<const char*>(issuer.raw.p), issuer.raw.len);
  Digest result{};
  (void)mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                           result.data(), 0);
  return result;
}

bool VerifiedSignatures::contains(const mbedtls_x509_crt& child,
                                  const mbedtls_x509_crt& issuer) const {
  const Digest key = digest(child, issuer);
  const std::lock_guard lock{m_mutex};
  return std::find(m_entries.begin(), m_entries.end(), key) != m_entries.end();
}

void VerifiedSignatures::add(const mbedtls_x509_crt& child, const mbedtls_x509_crt& issuer) {
  if (m_capacity == 0) return;
  const Digest key = digest(child, issuer);
  const std::lock_guard lock{m_mutex};
  if (std::find(m_entries.begin(), m_entries.end(), key) != m_entries.end()) return;
  if (m_entries.size() < m_capacity) {
    m_entries.push_back(key);
    return;
  }
  m_entries[m_next] = key;
  m_next = (m_next + 1) % m_capacity;
}

std::size_t VerifiedSignatures::size() const {
  const std::lock_guard lock{m_mutex};
  return m_entries.size();
}

VerifiedSignatures& verified_signatures() {
  static VerifiedSignatures instance{limits::verified_signatures};
  return instance;
}

}  // namespace spwf::tls
