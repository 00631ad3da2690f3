#pragma once
// The module's HTTP client (spec §3.8): one request over the emulator's own connections (host
// mapping, --allow/--deny and, for TLS, the same wrapping as SOCKON), the response's status and
// raw body handed to a sink as they arrive. The request is the module's minimal HTTP/1.1 form:
//   GET <path> HTTP/1.1\r\nHost: <host>\r\n[Authorization: Basic <b64>\r\n]Connection:
//   close\r\n\r\n
// and for POST also Content-Type (form-urlencoded) and Content-Length before the blank line.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "netstack/ClientSockets.hpp"  // StreamWrapper
#include "netstack/Connector.hpp"      // FaultScope
#include "netstack/HostMapper.hpp"

namespace spwf::net {

/// The two methods the module knows.
enum class HttpMethod { get, post };

/// One request as HTTPGET/HTTPPOST describe it.
struct HttpRequest {
  HttpMethod method = HttpMethod::get;
  std::string host;  ///< connect target, Host header and TLS name
  std::string path = "/";
  std::uint16_t port = 80;
  std::string user;  ///< basic authentication when not empty
  std::string password;
  std::string body;   ///< POST only
  FaultScope faults;  ///< the fault rules the connection is matched against
};

/// How an exchange ended.
enum class HttpError {
  none,               ///< the response was read to its end (close or complete framing)
  name_not_resolved,  ///< DNS failure
  connect_failed,     ///< refused, unreachable, timed out, denied by --allow/--deny
  tls_failed,         ///< the TLS wrapper refused (it has reported why)
  send_failed,        ///< the request could not be written
  no_response,        ///< the connection ended before a complete response head
  bad_response,       ///< the head was malformed or too large
  read_failed,        ///< the connection failed (reset) after the head
  timed_out,          ///< nothing arrived for the idle timeout
  sink_refused,       ///< the sink stopped the transfer (e.g. a download file too large)
};

/// Short text for logs.
std::string_view to_string(HttpError error);

/// Timeouts of one exchange.
struct HttpTimeouts {
  std::chrono::milliseconds connect{5000};  ///< TCP connect (the TLS wrapper has its own)
  std::chrono::milliseconds idle{20000};    ///< longest silence while sending or receiving
};

/// Receives the response as it arrives.
class HttpResponseSink {
 public:
  virtual ~HttpResponseSink() = default;
  /// The status code, once, when the head is complete.
  virtual void status(unsigned code) = 0;
  /// Raw body bytes in arrival order; false stops the transfer (sink_refused).
  virtual bool body(std::string_view bytes) = 0;
  /// The server closed before the body's announced length arrived; the exchange still ends
  /// with `none` (HTTPGET passes on what came), a sink that must have it all is told here.
  virtual void cut_short() {}
  /// Waits until the sink can take more: the next read from the server waits for it, so a body
  /// is relayed at the pace of whoever reads it (the host on the console) and never piles up.
  virtual boost::asio::awaitable<void> ready() { co_return; }
};

/// The module's request bytes (Beast serialises them).
std::string serialize_request(const HttpRequest& request);

/// Base64 (RFC 4648, with padding) for the Authorization header.
std::string base64_encode(std::string_view bytes);

/// Connects (mapped, allowed, wrapped by `wrap` when set), sends the request and passes the
/// response to `sink` until the server closes or the framing says the response is complete.
boost::asio::awaitable<HttpError> http_exchange(boost::asio::any_io_executor executor,
                                                const HostMapper& mapper, HttpRequest request,
                                                StreamWrapper wrap, HttpTimeouts timeouts,
                                                HttpResponseSink& sink);

}  // namespace spwf::net
