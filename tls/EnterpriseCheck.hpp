#pragma once
// The WPA-Enterprise (802.1X) authentication of a join, as the emulator models it: no EAP frames
// are exchanged, but the decisions a real supplicant and authentication server make are taken
// on real material with mbedTLS. The module (AT+S.WPAECERT slots, wifi_eap_* variables) trusts
// the server's chain only if it leads to the stored CA (when one is stored), with dates on the
// module clock unless wifi_eap_skip_datechecks is set; EAP-TLS needs the module's certificate,
// signed by the CA the server trusts, and the key that goes with it; PEAP and TTLS need the
// identity and password the server knows.

#include <cstdint>
#include <string>
#include <string_view>

namespace spwf::tls {

/// The EAP methods (? wifi_eap_type 0 EAP-TLS, 1 PEAP, 2 TTLS: adopted, spec §6 gives no values).
enum class EapMethod { tls = 0, peap = 1, ttls = 2 };

/// What the network's authentication server has and expects.
struct EnterpriseServer {
  EapMethod method = EapMethod::tls;
  std::string chain;      ///< PEM: the certificate chain the server presents, leaf first
  std::string client_ca;  ///< PEM: the CA a client certificate must lead to (EAP-TLS)
  std::string identity;   ///< the known user (PEAP, TTLS)
  std::string password;
};

/// What the module brings.
struct EnterpriseCredentials {
  unsigned eap_type = 0;  ///< wifi_eap_type
  std::string ca;         ///< WPAECERT ca slot (empty: the server is not checked)
  std::string certificate;
  std::string key;
  std::string identity;  ///< wifi_eap_identity
  std::string password;  ///< wifi_eap_passwd
  bool skip_date_checks = false;
  std::int64_t module_time = 0;  ///< seconds since 1970 on the module clock
};

/// How the authentication ended.
enum class EnterpriseVerdict {
  accepted,
  method_mismatch,        ///< the module asked for another method than the server runs
  server_not_trusted,     ///< the server's chain does not lead to the stored CA
  server_out_of_date,     ///< a date check failed on the module clock
  no_client_certificate,  ///< EAP-TLS without a certificate and key in the store
  key_mismatch,           ///< the stored key does not belong to the stored certificate
  client_not_trusted,     ///< the server does not trust the module's certificate
  wrong_credentials,      ///< PEAP/TTLS identity or password refused
  bad_server_material,    ///< the configuration's server material does not parse
};

/// Runs the checks in the order a join meets them (method, server chain, client side).
EnterpriseVerdict check_enterprise(const EnterpriseServer& server,
                                   const EnterpriseCredentials& credentials);

/// Short text for the trace.
std::string_view to_string(EnterpriseVerdict verdict);

}  // namespace spwf::tls
