#include "tls/ClientSession.hpp"

#include <algorithm>
#include <cstring>

#include "support/Trace.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyLog.hpp"
#include "tls/NamePolicy.hpp"

namespace spwf::tls {
namespace {

constexpr std::string_view personalisation = "spwf04emu tls client";

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

ClientSession::ClientSession(ClientSettings settings) : m_settings(std::move(settings)) {}

void ClientSession::note(const std::string& text) const {
  if (trace::enabled()) trace::event(trace::Channel::tls, m_settings.trace_name + " " + text);
}

void ClientSession::report(const HandshakeEvent& event) {
  if (m_settings.observer) m_settings.observer(event);
}

void ClientSession::failed(int code, std::string_view what) {
  m_error = std::string{what} + ": " + error_text(code);
  note("failed: " + m_error);
}

bool ClientSession::start() {
  int result = mbedtls_ctr_drbg_seed(m_random.get(), mbedtls_entropy_func, m_entropy.get(),
                                     reinterpret_cast<const unsigned char*>(personalisation.data()),
                                     personalisation.size());
  if (result != 0) return failed(result, "seeding the random generator"), false;
  result = mbedtls_ssl_config_defaults(m_config.get(), MBEDTLS_SSL_IS_CLIENT,
                                       MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (result != 0) return failed(result, "configuring"), false;
  // TLS 1.0 to 1.2 as the module; the certificate is judged by the module's own algorithm
  // (ChainVerifier) once it has arrived, so mbedTLS's own verification stays off.
  mbedtls_ssl_conf_min_version(m_config.get(), MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_1);
  mbedtls_ssl_conf_max_version(m_config.get(), MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_authmode(m_config.get(), MBEDTLS_SSL_VERIFY_NONE);
  mbedtls_ssl_conf_rng(m_config.get(), mbedtls_ctr_drbg_random, m_random.get());
  if (key_log_enabled()) {
    mbedtls_ssl_conf_export_keys_ext_cb(m_config.get(), export_keys_callback, this);
  }
  if (load_own_material()) {
    result = mbedtls_ssl_conf_own_cert(m_config.get(), m_own_certificate->get(), m_own_key->get());
    if (result != 0) return failed(result, "setting the client certificate"), false;
  }
  result = mbedtls_ssl_setup(m_ssl.get(), m_config.get());
  if (result != 0) return failed(result, "setting up the session"), false;
  const std::string sni = sni_for(m_settings.server_name);
  result = mbedtls_ssl_set_hostname(m_ssl.get(), sni.c_str());
  if (result != 0) return failed(result, "setting the server name"), false;
  note("SNI \"" + sni + "\", name checked \"" + m_settings.server_name + "\"");
  mbedtls_ssl_set_bio(m_ssl.get(), this, send_callback, receive_callback, nullptr);
  return true;
}

// The client certificate and key: flash slots, else the files tls.cert / tls.key. They are
// configured up front but reported (Loading:2 / Loading:3) only when the server asks for them.
bool ClientSession::load_own_material() {
  const TrustSources& trust = m_settings.trust;
  std::optional<std::string> certificate;
  std::optional<std::string> key;
  if (!trust.flash_cert.empty()) {
    certificate = trust.flash_cert;
    m_certificate_origin = Origin::flash;
  } else if (trust.files) {
    certificate = trust.files("tls.cert");
    m_certificate_origin = Origin::file_system;
  }
  if (!trust.flash_key.empty()) {
    key = trust.flash_key;
    m_key_origin = Origin::flash;
  } else if (trust.files) {
    key = trust.files("tls.key");
    m_key_origin = Origin::file_system;
  }
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

HandshakeProgress ClientSession::handshake() {
  while (m_ssl->state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    const int result = mbedtls_ssl_handshake_step(m_ssl.get());
    if (!after_step()) return HandshakeProgress::failed;
    if (result == MBEDTLS_ERR_SSL_WANT_READ) {
      if (m_input_ended) {
        failed(MBEDTLS_ERR_SSL_CONN_EOF, "handshake");
        return HandshakeProgress::failed;
      }
      return HandshakeProgress::want_read;
    }
    if (result != 0) {
      failed(result, "handshake");
      return HandshakeProgress::failed;
    }
  }
  if (!m_verdict) {
    // A suite without a server certificate (anonymous or PSK): the module has no such thing.
    m_verdict = Verdict::no_trust_anchor;
    const auto& entry = certificate_error(Verdict::no_trust_anchor);
    report(CertificateFailure{Verdict::no_trust_anchor, entry.code});
    m_error = "no server certificate";
    note("failed: no server certificate, code " + std::to_string(entry.code));
    return HandshakeProgress::failed;
  }
  note("handshake done: " + version() + " " + mbedtls_ssl_get_ciphersuite(m_ssl.get()));
  return HandshakeProgress::done;
}

// Runs the module's checks as soon as the handshake has passed the message they concern.
bool ClientSession::after_step() {
  mbedtls_ssl_context& ssl = *m_ssl.get();
  if (!m_verdict && ssl.state > MBEDTLS_SSL_SERVER_CERTIFICATE &&
      ssl.session_negotiate != nullptr && ssl.session_negotiate->peer_cert != nullptr) {
    const VerifyContext context{m_settings.trust, m_settings.server_name, m_settings.module_time,
                                m_settings.observer, m_settings.trace_name};
    m_verdict = verify_chain(*ssl.session_negotiate->peer_cert, context);
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

void ClientSession::receive(std::string_view bytes) {
  if (m_input_offset > 0 && m_input_offset == m_input.size()) {
    m_input.clear();
    m_input_offset = 0;
  }
  m_input += bytes;
}

std::string ClientSession::take_output() {
  std::string out;
  out.swap(m_output);
  return out;
}

ReadResult ClientSession::read(std::span<char> buffer) {
  const int result =
      mbedtls_ssl_read(m_ssl.get(), reinterpret_cast<unsigned char*>(buffer.data()), buffer.size());
  if (result > 0) return {ReadStatus::data, static_cast<std::size_t>(result)};
  if (result == MBEDTLS_ERR_SSL_WANT_READ) {
    return {m_input_ended ? ReadStatus::closed : ReadStatus::want_read, 0};
  }
  if (result == 0 || result == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
    note("peer sent close_notify");
    return {ReadStatus::closed, 0};
  }
  if (result == MBEDTLS_ERR_SSL_CONN_EOF) return {ReadStatus::closed, 0};
  failed(result, "read");
  return {ReadStatus::failed, 0};
}

bool ClientSession::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const int result = mbedtls_ssl_write(
        m_ssl.get(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    if (result < 0) {
      failed(result, "write");
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(result));
  }
  return true;
}

void ClientSession::close_notify() {
  (void)mbedtls_ssl_close_notify(m_ssl.get());
}

std::string ClientSession::version() const {
  return mbedtls_ssl_get_version(m_ssl.get());
}

int ClientSession::send_callback(void* self, const unsigned char* data, std::size_t length) {
  auto& session = *static_cast<ClientSession*>(self);
  session.m_output.append(reinterpret_cast<const char*>(data), length);
  return static_cast<int>(length);
}

int ClientSession::receive_callback(void* self, unsigned char* data, std::size_t length) {
  auto& session = *static_cast<ClientSession*>(self);
  const std::size_t available = session.m_input.size() - session.m_input_offset;
  if (available == 0) return session.m_input_ended ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
  const std::size_t count = std::min(available, length);
  std::memcpy(data, session.m_input.data() + session.m_input_offset, count);
  session.m_input_offset += count;
  return static_cast<int>(count);
}

int ClientSession::export_keys_callback(void* /*self*/, const unsigned char* master_secret,
                                        const unsigned char* /*key_block*/,
                                        std::size_t /*mac_length*/, std::size_t /*key_length*/,
                                        std::size_t /*iv_length*/,
                                        const unsigned char client_random[32],
                                        const unsigned char /*server_random*/[32],
                                        mbedtls_tls_prf_types /*prf_type*/) {
  log_session_keys({client_random, 32}, {master_secret, 48});
  return 0;
}

}  // namespace spwf::tls
