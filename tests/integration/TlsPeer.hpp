#pragma once
// A TLS server for the integration tests, written with mbedTLS on top of TcpPeer (one thread per
// connection, stopped when destroyed). It plays a name-based virtual host: it picks its
// certificate by the SNI it receives, records that SNI, and refuses an HTTP request whose Host
// header differs from the SNI name (as real vhosts do), which is what the seed thread observed.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/Peers.hpp"

namespace spwf::testing {

/// The certificate (chain, PEM file) and key (PEM file) a server presents.
struct TlsIdentity {
  std::filesystem::path certificate{};
  std::filesystem::path key{};
};

/// What the server does once a connection is there.
enum class TlsPeerMode {
  http,   ///< handshake, then answer HTTP/1.1 requests (200; 400 when Host != SNI or the
          ///< target does not start with '/')
  echo,   ///< handshake, then echo every byte
  stall,  ///< accept the TCP connection and never answer (a server stuck mid-handshake)
};

/// Whether the server asks for a client certificate.
enum class ClientAuth { none, required };

/// The server's settings.
struct TlsPeerOptions {
  TlsIdentity default_identity{};
  /// SNI name -> identity; no SNI or an unknown name gets the default identity.
  std::vector<std::pair<std::string, TlsIdentity>> names{};
  TlsPeerMode mode = TlsPeerMode::http;
  ClientAuth client_auth = ClientAuth::none;
  /// CA (PEM file) that client certificates must chain to when client_auth is required.
  std::filesystem::path client_ca{};
  /// Highest protocol version offered: 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2 (mbedTLS minor numbers).
  int max_minor_version = 3;
  /// http mode: close the connection (close_notify) after the first response.
  bool close_after_response = false;
};

/// What one connection saw.
struct TlsConnectionRecord {
  std::optional<std::string> server_name;  ///< the SNI received (nullopt: none sent)
  bool handshake_done = false;
  int handshake_error = 0;            ///< mbedTLS error when the handshake failed
  std::string client_common_name;     ///< CN of the client certificate, if one was sent
  std::vector<std::string> requests;  ///< HTTP request heads received
  std::string version;                ///< the negotiated protocol ("TLSv1.2")
};

/// A TLS server on 127.0.0.1:<ephemeral>.
class TlsPeer {
 public:
  explicit TlsPeer(TlsPeerOptions options);
  ~TlsPeer();
  TlsPeer(const TlsPeer&) = delete;
  TlsPeer& operator=(const TlsPeer&) = delete;

  std::uint16_t port() const { return m_tcp->port(); }
  /// A copy of the records of every connection so far, in accept order.
  std::vector<TlsConnectionRecord> connections() const;
  /// The body the server sends with 200 OK.
  static constexpr std::string_view ok_body = "hello from the test vhost\n";

 private:
  void serve(int fd);
  std::size_t new_record();
  template <typename Change>
  void update(std::size_t index, Change change) {
    std::lock_guard lock{m_mutex};
    change(m_records[index]);
  }

  TlsPeerOptions m_options;
  mutable std::mutex m_mutex;  // guards m_records (connection threads vs test thread)
  std::vector<TlsConnectionRecord> m_records;
  // Declared last: destroyed first, so every connection thread is joined before the rest goes.
  std::unique_ptr<TcpPeer> m_tcp;
};

}  // namespace spwf::testing
