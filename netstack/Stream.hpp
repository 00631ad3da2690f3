#pragma once
// A connected byte stream as the module's sockets use it: TCP, UDP (connected, one datagram per
// read and per write) and, wrapping either, TLS. Small interface, coroutine members.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace spwf::net {

/// The kind the module reports in SOCKL (1 UDP, 2 TCP, 3 TLS).
enum class StreamKind { udp = 1, tcp = 2, tls = 3 };

/// One connected stream.
class Stream {
 public:
  virtual ~Stream() = default;
  /// Reads what is available (for UDP: one datagram, cut to the buffer). eof: orderly close.
  virtual boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      std::span<char> buffer) = 0;
  /// Writes all bytes (for UDP: one datagram).
  virtual boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes) = 0;
  /// Closes at once; pending operations end with operation_aborted.
  virtual void close() = 0;
  virtual StreamKind kind() const = 0;
  /// The Certificate Error:<n> a fault rule forces on a TLS handshake over this stream
  /// (netstack/FaultyStream), if any.
  virtual std::optional<unsigned> forced_certificate_error() const { return std::nullopt; }
};

}  // namespace spwf::net
