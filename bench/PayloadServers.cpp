#include "PayloadServers.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "FdBio.hpp"

namespace spwf::bench {

namespace payload {

namespace {

/// A plain TCP connection as a ServerStream.
class PlainStream final : public ServerStream {
 public:
  explicit PlainStream(int fd) : m_fd(fd) {}
  long read_some(char* target, std::size_t length) override {
    for (;;) {
      const ssize_t count = ::recv(m_fd, target, length, 0);
      if (count < 0 && errno == EINTR) continue;
      return static_cast<long>(count);
    }
  }
  bool write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t count = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(count));
    }
    return true;
  }
  void finish() override { ::shutdown(m_fd, SHUT_WR); }

 private:
  int m_fd;
};

/// One server-side TLS connection (own RNG, configuration and context) as a ServerStream.
class TlsStream final : public ServerStream {
 public:
  TlsStream(int fd, mbedtls_x509_crt& chain, mbedtls_pk_context& key) : m_fd(fd) {
    mbedtls_entropy_init(&m_entropy);
    mbedtls_ctr_drbg_init(&m_random);
    mbedtls_ssl_config_init(&m_config);
    mbedtls_ssl_init(&m_ssl);
    static constexpr unsigned char personalisation[] = "spwf04emu bench TlsServer";
    m_ready =
        mbedtls_ctr_drbg_seed(&m_random, mbedtls_entropy_func, &m_entropy, personalisation,
                              sizeof personalisation) == 0 &&
        mbedtls_ssl_config_defaults(&m_config, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) == 0;
    if (!m_ready) return;
    mbedtls_ssl_conf_rng(&m_config, mbedtls_ctr_drbg_random, &m_random);
    mbedtls_ssl_conf_min_version(&m_config, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_1);
    mbedtls_ssl_conf_authmode(&m_config, MBEDTLS_SSL_VERIFY_NONE);
    // A modern server's preference (OpenSSL's default order): mbedTLS's own puts secp521r1
    // first, and a server picks by its own preference among the curves the client offers.
    static constexpr mbedtls_ecp_group_id curves[] = {
        MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP521R1,
        MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE};
    mbedtls_ssl_conf_curves(&m_config, curves);
    m_ready = mbedtls_ssl_conf_own_cert(&m_config, &chain, &key) == 0 &&
              mbedtls_ssl_setup(&m_ssl, &m_config) == 0;
    mbedtls_ssl_set_bio(&m_ssl, &m_fd, fd_bio_send, fd_bio_receive, nullptr);
  }
  ~TlsStream() override {
    mbedtls_ssl_free(&m_ssl);
    mbedtls_ssl_config_free(&m_config);
    mbedtls_ctr_drbg_free(&m_random);
    mbedtls_entropy_free(&m_entropy);
  }
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  /// Runs the handshake; true when it succeeded.
  bool handshake() { return m_ready && mbedtls_ssl_handshake(&m_ssl) == 0; }

  long read_some(char* target, std::size_t length) override {
    for (;;) {
      const int count = mbedtls_ssl_read(&m_ssl, reinterpret_cast<unsigned char*>(target), length);
      if (count == MBEDTLS_ERR_SSL_WANT_READ || count == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      if (count == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
      return count;
    }
  }
  bool write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      const int written = mbedtls_ssl_write(
          &m_ssl, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
      if (written == MBEDTLS_ERR_SSL_WANT_READ || written == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      if (written <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
  }
  void finish() override {
    mbedtls_ssl_close_notify(&m_ssl);
    ::shutdown(m_fd, SHUT_WR);
  }

 private:
  int m_fd;
  bool m_ready = false;
  mbedtls_entropy_context m_entropy;
  mbedtls_ctr_drbg_context m_random;
  mbedtls_ssl_config m_config;
  mbedtls_ssl_context m_ssl;
};

}  // namespace

namespace {

/// Turns Nagle off: mbedTLS 2.28 sends each handshake message on its own, and Nagle holding
/// the second one until the peer's delayed ACK (40 ms) would be the server's cost, not the
/// module's.
void disable_nagle(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

}  // namespace

PlainServer::PlainServer(StreamHandler handler)
    : m_server([handler = std::move(handler)](int fd) {
        disable_nagle(fd);
        PlainStream stream{fd};
        handler(stream);
      }) {}

/// The parsed certificate chain and key, shared read-only by the connections.
struct TlsServer::Identity {
  mbedtls_x509_crt chain;
  mbedtls_pk_context key;
  Identity() {
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
  }
  ~Identity() {
    mbedtls_x509_crt_free(&chain);
    mbedtls_pk_free(&key);
  }
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
};

TlsServer::TlsServer(const std::filesystem::path& certificate, const std::filesystem::path& key,
                     StreamHandler handler)
    : m_identity(std::make_unique<Identity>()), m_handler(std::move(handler)) {
  if (mbedtls_x509_crt_parse_file(&m_identity->chain, certificate.c_str()) != 0) {
    throw std::runtime_error("cannot parse the certificate " + certificate.string());
  }
  if (mbedtls_pk_parse_keyfile(&m_identity->key, key.c_str(), nullptr) != 0) {
    throw std::runtime_error("cannot parse the key " + key.string());
  }
  m_server = std::make_unique<LoopbackServer>([this](int fd) { serve(fd); });
}

TlsServer::~TlsServer() {
  m_server.reset();
}

void TlsServer::serve(int fd) {
  disable_nagle(fd);
  TlsStream stream{fd, m_identity->chain, m_identity->key};
  if (!stream.handshake()) {
    ++m_failed;
    return;
  }
  ++m_handshakes;
  m_handler(stream);
}

void make_test_certificates(const std::string& script, const std::filesystem::path& directory,
                            const std::string& options) {
  const std::string command =
      "'" + script + "' '" + directory.string() + "' " + options + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace payload

}  // namespace spwf::bench
