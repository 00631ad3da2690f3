#include "tls/KeyIdentifiers.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include <cstring>

namespace spwf::tls {
namespace {

/// The DER bytes of the extension OID, without tag and length.
struct ExtensionOid {
  const char* bytes;
  std::size_t length;
};

constexpr ExtensionOid subject_key_identifier_oid{MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER,
                                                  sizeof(MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER) - 1};
constexpr ExtensionOid authority_key_identifier_oid{
    MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER, sizeof(MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER) - 1};

/// A span of DER content bytes.
struct Contents {
  unsigned char* begin;
  const unsigned char* end;
};

/// Finds the extnValue contents of the extension `oid`. mbedTLS 2.28 leaves v3_ext at the
/// contents of the [3] wrapper: the Extensions SEQUENCE, a series of Extension SEQUENCEs
/// { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
std::optional<Contents> find_extension(const mbedtls_x509_crt& certificate, ExtensionOid oid) {
  if (certificate.v3_ext.p == nullptr || certificate.v3_ext.len == 0) return std::nullopt;
  unsigned char* position = certificate.v3_ext.p;
  const unsigned char* end = position + certificate.v3_ext.len;
  {
    // Unwrap the Extensions SEQUENCE unless v3_ext already starts at the first Extension
    // (an Extension starts with its OID once unwrapped; the Extensions list with a SEQUENCE).
    unsigned char* inner = position;
    std::size_t length = 0;
    if (mbedtls_asn1_get_tag(&inner, end, &length,
                             MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
      return std::nullopt;
    }
    if (inner + length == end && length > 0 && *inner != MBEDTLS_ASN1_OID) position = inner;
  }
  while (position < end) {
    std::size_t length = 0;
    if (mbedtls_asn1_get_tag(&position, end, &length,
                             MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
      return std::nullopt;
    }
    const unsigned char* const extension_end = position + length;
    unsigned char* field = position;
    position += length;

    std::size_t oid_length = 0;
    if (mbedtls_asn1_get_tag(&field, extension_end, &oid_length, MBEDTLS_ASN1_OID) != 0) {
      return std::nullopt;
    }
    const bool wanted = oid_length == oid.length && std::memcmp(field, oid.bytes, oid.length) == 0;
    field += oid_length;
    if (!wanted) continue;

    int critical = 0;
    const int boolean = mbedtls_asn1_get_bool(&field, extension_end, &critical);
    if (boolean != 0 && boolean != MBEDTLS_ERR_ASN1_UNEXPECTED_TAG) return std::nullopt;
    std::size_t value_length = 0;
    if (mbedtls_asn1_get_tag(&field, extension_end, &value_length, MBEDTLS_ASN1_OCTET_STRING) !=
        0) {
      return std::nullopt;
    }
    return Contents{field, field + value_length};
  }
  return std::nullopt;
}

std::vector<std::uint8_t> bytes_of(const unsigned char* begin, std::size_t length) {
  return std::vector<std::uint8_t>(begin, begin + length);
}

}  // namespace

std::optional<std::vector<std::uint8_t>> subject_key_id(const mbedtls_x509_crt& certificate) {
  auto value = find_extension(certificate, subject_key_identifier_oid);
  if (!value) return std::nullopt;
  // SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING
  std::size_t length = 0;
  if (mbedtls_asn1_get_tag(&value->begin, value->end, &length, MBEDTLS_ASN1_OCTET_STRING) != 0) {
    return std::nullopt;
  }
  return bytes_of(value->begin, length);
}

std::optional<std::vector<std::uint8_t>> authority_key_id(const mbedtls_x509_crt& certificate) {
  auto value = find_extension(certificate, authority_key_identifier_oid);
  if (!value) return std::nullopt;
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL,
  //   authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }
  std::size_t length = 0;
  if (mbedtls_asn1_get_tag(&value->begin, value->end, &length,
                           MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
    return std::nullopt;
  }
  const unsigned char* const sequence_end = value->begin + length;
  if (mbedtls_asn1_get_tag(&value->begin, sequence_end, &length,
                           MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) != 0) {
    return std::nullopt;
  }
  return bytes_of(value->begin, length);
}

}  // namespace spwf::tls
