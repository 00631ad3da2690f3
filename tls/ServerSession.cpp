#include "tls/ServerSession.hpp"

#include <algorithm>
#include <cstring>

#include "support/Trace.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyLog.hpp"

namespace spwf::tls {

std::variant<std::shared_ptr<const ServerIdentity>, std::string> load_server_identity(
    const TrustSources& trust) {
  auto identity = std::make_shared<ServerIdentity>();
  const OwnMaterial material = find_own_material(trust);
  const auto& certificate = material.certificate;
  const auto& key = material.key;
  identity->certificate_origin = material.certificate_origin;
  identity->key_origin = material.key_origin;
  if (!certificate) return std::string{"no own certificate stored (TLSCERT=cert or tls.cert)"};
  if (!key) return std::string{"no own key stored (TLSCERT=key or tls.key)"};
  auto parsed_certificate = parse_certificates(*certificate);
  if (!parsed_certificate) return std::string{"the own certificate does not parse"};
  auto parsed_key = parse_private_key(*key);
  if (!parsed_key) return std::string{"the own key does not parse"};
  if (mbedtls_pk_check_pair(&parsed_certificate->get()->pk, parsed_key->get()) != 0) {
    return std::string{"the own key does not belong to the own certificate"};
  }
  identity->certificate = std::move(*parsed_certificate);
  identity->key = std::move(*parsed_key);
  return std::shared_ptr<const ServerIdentity>{std::move(identity)};
}

ServerSession::ServerSession(std::shared_ptr<const ServerSettings> settings, std::string peer)
    : Session(settings->trace_name + " " + peer), m_settings(std::move(settings)) {}

bool ServerSession::start() {
  if (!configure(MBEDTLS_SSL_IS_SERVER)) return false;
  int result = 0;
  const ServerIdentity& identity = *m_settings->identity;
  result =
      mbedtls_ssl_conf_own_cert(m_config.get(), identity.certificate.get(), identity.key.get());
  if (result != 0) return failed(result, "setting the server certificate"), false;
  if (m_settings->client_authentication == ClientAuthentication::required) {
    // mbedTLS asks for the certificate and checks the CertificateVerify proof; whether the
    // certificate is acceptable is the module's own verification (after_step), so mbedTLS's
    // verdict is only advisory (OPTIONAL) and its CA chain a placeholder that is not advertised.
    mbedtls_ssl_conf_authmode(m_config.get(), MBEDTLS_SSL_VERIFY_OPTIONAL);
    mbedtls_ssl_conf_ca_chain(m_config.get(), identity.certificate.get(), nullptr);
    mbedtls_ssl_conf_cert_req_ca_list(m_config.get(), MBEDTLS_SSL_CERT_REQ_CA_LIST_DISABLED);
  } else {
    mbedtls_ssl_conf_authmode(m_config.get(), MBEDTLS_SSL_VERIFY_NONE);
  }
  if (!attach()) return false;
  note(std::string{"handshake starts, presenting \""} + subject_text(*identity.certificate.get()) +
       "\"" +
       (m_settings->client_authentication == ClientAuthentication::required
            ? ", client certificate required"
            : ""));
  return true;
}

// s2: once the client's Certificate message has been read, the module's verification decides.
bool ServerSession::after_step() {
  if (m_settings->client_authentication != ClientAuthentication::required || m_verdict) {
    return true;
  }
  mbedtls_ssl_context& ssl = *m_ssl.get();
  if (ssl.state <= MBEDTLS_SSL_CLIENT_CERTIFICATE || ssl.session_negotiate == nullptr) return true;
  const mbedtls_x509_crt* peer = ssl.session_negotiate->peer_cert;
  if (peer == nullptr) {
    m_verdict = Verdict::no_trust_anchor;
    m_error = "the client sent no certificate";
    note("failed: " + m_error);
    mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
    return false;
  }
  note("client certificate \"" + subject_text(*peer) + "\"");
  const HandshakeObserver no_console;  // a server's handshake prints no console lines
  const std::uint64_t now = m_settings->module_time ? m_settings->module_time() : 0;
  const VerifyContext context{m_settings->trust, {},           now,
                              no_console,        m_trace_name, NameCheck::none};
  m_verdict = verify_chain(*peer, context);
  if (*m_verdict != Verdict::ok) {
    m_error = std::string{"client certificate rejected: "} +
              std::string{certificate_error(*m_verdict).meaning};
    note("failed: " + m_error);
    const unsigned char alert = *m_verdict == Verdict::no_trust_anchor
                                    ? MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA
                                    : MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
    mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert);
    return false;
  }
  return true;
}

}  // namespace spwf::tls
