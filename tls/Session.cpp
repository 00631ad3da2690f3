#include "tls/Session.hpp"

#include <algorithm>
#include <cstring>

#include "support/Trace.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyLog.hpp"
#include "tls/SharedRandom.hpp"

namespace spwf::tls {
namespace {

// The key-exchange curves offered, most preferred first. ? Which curves firmware 1.1.x offers,
// and in what order, is unknown (spec §3.5.4); mbedTLS's default puts secp521r1 first, so servers
// picked P-521 and every handshake paid for it. Adopted: P-256 first, the curve mbedTLS 2.28
// computes fastest (its NIST reduction; its x25519 uses generic arithmetic and measured half as
// fast in bench_tls), then x25519 and the larger NIST curves, so a server limited to any of them
// still finds one.
constexpr mbedtls_ecp_group_id k_offered_curves[] = {
    MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_SECP521R1, MBEDTLS_ECP_DP_NONE};

}  // namespace

bool Session::configure(int endpoint) {
  int result = shared_random_status();
  if (result != 0) return failed(result, "seeding the random generator"), false;
  result = mbedtls_ssl_config_defaults(m_config.get(), endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                       MBEDTLS_SSL_PRESET_DEFAULT);
  if (result != 0) return failed(result, "configuring"), false;
  mbedtls_ssl_conf_min_version(m_config.get(), MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_1);
  mbedtls_ssl_conf_max_version(m_config.get(), MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_rng(m_config.get(), shared_random, nullptr);
  mbedtls_ssl_conf_curves(m_config.get(), k_offered_curves);
  if (key_log_enabled()) {
    mbedtls_ssl_conf_export_keys_ext_cb(m_config.get(), export_keys_callback, this);
  }
  return true;
}

bool Session::attach() {
  const int result = mbedtls_ssl_setup(m_ssl.get(), m_config.get());
  if (result != 0) return failed(result, "setting up the session"), false;
  mbedtls_ssl_set_bio(m_ssl.get(), this, send_callback, receive_callback, nullptr);
  return true;
}

void Session::note(const std::string& text) const {
  if (trace::enabled()) trace::event(trace::Channel::tls, m_trace_name + " " + text);
}

void Session::failed(int code, std::string_view what) {
  m_error = std::string{what} + ": " + error_text(code);
  note("failed: " + m_error);
}

HandshakeProgress Session::handshake() {
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
  if (!handshake_finished()) return HandshakeProgress::failed;
  note("handshake done: " + version() + " " + mbedtls_ssl_get_ciphersuite(m_ssl.get()));
  return HandshakeProgress::done;
}

void Session::receive(std::string_view bytes) {
  if (m_input_offset > 0 && m_input_offset == m_input.size()) {
    m_input.clear();
    m_input_offset = 0;
  }
  m_input += bytes;
}

std::string Session::take_output() {
  std::string out;
  out.swap(m_output);
  return out;
}

ReadResult Session::read(std::span<char> buffer) {
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

bool Session::write(std::string_view bytes) {
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

void Session::close_notify() {
  (void)mbedtls_ssl_close_notify(m_ssl.get());
}

std::string Session::version() const {
  return mbedtls_ssl_get_version(m_ssl.get());
}

int Session::send_callback(void* self, const unsigned char* data, std::size_t length) {
  auto& session = *static_cast<Session*>(self);
  session.m_output.append(reinterpret_cast<const char*>(data), length);
  return static_cast<int>(length);
}

int Session::receive_callback(void* self, unsigned char* data, std::size_t length) {
  auto& session = *static_cast<Session*>(self);
  const std::size_t available = session.m_input.size() - session.m_input_offset;
  if (available == 0) return session.m_input_ended ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
  const std::size_t count = std::min(available, length);
  std::memcpy(data, session.m_input.data() + session.m_input_offset, count);
  session.m_input_offset += count;
  return static_cast<int>(count);
}

int Session::export_keys_callback(void* /*self*/, const unsigned char* master_secret,
                                  const unsigned char* /*key_block*/, std::size_t /*mac_length*/,
                                  std::size_t /*key_length*/, std::size_t /*iv_length*/,
                                  const unsigned char client_random[32],
                                  const unsigned char /*server_random*/[32],
                                  mbedtls_tls_prf_types /*prf_type*/) {
  log_session_keys({client_random, 32}, {master_secret, 48});
  return 0;
}

}  // namespace spwf::tls
