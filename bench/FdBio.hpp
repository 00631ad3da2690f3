#pragma once
// mbedTLS send/receive callbacks over a blocking socket whose descriptor the context points to
// (an int*): the benchmarks' own TLS server (PayloadServers) and bare client (MbedtlsClient).

#include <mbedtls/net_sockets.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

namespace spwf::bench {

inline int fd_bio_send(void* context, const unsigned char* data, std::size_t length) {
  const int fd = *static_cast<int*>(context);
  for (;;) {
    const ssize_t sent = ::send(fd, data, length, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) return errno == EPIPE ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
    return static_cast<int>(sent);
  }
}

inline int fd_bio_receive(void* context, unsigned char* data, std::size_t length) {
  const int fd = *static_cast<int*>(context);
  for (;;) {
    const ssize_t received = ::recv(fd, data, length, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0) return MBEDTLS_ERR_NET_RECV_FAILED;
    return static_cast<int>(received);  // 0: the peer closed
  }
}

}  // namespace spwf::bench
