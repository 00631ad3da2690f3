#include "tls/ClientSession.hpp"

#include <algorithm>
#include <cstring>

#include "support/Trace.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyLog.hpp"
#include "tls/NamePolicy.hpp"

namespace spwf::tls {
namespace {

// The mbedTLS alert that goes with a certificate verdict.
unsigned char alert_for(Verdict verdict) {
  switch (verdict) {
    case Verdict::no_trust_anchor:
    case Verdict::self_signed_leaf:
    case Verdict::self_signed_in_chain:
      return MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA;
    case Verdict::expired:
    case Verdict::not_yet_valid:
      return MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED;
    default:
      return MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
  }
}

}  // namespace

ClientSession::ClientSession(ClientSettings settings)
    : Session(settings.trace_name), m_settings(std::move(settings)) {}

void ClientSession::report(const HandshakeEvent& event) {
  if (m_settings.observer) m_settings.observer(event);
}

bool ClientSession::start() {
  if (!configure(MBEDTLS_SSL_IS_CLIENT)) return false;
  // The certificate is judged by the module's own algorithm (ChainVerifier) once it has
  // arrived, so mbedTLS's own verification stays off.
  mbedtls_ssl_conf_authmode(m_config.get(), MBEDTLS_SSL_VERIFY_NONE);
  int result = 0;
  if (load_own_material()) {
    result = mbedtls_ssl_conf_own_cert(m_config.get(), m_own_certificate->get(), m_own_key->get());
    if (result != 0) return failed(result, "setting the client certificate"), false;
  }
  if (!attach()) return false;
  const std::string sni = sni_for(m_settings.server_name);
  result = mbedtls_ssl_set_hostname(m_ssl.get(), sni.c_str());
  if (result != 0) return failed(result, "setting the server name"), false;
  note("SNI \"" + sni + "\", name checked \"" + m_settings.server_name + "\"");
  return true;
}

// The client certificate and key: flash slots, else the files tls.cert / tls.key. They are
// configured up front but reported (Loading:2 / Loading:3) only when the server asks for them.
bool ClientSession::load_own_material() {
  OwnMaterial material = find_own_material(m_settings.trust);
  const auto& certificate = material.certificate;
  const auto& key = material.key;
  m_certificate_origin = material.certificate_origin;
  m_key_origin = material.key_origin;
  if (!certificate && !key) return false;
  if (!certificate || !key) {
    m_own_problem =
        certificate ? "a client certificate without a key" : "a client key without a certificate";
    return false;
  }
  m_own_certificate = parse_certificates(*certificate);
  m_own_key = parse_private_key(*key);
  if (!m_own_certificate || !m_own_key) {
    m_own_problem = !m_own_certificate ? "the client certificate does not parse"
                                       : "the client key does not parse";
    m_own_certificate.reset();
    m_own_key.reset();
    return false;
  }
  return true;
}

bool ClientSession::handshake_finished() {
  if (!m_verdict) {
    // A suite without a server certificate (anonymous or PSK): the module has no such thing.
    m_verdict = Verdict::no_trust_anchor;
    const auto& entry = certificate_error(Verdict::no_trust_anchor);
    report(CertificateFailure{Verdict::no_trust_anchor, entry.code});
    m_error = "no server certificate";
    note("failed: no server certificate, code " + std::to_string(entry.code));
    return false;
  }
  return true;
}

// Runs the module's checks as soon as the handshake has passed the message they concern.
bool ClientSession::after_step() {
  mbedtls_ssl_context& ssl = *m_ssl.get();
  if (!m_verdict && ssl.state > MBEDTLS_SSL_SERVER_CERTIFICATE &&
      ssl.session_negotiate != nullptr && ssl.session_negotiate->peer_cert != nullptr) {
    const VerifyContext context{m_settings.trust, m_settings.server_name, m_settings.module_time,
                                m_settings.observer, m_trace_name};
    m_verdict = verify_chain(*ssl.session_negotiate->peer_cert, context);
    if (*m_verdict == Verdict::ok && m_settings.forced_certificate_error) {
      // Reported as a real failure would be; the alert of an unclassified one.
      m_verdict = Verdict::other;
      const auto code = static_cast<std::uint8_t>(*m_settings.forced_certificate_error);
      report(CertificateFailure{Verdict::other, code});
      note("failed: a fault rule forces code " + std::to_string(code));
    }
    if (*m_verdict != Verdict::ok) {
      mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert_for(*m_verdict));
      m_error = std::string{"certificate rejected: "} +
                std::string{certificate_error(*m_verdict).meaning};
      return false;
    }
  }
  if (!m_client_auth_checked && ssl.state > MBEDTLS_SSL_CERTIFICATE_REQUEST) {
    m_client_auth_checked = true;
    if (ssl.client_auth != 0) {
      if (m_own_certificate) {
        note("server asked for a client certificate: sending \"" +
             subject_text(*m_own_certificate->get()) + "\"");
        report(Loading{Material::own_certificate, m_certificate_origin});
        report(Loading{Material::own_key, m_key_origin});
      } else if (!m_own_problem.empty()) {
        const auto& entry = certificate_error(Verdict::other);
        note("server asked for a client certificate, but " + m_own_problem + ": code " +
             std::to_string(entry.code));
        report(CertificateFailure{Verdict::other, entry.code});
        m_error = m_own_problem;
        mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                       MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR);
        return false;
      } else {
        note("server asked for a client certificate; none stored: sending an empty list");
      }
    }
  }
  return true;
}

}  // namespace spwf::tls
