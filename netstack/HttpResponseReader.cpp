#include "netstack/HttpResponseReader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/optional.hpp>

#include "support/Trace.hpp"

namespace spwf::net {
namespace http = boost::beast::http;
using boost::beast::error_code;

namespace {

// A Beast body that counts and drops what the parser hands it: the reader needs the framing
// only, the raw bytes go to the caller untouched.
struct DroppedBody {
  using value_type = std::uint64_t;

  class reader {
   public:
    template <bool is_request, class Fields>
    reader(http::header<is_request, Fields>&, value_type& count) : m_count(count) {}
    void init(const boost::optional<std::uint64_t>&, error_code& error) { error = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, error_code& error) {
      const std::size_t size = boost::asio::buffer_size(buffers);
      m_count += size;
      error = {};
      return size;
    }
    void finish(error_code& error) { error = {}; }

   private:
    value_type& m_count;
  };
};

}  // namespace

struct HttpResponseReader::Parser {
  http::response_parser<DroppedBody> parser;
};

HttpResponseReader::HttpResponseReader() : m_parser(std::make_unique<Parser>()) {
  m_parser->parser.header_limit(max_head_bytes);
  m_parser->parser.body_limit(boost::none);
  m_parser->parser.eager(false);
}

HttpResponseReader::~HttpResponseReader() = default;

bool HttpResponseReader::feed(std::string_view bytes, HttpReadStep& step) {
  step = {};
  if (m_head_complete) {
    step.body.assign(bytes);
    if (m_following && !message_complete()) {
      m_pending.append(bytes);
      follow_framing();
    }
    return true;
  }
  auto& parser = m_parser->parser;
  m_pending.append(bytes);
  while (!parser.is_header_done()) {
    if (m_pending.empty()) return true;
    error_code error;
    const std::size_t used = parser.put(boost::asio::buffer(m_pending), error);
    m_pending.erase(0, used);
    if (error == http::error::need_more) {
      // Beast wants the whole head in one buffer; it stays in m_pending until complete.
      if (m_pending.size() > max_head_bytes) {
        m_failure = "response head longer than " + std::to_string(max_head_bytes) + " bytes";
        return false;
      }
      return true;
    }
    if (error) {
      m_failure = "bad response head: " + error.message();
      return false;
    }
  }
  m_head_complete = true;
  m_status = parser.get().result_int();
  step.status = m_status;
  step.body = m_pending;
  parser.eager(true);
  follow_framing();
  return true;
}

bool HttpResponseReader::message_complete() const {
  return m_head_complete && m_parser->parser.is_done();
}

bool HttpResponseReader::cut_short() const {
  const auto& parser = m_parser->parser;
  return m_head_complete && m_following && !parser.is_done() &&
         (parser.content_length().has_value() || parser.chunked());
}

void HttpResponseReader::follow_framing() {
  auto& parser = m_parser->parser;
  while (m_following && !parser.is_done() && !m_pending.empty()) {
    error_code error;
    const std::size_t used = parser.put(boost::asio::buffer(m_pending), error);
    m_pending.erase(0, used);
    if (error == http::error::need_more) break;
    if (error) {
      // The body still goes through untouched; only the early end is given up.
      trace::event(trace::Channel::network, "http body framing not followed: " + error.message());
      m_following = false;
    }
  }
  // Beast needs a whole chunk-size line (or the whole trailer) in one buffer; a server that never
  // ends one would make m_pending grow with every byte it sends. Such a line is given up as a
  // head would be (the body still goes through; only the framing is no longer followed).
  if (m_following && m_pending.size() > max_head_bytes) {
    const std::string limit = std::to_string(max_head_bytes);
    trace::event(
        trace::Channel::network,
        "http body framing not followed: a chunk line or trailer over " + limit + " bytes");
    m_following = false;
  }
  if (!m_following || parser.is_done()) m_pending.clear();
}

}  // namespace spwf::net
