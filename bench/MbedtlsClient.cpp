#include "MbedtlsClient.hpp"

#include <arpa/inet.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "FdBio.hpp"

namespace spwf::bench {
namespace {

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket for the mbedTLS client");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("the mbedTLS client could not connect");
  }
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

/// One client configuration (random generator, CA, TLS 1.2) shared by every handshake.
class ClientConfig {
 public:
  explicit ClientConfig(const std::filesystem::path& ca_file) {
    mbedtls_entropy_init(&m_entropy);
    mbedtls_ctr_drbg_init(&m_random);
    mbedtls_x509_crt_init(&m_ca);
    mbedtls_ssl_config_init(&m_config);
    static constexpr unsigned char personalisation[] = "bench mbedtls client";
    const bool ready =
        mbedtls_ctr_drbg_seed(&m_random, mbedtls_entropy_func, &m_entropy, personalisation,
                              sizeof personalisation) == 0 &&
        mbedtls_x509_crt_parse_file(&m_ca, ca_file.c_str()) == 0 &&
        mbedtls_ssl_config_defaults(&m_config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) == 0;
    if (!ready) throw std::runtime_error("configuring the mbedTLS client");
    mbedtls_ssl_conf_rng(&m_config, mbedtls_ctr_drbg_random, &m_random);
    mbedtls_ssl_conf_authmode(&m_config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&m_config, &m_ca, nullptr);
    mbedtls_ssl_conf_max_version(&m_config, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
  }
  ~ClientConfig() {
    mbedtls_ssl_config_free(&m_config);
    mbedtls_x509_crt_free(&m_ca);
    mbedtls_ctr_drbg_free(&m_random);
    mbedtls_entropy_free(&m_entropy);
  }
  ClientConfig(const ClientConfig&) = delete;
  ClientConfig& operator=(const ClientConfig&) = delete;

  /// One full handshake to 127.0.0.1:`port`, then close_notify and close.
  void handshake(std::uint16_t port, const std::string& host_name) {
    int fd = connect_loopback(port);
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    int result = mbedtls_ssl_setup(&ssl, &m_config);
    if (result == 0) result = mbedtls_ssl_set_hostname(&ssl, host_name.c_str());
    if (result == 0) {
      mbedtls_ssl_set_bio(&ssl, &fd, fd_bio_send, fd_bio_receive, nullptr);
      result = mbedtls_ssl_handshake(&ssl);
    }
    if (result == 0) mbedtls_ssl_close_notify(&ssl);
    const std::uint32_t flags = mbedtls_ssl_get_verify_result(&ssl);
    mbedtls_ssl_free(&ssl);
    ::close(fd);
    if (result != 0) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "mbedTLS client handshake failed: -0x%04x (verification flags 0x%x)",
                    static_cast<unsigned>(-result), static_cast<unsigned>(flags));
      throw std::runtime_error(text);
    }
  }

 private:
  mbedtls_entropy_context m_entropy;
  mbedtls_ctr_drbg_context m_random;
  mbedtls_x509_crt m_ca;
  mbedtls_ssl_config m_config;
};

}  // namespace

double mbedtls_handshakes_per_second(std::uint16_t port, const std::filesystem::path& ca_file,
                                     const std::string& host_name, int cycles,
                                     double budget_seconds) {
  ClientConfig config{ca_file};
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  int done = 0;
  while (done < cycles && elapsed() < budget_seconds) {
    config.handshake(port, host_name);
    ++done;
  }
  const double seconds = elapsed();
  return seconds > 0 ? done / seconds : 0;
}

}  // namespace spwf::bench
