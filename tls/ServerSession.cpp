#include "tls/ServerSession.hpp"

#include <algorithm>
#include <cstring>

#include "support/Trace.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyLog.hpp"

namespace spwf::tls {
namespace {

constexpr std::string_view personalisation = "spwf04emu tls server";

}  // namespace

std::variant<std::shared_ptr<const ServerIdentity>, std::string> load_server_identity(
    const TrustSources& trust) {
  auto identity = std::make_shared<ServerIdentity>();
  std::optional<std::string> certificate;
  std::optional<std::string> key;
  if (!trust.flash_cert.empty()) {
    certificate = trust.flash_cert;
    identity->certificate_origin = Origin::flash;
  } else if (trust.files) {
    certificate = trust.files("tls.cert");
    identity->certificate_origin = Origin::file_system;
  }
  if (!trust.flash_key.empty()) {
    key = trust.flash_key;
    identity->key_origin = Origin::flash;
  } else if (trust.files) {
    key = trust.files("tls.key");
    identity->key_origin = Origin::file_system;
  }
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
    : m_settings(std::move(settings)), m_trace_name(m_settings->trace_name + " " + peer) {}

void ServerSession::note(const std::string& text) const {
  if (trace::enabled()) trace::event(trace::Channel::tls, m_trace_name + " " + text);
}

void ServerSession::failed(int code, std::string_view what) {
  m_error = std::string{what} + ": " + error_text(code);
  note("failed: " + m_error);
}

bool ServerSession::start() {
  int result = mbedtls_ctr_drbg_seed(m_random.get(), mbedtls_entropy_func, m_entropy.get(),
                                     reinterpret_cast<const unsigned char*>(personalisation.data()),
                                     personalisation.size());
  if (result != 0) return failed(result, "seeding the random generator"), false;
  result = mbedtls_ssl_config_defaults(m_config.get(), MBEDTLS_SSL_IS_SERVER,
                                       MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (result != 0) return failed(result, "configuring"), false;
  // TLS 1.0 to 1.2 as the module.
  mbedtls_ssl_conf_min_version(m_config.get(), MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_1);
  mbedtls_ssl_conf_max_version(m_config.get(), MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_rng(m_config.get(), mbedtls_ctr_drbg_random, m_random.get());
  if (key_log_enabled()) {
    mbedtls_ssl_conf_export_keys_ext_cb(m_config.get(), export_keys_callback, this);
  }
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
  result = mbedtls_ssl_setup(m_ssl.get(), m_config.get());
  if (result != 0) return failed(result, "setting up the session"), false;
  mbedtls_ssl_set_bio(m_ssl.get(), this, send_callback, receive_callback, nullptr);
  note(std::string{"handshake starts, presenting \""} + subject_text(*identity.certificate.get()) +
       "\"" +
       (m_settings->client_authentication == ClientAuthentication::required
            ? ", client certificate required"
            : ""));
  return true;
}

HandshakeProgress ServerSession::handshake() {
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
  note(std::string{"handshake done: "} + mbedtls_ssl_get_version(m_ssl.get()) + " " +
       mbedtls_ssl_get_ciphersuite(m_ssl.get()));
  return HandshakeProgress::done;
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

void ServerSession::receive(std::string_view bytes) {
  if (m_input_offset > 0 && m_input_offset == m_input.size()) {
    m_input.clear();
    m_input_offset = 0;
  }
  m_input += bytes;
}

std::string ServerSession::take_output() {
  std::string out;
  out.swap(m_output);
  return out;
}

ReadResult ServerSession::read(std::span<char> buffer) {
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

bool ServerSession::write(std::string_view bytes) {
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

void ServerSession::close_notify() {
  (void)mbedtls_ssl_close_notify(m_ssl.get());
}

int ServerSession::send_callback(void* self, const unsigned char* data, std::size_t length) {
  auto& session = *static_cast<ServerSession*>(self);
  session.m_output.append(reinterpret_cast<const char*>(data), length);
  return static_cast<int>(length);
}

int ServerSession::receive_callback(void* self, unsigned char* data, std::size_t length) {
  auto& session = *static_cast<ServerSession*>(self);
  const std::size_t available = session.m_input.size() - session.m_input_offset;
  if (available == 0) return session.m_input_ended ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
  const std::size_t count = std::min(available, length);
  std::memcpy(data, session.m_input.data() + session.m_input_offset, count);
  session.m_input_offset += count;
  return static_cast<int>(count);
}

int ServerSession::export_keys_callback(void* /*self*/, const unsigned char* master_secret,
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
