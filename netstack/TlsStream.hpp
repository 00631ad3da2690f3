#pragma once
// TLS over a connected plain stream (spec §3.5.4): the client handshake with the module's policy
// (tls::ClientSession), or a TLS server's handshake (tls::ServerSession, spec §3.6), then
// decrypting reads and encrypting writes. TLS wraps a Stream rather
// than inheriting from TCP; the session runs over in-memory buffers that this class feeds from
// and drains to the wrapped stream.

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "netstack/ClientSockets.hpp"
#include "netstack/Stream.hpp"
#include "tls/ClientSession.hpp"
#include "tls/ServerSession.hpp"

namespace spwf::net {

/// A TLS stream (client or server side) over a connected TCP stream.
class TlsStream : public Stream {
 public:
  TlsStream(std::unique_ptr<Stream> plain, tls::ClientSettings settings);
  /// Any session, e.g. the server side of a TLS socket server.
  TlsStream(std::unique_ptr<Stream> plain, std::unique_ptr<tls::Session> session);

  /// Runs the handshake; false when it failed or `timeout` passed (the session's error() says
  /// why; certificate verdicts have been reported to the observer).
  boost::asio::awaitable<bool> handshake(std::chrono::milliseconds timeout);
  /// The session, for its verdict and error after handshake().
  const tls::Session& session() const { return *m_session; }

  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      std::span<char> buffer) override;
  boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes) override;
  /// Sends close_notify (when no write is in flight) and closes the plain stream.
  void close() override;
  StreamKind kind() const override { return StreamKind::tls; }

 private:
  boost::asio::awaitable<boost::system::error_code> flush();

  std::unique_ptr<Stream> m_plain;
  std::unique_ptr<tls::Session> m_session;
  std::unique_ptr<boost::asio::steady_timer> m_flush_done;
  bool m_flushing = false;
  bool m_established = false;  ///< the handshake completed (close_notify makes sense)
  bool m_closed = false;
};

/// Connects TLS over `plain`: nullptr when the handshake fails (already reported and traced).
boost::asio::awaitable<std::unique_ptr<Stream>> tls_connect(std::unique_ptr<Stream> plain,
                                                            tls::ClientSettings settings,
                                                            std::chrono::milliseconds timeout);

/// The StreamWrapper ClientSockets::open runs for a TLS client socket. The module has one open
/// timeout for connect and handshake together (the host gives SOCKON 5 s, spec §2.11): the
/// handshake must end by `timeout` after this call, so callers make the wrapper just before they
/// start connecting.
StreamWrapper tls_client_wrapper(tls::ClientSettings settings, std::chrono::milliseconds timeout);

}  // namespace spwf::net
