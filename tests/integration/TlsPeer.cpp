#include "tests/integration/TlsPeer.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>

namespace spwf::testing {
namespace {

int send_callback(void* context, const unsigned char* data, std::size_t length) {
  const int fd = *static_cast<int*>(context);
  const ssize_t sent = ::send(fd, data, length, MSG_NOSIGNAL);
  if (sent < 0) return errno == EPIPE ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
  return static_cast<int>(sent);
}

int receive_callback(void* context, unsigned char* data, std::size_t length) {
  const int fd = *static_cast<int*>(context);
  const ssize_t received = ::recv(fd, data, length, 0);
  if (received < 0) return MBEDTLS_ERR_NET_RECV_FAILED;
  return static_cast<int>(received);  // 0: peer closed (or the test shut the socket down)
}

/// A parsed certificate chain and key.
struct LoadedIdentity {
  mbedtls_x509_crt chain;
  mbedtls_pk_context key;
  bool loaded = false;
  LoadedIdentity() {
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
  }
  ~LoadedIdentity() {
    mbedtls_x509_crt_free(&chain);
    mbedtls_pk_free(&key);
  }
  LoadedIdentity(const LoadedIdentity&) = delete;
  LoadedIdentity& operator=(const LoadedIdentity&) = delete;
  bool load(const TlsIdentity& identity) {
    loaded = mbedtls_x509_crt_parse_file(&chain, identity.certificate.c_str()) == 0 &&
             mbedtls_pk_parse_keyfile(&key, identity.key.c_str(), nullptr) == 0;
    return loaded;
  }
};

/// Everything one connection owns (one per thread: the RNG is not shared).
struct Connection {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context random;
  mbedtls_ssl_config config;
  mbedtls_ssl_context ssl;
  mbedtls_x509_crt client_ca;
  LoadedIdentity default_identity;
  std::vector<std::pair<std::string, std::unique_ptr<LoadedIdentity>>> names;
  std::optional<std::string> server_name;
  /// Records the SNI at once, before the server answers: a client that then fails the
  /// handshake cannot get ahead of the record the test reads.
  std::function<void(const std::string&)> on_server_name;
  Connection() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&random);
    mbedtls_ssl_config_init(&config);
    mbedtls_ssl_init(&ssl);
    mbedtls_x509_crt_init(&client_ca);
  }
  ~Connection() {
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&config);
    mbedtls_ctr_drbg_free(&random);
    mbedtls_entropy_free(&entropy);
    mbedtls_x509_crt_free(&client_ca);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The SNI callback: remembers the name and picks the identity for it.
int select_by_name(void* parameter, mbedtls_ssl_context* ssl, const unsigned char* name,
                   std::size_t length) {
  auto& connection = *static_cast<Connection*>(parameter);
  connection.server_name = std::string(reinterpret_cast<const char*>(name), length);
  if (connection.on_server_name) connection.on_server_name(*connection.server_name);
  for (auto& [host, identity] : connection.names) {
    if (equal_ignoring_case(host, *connection.server_name)) {
      return mbedtls_ssl_set_hs_own_cert(ssl, &identity->chain, &identity->key);
    }
  }
  return 0;  // unknown name: the default identity
}

/// The value of the Host header of a request head ("" when absent).
std::string host_header(std::string_view head) {
  std::size_t position = 0;
  while ((position = head.find("\r\n", position)) != std::string_view::npos) {
    position += 2;
    const std::string_view line = head.substr(position, head.find("\r\n", position) - position);
    if (line.size() > 5 && equal_ignoring_case(line.substr(0, 5), "host:")) {
      std::string_view value = line.substr(5);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string{value.substr(0, value.find(':'))};
    }
  }
  return {};
}

bool write_all(mbedtls_ssl_context& ssl, std::string_view data) {
  while (!data.empty()) {
    const int written =
        mbedtls_ssl_write(&ssl, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    if (written <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

TlsPeer::TlsPeer(TlsPeerOptions options)
    : m_options(std::move(options)),
      m_tcp(std::make_unique<TcpPeer>([this](int fd) { serve(fd); })) {}

TlsPeer::~TlsPeer() {
  m_tcp.reset();
}

std::vector<TlsConnectionRecord> TlsPeer::connections() const {
  std::lock_guard lock{m_mutex};
  return m_records;
}

std::size_t TlsPeer::new_record() {
  std::lock_guard lock{m_mutex};
  m_records.emplace_back();
  return m_records.size() - 1;
}

void TlsPeer::serve(int fd) {
  const std::size_t record = new_record();
  if (m_options.mode == TlsPeerMode::stall) {
    // Take the ClientHello and never answer, until the client gives up or the test ends.
    char buffer[4096];
    while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
    }
    return;
  }

  Connection connection;
  connection.on_server_name = [this, record](const std::string& name) {
    update(record, [&](TlsConnectionRecord& entry) { entry.server_name = name; });
  };
  if (!connection.default_identity.load(m_options.default_identity)) return;
  for (const auto& [name, identity] : m_options.names) {
    auto loaded = std::make_unique<LoadedIdentity>();
    if (!loaded->load(identity)) return;
    connection.names.emplace_back(name, std::move(loaded));
  }
  static constexpr unsigned char personalisation[] = "spwf04emu TlsPeer";
  if (mbedtls_ctr_drbg_seed(&connection.random, mbedtls_entropy_func, &connection.entropy,
                            personalisation, sizeof personalisation) != 0 ||
      mbedtls_ssl_config_defaults(&connection.config, MBEDTLS_SSL_IS_SERVER,
                                  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
    return;
  }
  mbedtls_ssl_conf_rng(&connection.config, mbedtls_ctr_drbg_random, &connection.random);
  mbedtls_ssl_conf_min_version(&connection.config, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_1);
  mbedtls_ssl_conf_max_version(&connection.config, MBEDTLS_SSL_MAJOR_VERSION_3,
                               m_options.max_minor_version);
  mbedtls_ssl_conf_own_cert(&connection.config, &connection.default_identity.chain,
                            &connection.default_identity.key);
  mbedtls_ssl_conf_sni(&connection.config, select_by_name, &connection);
  if (m_options.client_auth == ClientAuth::required) {
    if (mbedtls_x509_crt_parse_file(&connection.client_ca, m_options.client_ca.c_str()) != 0) {
      return;
    }
    mbedtls_ssl_conf_ca_chain(&connection.config, &connection.client_ca, nullptr);
    mbedtls_ssl_conf_authmode(&connection.config, MBEDTLS_SSL_VERIFY_REQUIRED);
  } else {
    mbedtls_ssl_conf_authmode(&connection.config, MBEDTLS_SSL_VERIFY_NONE);
  }
  if (mbedtls_ssl_setup(&connection.ssl, &connection.config) != 0) return;
  int socket = fd;
  mbedtls_ssl_set_bio(&connection.ssl, &socket, send_callback, receive_callback, nullptr);

  const int handshake = mbedtls_ssl_handshake(&connection.ssl);
  update(record, [&](TlsConnectionRecord& entry) {
    entry.handshake_done = handshake == 0;
    entry.handshake_error = handshake;
    if (handshake == 0) entry.version = mbedtls_ssl_get_version(&connection.ssl);
    if (const auto* peer = mbedtls_ssl_get_peer_cert(&connection.ssl)) {
      for (const mbedtls_x509_name* name = &peer->subject; name != nullptr; name = name->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &name->oid) == 0) {
          entry.client_common_name.assign(reinterpret_cast<const char*>(name->val.p),
                                          name->val.len);
        }
      }
    }
  });
  if (handshake != 0) return;

  std::string pending;
  unsigned char buffer[4096];
  for (;;) {
    const int count = mbedtls_ssl_read(&connection.ssl, buffer, sizeof buffer);
    if (count <= 0) break;
    const std::string_view received(reinterpret_cast<const char*>(buffer),
                                    static_cast<std::size_t>(count));
    if (m_options.mode == TlsPeerMode::echo) {
      if (!write_all(connection.ssl, received)) break;
      continue;
    }
    pending.append(received);
    std::size_t end = 0;
    while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
      const std::string head = pending.substr(0, end + 4);
      pending.erase(0, end + 4);
      update(record, [&](TlsConnectionRecord& entry) { entry.requests.push_back(head); });
      const std::string host = host_header(head);
      // A request target that is not origin-form ("GET tls/cert.pem", spec §3.8) is refused
      // like a Host that differs from the SNI name.
      const bool origin_form =
          head.find(' ') != std::string::npos && head[head.find(' ') + 1] == '/';
      const bool refused = !origin_form || (connection.server_name &&
                                            !equal_ignoring_case(host, *connection.server_name));
      const std::string answer =
          refused ? std::string{"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"}
                  : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                        std::to_string(ok_body.size()) + "\r\n\r\n" + std::string{ok_body};
      if (!write_all(connection.ssl, answer)) return;
      if (m_options.close_after_response) {
        mbedtls_ssl_close_notify(&connection.ssl);
        return;
      }
    }
  }
  mbedtls_ssl_close_notify(&connection.ssl);
}

}  // namespace spwf::testing
