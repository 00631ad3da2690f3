#include "tls/CertificateFacts.hpp"

#include <mbedtls/error.h>
#include <mbedtls/oid.h>

#include <array>
#include <cstring>

namespace spwf::tls {
namespace {

std::string_view as_view(const unsigned char* data, std::size_t length) {
  return {reinterpret_cast<const char*>(data), length};
}

std::string name_text(const mbedtls_x509_name& name) {
  std::array<char, 1024> buffer{};
  const int length = mbedtls_x509_dn_gets(buffer.data(), buffer.size(), &name);
  return length < 0 ? std::string{"?"}
                    : std::string{buffer.data(), static_cast<std::size_t>(length)};
}

}  // namespace

std::string common_name(const mbedtls_x509_crt& certificate) {
  for (const mbedtls_x509_name* name = &certificate.subject; name != nullptr; name = name->next) {
    if (name->oid.p != nullptr && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &name->oid) == 0) {
      return std::string{as_view(name->val.p, name->val.len)};
    }
  }
  return {};
}

std::string subject_text(const mbedtls_x509_crt& certificate) {
  return name_text(certificate.subject);
}

std::string issuer_text(const mbedtls_x509_crt& certificate) {
  return name_text(certificate.issuer);
}

bool is_self_issued(const mbedtls_x509_crt& certificate) {
  return certificate.subject_raw.len == certificate.issuer_raw.len &&
         as_view(certificate.subject_raw.p, certificate.subject_raw.len) ==
             as_view(certificate.issuer_raw.p, certificate.issuer_raw.len);
}

std::int64_t seconds_since_epoch(const mbedtls_x509_time& time) {
  // Howard Hinnant's days_from_civil.
  const std::int64_t month = time.mon;
  const std::int64_t year = time.year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + time.day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const std::int64_t days = era * 146097 + day_of_era - 719468;
  return days * 86400 + time.hour * 3600 + time.min * 60 + time.sec;
}

std::string hex_lower(const std::vector<std::uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const auto byte : bytes) {
    out += digits[byte >> 4];
    out += digits[byte & 0x0F];
  }
  return out;
}

std::optional<Certificate> parse_certificates(std::string_view material) {
  if (material.empty()) return std::nullopt;
  Certificate certificate;
  // mbedtls_x509_crt_parse wants PEM NUL-terminated (the length includes the NUL).
  std::string buffer{material};
  const bool pem = buffer.find("-----BEGIN") != std::string::npos;
  const int result =
      pem ? mbedtls_x509_crt_parse(certificate.get(),
                                   reinterpret_cast<const unsigned char*>(buffer.c_str()),
                                   buffer.size() + 1)
          : mbedtls_x509_crt_parse_der(certificate.get(),
                                       reinterpret_cast<const unsigned char*>(buffer.data()),
                                       buffer.size());
  // For PEM, a positive result counts certificates that failed; accept if at least one parsed.
  if (result < 0 || certificate->version == 0) return std::nullopt;
  return certificate;
}

std::optional<PrivateKey> parse_private_key(std::string_view material) {
  if (material.empty()) return std::nullopt;
  PrivateKey key;
  std::string buffer{material};
  const bool pem = buffer.find("-----BEGIN") != std::string::npos;
  const std::size_t length = pem ? buffer.size() + 1 : buffer.size();
  if (mbedtls_pk_parse_key(key.get(), reinterpret_cast<const unsigned char*>(buffer.c_str()),
                           length, nullptr, 0) != 0) {
    return std::nullopt;
  }
  return key;
}

std::string error_text(int code) {
  std::array<char, 256> buffer{};
  mbedtls_strerror(code, buffer.data(), buffer.size());
  return std::string{buffer.data()} + " (-0x" + [code] {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    unsigned value = static_cast<unsigned>(code < 0 ? -code : code);
    do {
      hex.insert(hex.begin(), digits[value & 0x0F]);
      value >>= 4;
    } while (value != 0);
    return hex;
  }() + ")";
}

}  // namespace spwf::tls
