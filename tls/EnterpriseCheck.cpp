#include "tls/EnterpriseCheck.hpp"

#include <mbedtls/x509.h>

#include "tls/CertificateFacts.hpp"

namespace spwf::tls {
namespace {

// Every certificate of `chain` is inside its validity window at `now`.
bool dates_hold(const mbedtls_x509_crt& chain, std::int64_t now) {
  for (const mbedtls_x509_crt* certificate = &chain; certificate != nullptr;
       certificate = certificate->next) {
    if (certificate->raw.len == 0) continue;
    if (now < seconds_since_epoch(certificate->valid_from) ||
        now > seconds_since_epoch(certificate->valid_to)) {
      return false;
    }
  }
  return true;
}

// Signature checks of `chain` up to `anchors`, ignoring dates (they are checked on the module
// clock, not the host's) and names (802.1X servers are not matched by name here).
bool leads_to(const mbedtls_x509_crt& chain, const mbedtls_x509_crt& anchors) {
  std::uint32_t flags = 0;
  const int result = mbedtls_x509_crt_verify(const_cast<mbedtls_x509_crt*>(&chain),
                                             const_cast<mbedtls_x509_crt*>(&anchors), nullptr,
                                             nullptr, &flags, nullptr, nullptr);
  constexpr std::uint32_t ignored = MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE;
  return result == 0 || (flags & ~ignored) == 0;
}

EnterpriseVerdict check_server(const mbedtls_x509_crt& chain,
                               const EnterpriseCredentials& credentials) {
  if (!credentials.ca.empty()) {
    const auto anchor = parse_certificates(credentials.ca);
    if (!anchor || !leads_to(chain, *anchor->get())) return EnterpriseVerdict::server_not_trusted;
  }
  if (!credentials.skip_date_checks && !dates_hold(chain, credentials.module_time)) {
    return EnterpriseVerdict::server_out_of_date;
  }
  return EnterpriseVerdict::accepted;
}

EnterpriseVerdict check_client_certificate(const EnterpriseServer& server,
                                           const EnterpriseCredentials& credentials) {
  if (credentials.certificate.empty() || credentials.key.empty()) {
    return EnterpriseVerdict::no_client_certificate;
  }
  const auto certificate = parse_certificates(credentials.certificate);
  const auto key = parse_private_key(credentials.key);
  if (!certificate || !key) return EnterpriseVerdict::no_client_certificate;
  if (mbedtls_pk_check_pair(&certificate->get()->pk, key->get()) != 0) {
    return EnterpriseVerdict::key_mismatch;
  }
  const auto client_ca = parse_certificates(server.client_ca);
  if (!client_ca) return EnterpriseVerdict::bad_server_material;
  if (!leads_to(*certificate->get(), *client_ca->get())) {
    return EnterpriseVerdict::client_not_trusted;
  }
  return EnterpriseVerdict::accepted;
}

}  // namespace

EnterpriseVerdict check_enterprise(const EnterpriseServer& server,
                                   const EnterpriseCredentials& credentials) {
  if (credentials.eap_type != static_cast<unsigned>(server.method)) {
    return EnterpriseVerdict::method_mismatch;
  }
  const auto chain = parse_certificates(server.chain);
  if (!chain) return EnterpriseVerdict::bad_server_material;
  if (const auto verdict = check_server(*chain->get(), credentials);
      verdict != EnterpriseVerdict::accepted) {
    return verdict;
  }
  if (server.method == EapMethod::tls) return check_client_certificate(server, credentials);
  if (credentials.identity != server.identity || credentials.password != server.password) {
    return EnterpriseVerdict::wrong_credentials;
  }
  return EnterpriseVerdict::accepted;
}

std::string_view to_string(EnterpriseVerdict verdict) {
  switch (verdict) {
    case EnterpriseVerdict::accepted:
      return "accepted";
    case EnterpriseVerdict::method_mismatch:
      return "the EAP method (wifi_eap_type) is not the server's";
    case EnterpriseVerdict::server_not_trusted:
      return "the server's chain does not lead to the WPAECERT CA";
    case EnterpriseVerdict::server_out_of_date:
      return "the server's certificate is out of date on the module clock";
    case EnterpriseVerdict::no_client_certificate:
      return "EAP-TLS without a WPAECERT certificate and key";
    case EnterpriseVerdict::key_mismatch:
      return "the WPAECERT key does not belong to its certificate";
    case EnterpriseVerdict::client_not_trusted:
      return "the server does not trust the module's certificate";
    case EnterpriseVerdict::wrong_credentials:
      return "identity or password refused";
    case EnterpriseVerdict::bad_server_material:
      break;
  }
  return "the configuration's server material does not parse";
}

}  // namespace spwf::tls
