#pragma once
// Reads an HTTP/1.x response the way the module's HTTP client reports it (spec §3.8): the status
// code from the head, then every byte after the head handed on untouched (a chunked body keeps
// its chunk-size lines). Beast's parser reads the head; on a copy of the body bytes it follows
// the framing, so the reader can also tell when a Content-Length or chunked body is complete
// while the server still holds the connection open. Pure: bytes in, status and body out.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace spwf::net {

/// What one piece of received bytes produced.
struct HttpReadStep {
  std::optional<unsigned> status;  ///< set once, in the step where the head completes
  std::string body;                ///< raw body bytes of this piece (everything after the head)
};

/// Splits a response byte stream into the status and the raw body.
class HttpResponseReader {
 public:
  /// Largest head accepted (status line and headers).
  static constexpr std::uint32_t max_head_bytes = 16 * 1024;

  HttpResponseReader();
  ~HttpResponseReader();
  HttpResponseReader(const HttpResponseReader&) = delete;
  HttpResponseReader& operator=(const HttpResponseReader&) = delete;

  /// Feeds received bytes; false when the head is malformed or too large (see failure()).
  bool feed(std::string_view bytes, HttpReadStep& step);
  /// True once the status line and headers have been read.
  bool head_complete() const { return m_head_complete; }
  /// True once the body's own framing (Content-Length reached, last chunk read, or a status
  /// without a body) says the response is complete; never for a body that ends with the close.
  bool message_complete() const;
  /// True when the head announced the body's length (Content-Length or chunked) and the body's
  /// framing, still followed, is not complete: a close now cuts the body short.
  bool cut_short() const;
  /// The status code (0 before the head is complete).
  unsigned status() const { return m_status; }
  /// Bytes held until the parser can take them (a head, a chunk-size line or trailer not yet
  /// complete); never more than max_head_bytes plus one received piece.
  std::size_t held_bytes() const { return m_pending.size(); }
  /// Why feed() refused the bytes.
  const std::string& failure() const { return m_failure; }

 private:
  struct Parser;
  /// Runs buffered body bytes through the parser to follow the framing.
  void follow_framing();

  std::unique_ptr<Parser> m_parser;
  std::string m_pending;  // bytes the parser has not consumed yet
  bool m_head_complete = false;
  bool m_following = true;  // false once the body framing could not be followed
  unsigned m_status = 0;
  std::string m_failure;
};

}  // namespace spwf::net
