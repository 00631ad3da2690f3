#include "netstack/HttpClient.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <utility>
#include <variant>

#include "netstack/Connector.hpp"
#include "netstack/HttpResponseReader.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string_view to_string(HttpError error) {
  switch (error) {
    case HttpError::none:
      return "complete";
    case HttpError::name_not_resolved:
      return "name not resolved";
    case HttpError::connect_failed:
      return "connect failed";
    case HttpError::tls_failed:
      return "TLS handshake failed";
    case HttpError::send_failed:
      return "request not sent";
    case HttpError::no_response:
      return "connection ended before a complete response head";
    case HttpError::bad_response:
      return "malformed response head";
    case HttpError::read_failed:
      return "connection failed during the body";
    case HttpError::timed_out:
      return "server silent for the idle timeout";
    case HttpError::sink_refused:
      return "transfer stopped by the receiver";
  }
  return "unknown";
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t index = 0;
  for (; index + 3 <= bytes.size(); index += 3) {
    const std::uint32_t group =
        static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index])) << 16 |
        static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index + 1])) << 8 |
        static_cast<unsigned char>(bytes[index + 2]);
    out += alphabet[(group >> 18) & 63];
    out += alphabet[(group >> 12) & 63];
    out += alphabet[(group >> 6) & 63];
    out += alphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - index;
  if (rest > 0) {
    std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index]))
                          << 16;
    if (rest == 2)
      group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index + 1])) << 8;
    out += alphabet[(group >> 18) & 63];
    out += alphabet[(group >> 12) & 63];
    out += rest == 2 ? alphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string serialize_request(const HttpRequest& request) {
  const bool post = request.method == HttpMethod::post;
  http::request<http::string_body> message{post ? http::verb::post : http::verb::get, request.path,
                                           11};
  // Fields go out in the order they are set: the module's order (spec §3.8).
  message.set(http::field::host, request.host);
  if (!request.user.empty()) {
    message.set(http::field::authorization,
                "Basic " + base64_encode(request.user + ":" + request.password));
  }
  message.set(http::field::connection, "close");
  if (post) {
    message.set(http::field::content_type, "application/x-www-form-urlencoded");
    message.content_length(request.body.size());
    message.body() = request.body;
  }
  std::string bytes;
  http::request_serializer<http::string_body> serializer{message};
  boost::beast::error_code error;
  do {
    serializer.next(error, [&](boost::beast::error_code& step_error, const auto& buffers) {
      step_error = {};
      bytes += boost::beast::buffers_to_string(buffers);
      serializer.consume(asio::buffer_size(buffers));
    });
  } while (!error && !serializer.is_done());
  if (error) log::error("http request not serialised: " + error.message());
  return bytes;
}

asio::awaitable<HttpError> http_exchange(asio::any_io_executor executor, const HostMapper& mapper,
                                         HttpRequest request, StreamWrapper wrap,
                                         HttpTimeouts timeouts, HttpResponseSink& sink) {
  using asio::experimental::awaitable_operators::operator||;
  const std::string target = request.host + ":" + std::to_string(request.port);
  auto connected = co_await connect_to(executor, mapper, request.host, request.port,
                                       wrap ? StreamKind::tls : StreamKind::tcp, timeouts.connect,
                                       request.faults);
  if (const auto* failure = std::get_if<NetError>(&connected)) {
    co_return *failure == NetError::name_not_resolved ? HttpError::name_not_resolved
                                                      : HttpError::connect_failed;
  }
  std::unique_ptr<Stream> stream = std::move(std::get<Connection>(connected).stream);
  if (wrap) {
    stream = co_await wrap(std::move(stream));
    if (!stream) co_return HttpError::tls_failed;
  }

  const std::string bytes = serialize_request(request);
  trace::event(trace::Channel::network, "http " + target + " request " + trace::escape(bytes));
  asio::steady_timer timer{executor, timeouts.idle};
  auto sent =
      co_await (stream->write_all(bytes) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (sent.index() == 1 || std::get<0>(sent)) {
    trace::event(trace::Channel::network, "http " + target + " request not sent");
    stream->close();
    co_return HttpError::send_failed;
  }

  HttpResponseReader reader;
  HttpReadStep step;
  std::array<char, 16384> buffer;
  for (;;) {
    timer.expires_after(timeouts.idle);
    auto outcome = co_await (stream->read_some({buffer.data(), buffer.size()}) ||
                             timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 1) {
      trace::event(trace::Channel::network, "http " + target + " silent for " +
                                                std::to_string(timeouts.idle.count()) + " ms");
      stream->close();
      co_return HttpError::timed_out;
    }
    const auto [error, count] = std::get<0>(outcome);
    if (count > 0) {
      if (!reader.feed({buffer.data(), count}, step)) {
        trace::event(trace::Channel::network, "http " + target + " " + reader.failure());
        stream->close();
        co_return HttpError::bad_response;
      }
      if (step.status) {
        trace::event(trace::Channel::network,
                     "http " + target + " status " + std::to_string(*step.status));
        sink.status(*step.status);
      }
      if (!step.body.empty() && !sink.body(step.body)) {
        stream->close();
        co_return HttpError::sink_refused;
      }
      if (!step.body.empty()) co_await sink.ready();
      if (reader.message_complete()) {
        trace::event(trace::Channel::network, "http " + target + " response complete");
        stream->close();
        co_return HttpError::none;
      }
    }
    if (error) {
      stream->close();
      if (!reader.head_complete()) {
        trace::event(trace::Channel::network,
                     "http " + target + " ended before the head: " + error.message());
        co_return HttpError::no_response;
      }
      if (error == asio::error::eof) {
        trace::event(trace::Channel::network, "http " + target + " closed by the server");
        if (reader.cut_short()) sink.cut_short();
        co_return HttpError::none;
      }
      trace::event(trace::Channel::network,
                   "http " + target + " failed during the body: " + error.message());
      co_return HttpError::read_failed;
    }
  }
}

}  // namespace spwf::net
