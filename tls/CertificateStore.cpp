#include "tls/CertificateStore.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "tls/KeyIdentifiers.hpp"

namespace spwf::tls {
namespace {

/// mbedTLS recognises PEM only when the buffer's last byte is the NUL after the text; DER is
/// parsed from the exact bytes. A copy with one NUL appended serves both readings.
std::vector<unsigned char> with_trailing_nul(std::string_view material) {
  std::vector<unsigned char> buffer(material.begin(), material.end());
  buffer.push_back(0);
  return buffer;
}

/// True when mbedTLS should read `material` as PEM (it starts a "-----BEGIN" block somewhere).
bool looks_like_pem(std::string_view material) {
  return material.find("-----BEGIN ") != std::string_view::npos;
}

/// An owned, parsed certificate chain.
class ParsedCertificate {
 public:
  ParsedCertificate() { mbedtls_x509_crt_init(&m_chain); }
  ~ParsedCertificate() { mbedtls_x509_crt_free(&m_chain); }
  ParsedCertificate(const ParsedCertificate&) = delete;
  ParsedCertificate& operator=(const ParsedCertificate&) = delete;

  /// Parses exactly one PEM or DER certificate (the first one of a PEM bundle counts).
  bool parse(std::string_view material) {
    if (material.empty()) return false;
    int result = 0;
    if (looks_like_pem(material)) {
      const auto buffer = with_trailing_nul(material);
      result = mbedtls_x509_crt_parse(&m_chain, buffer.data(), buffer.size());
    } else {
      result = mbedtls_x509_crt_parse_der(
          &m_chain, reinterpret_cast<const unsigned char*>(material.data()), material.size());
    }
    // mbedtls_x509_crt_parse returns a positive count of certificates it skipped in a bundle;
    // the slot takes the material only when every certificate in it parsed. mbedTLS reads one
    // DER certificate from the front of the buffer: bytes after it make the material invalid.
    if (result != 0 || m_chain.raw.p == nullptr) return false;
    return looks_like_pem(material) || m_chain.raw.len == material.size();
  }
  const mbedtls_x509_crt& first() const { return m_chain; }

 private:
  mbedtls_x509_crt m_chain;
};

/// True when `material` is exactly one DER structure (a SEQUENCE) with nothing after it:
/// mbedTLS's parsers read one from the front of a buffer and ignore what follows.
bool is_one_der_sequence(std::string_view material) {
  auto* position = reinterpret_cast<unsigned char*>(const_cast<char*>(material.data()));
  const unsigned char* end = position + material.size();
  std::size_t length = 0;
  if (mbedtls_asn1_get_tag(&position, end, &length,
                           MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
    return false;
  }
  return position + length == end;
}

/// True when `material` is a PEM or DER private key (unencrypted: the module has no password).
bool parses_as_key(std::string_view material) {
  if (material.empty()) return false;
  if (!looks_like_pem(material) && !is_one_der_sequence(material)) return false;
  mbedtls_pk_context key;
  mbedtls_pk_init(&key);
  int result = 0;
  if (looks_like_pem(material)) {
    const auto buffer = with_trailing_nul(material);
    result = mbedtls_pk_parse_key(&key, buffer.data(), buffer.size(), nullptr, 0);
  } else {
    result = mbedtls_pk_parse_key(&key, reinterpret_cast<const unsigned char*>(material.data()),
                                  material.size(), nullptr, 0);
  }
  mbedtls_pk_free(&key);
  return result == 0;
}

}  // namespace

StoreError CertificateStore::store_ca(std::string_view material, StoredCa& stored) {
  ParsedCertificate certificate;
  if (!certificate.parse(material)) return StoreError::not_parseable;
  stored.subject_key_id = subject_key_id(certificate.first());
  m_ca.assign(material);
  return StoreError::none;
}

StoreError CertificateStore::store(Slot slot, std::string_view material) {
  switch (slot) {
    case Slot::ca: {
      StoredCa ignored;
      return store_ca(material, ignored);
    }
    case Slot::cert: {
      ParsedCertificate certificate;
      if (!certificate.parse(material)) return StoreError::not_parseable;
      m_cert.assign(material);
      return StoreError::none;
    }
    case Slot::key:
      if (!parses_as_key(material)) return StoreError::not_parseable;
      m_key.assign(material);
      return StoreError::none;
    case Slot::auth:
      // X-CUBE's "client domain": an expected authority identity in a form the spec does not
      // know (§9 Q30); any non-empty bytes are kept as they are.
      if (material.empty()) return StoreError::not_parseable;
      m_auth.assign(material);
      return StoreError::none;
  }
  return StoreError::not_parseable;
}

void CertificateStore::clear() {
  m_ca.clear();
  m_cert.clear();
  m_key.clear();
  m_auth.clear();
}

const std::string& CertificateStore::slot(Slot slot) const {
  switch (slot) {
    case Slot::ca:
      return m_ca;
    case Slot::cert:
      return m_cert;
    case Slot::key:
      return m_key;
    case Slot::auth:
      return m_auth;
  }
  return m_auth;
}

void CertificateStore::restore(Slot slot, std::string material) {
  switch (slot) {
    case Slot::ca:
      m_ca = std::move(material);
      break;
    case Slot::cert:
      m_cert = std::move(material);
      break;
    case Slot::key:
      m_key = std::move(material);
      break;
    case Slot::auth:
      m_auth = std::move(material);
      break;
  }
}

std::string colon_hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string text;
  text.reserve(bytes.size() * 3);
  for (const std::uint8_t byte : bytes) {
    if (!text.empty()) text.push_back(':');
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0x0F]);
  }
  return text;
}

std::string plain_hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0x0F]);
  }
  return text;
}

}  // namespace spwf::tls
