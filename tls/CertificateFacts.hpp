#pragma once
// Facts about one parsed X.509 certificate that the module's verification needs: the subject
// Common Name, readable names for the trace, validity as seconds since 1970, and parsing from PEM
// or DER into owners. (Key identifiers: KeyIdentifiers.hpp.)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/Owners.hpp"

namespace spwf::tls {

/// The subject's Common Name (the first CN attribute), empty when there is none.
std::string common_name(const mbedtls_x509_crt& certificate);
/// The subject as one line ("CN=..., O=...").
std::string subject_text(const mbedtls_x509_crt& certificate);
/// The issuer as one line.
std::string issuer_text(const mbedtls_x509_crt& certificate);
/// True when subject and issuer are the same name (a self-issued, normally self-signed cert).
bool is_self_issued(const mbedtls_x509_crt& certificate);
/// Seconds since 1970-01-01 UTC of an X.509 time (may be negative before 1970).
std::int64_t seconds_since_epoch(const mbedtls_x509_time& time);
/// Lower-case hex without separators.
std::string hex_lower(const std::vector<std::uint8_t>& bytes);

/// Parses one or more certificates from PEM or DER bytes; nullopt when nothing parses.
std::optional<Certificate> parse_certificates(std::string_view material);
/// Parses a private key (PEM or DER, unencrypted); nullopt when it does not parse.
std::optional<PrivateKey> parse_private_key(std::string_view material);
/// mbedtls_strerror text for an mbedTLS return code.
std::string error_text(int code);

}  // namespace spwf::tls
