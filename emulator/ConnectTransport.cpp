#include "emulator/ConnectTransport.hpp"

#include <signal.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "support/Log.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view k_unix_prefix = "unix:";

/// Runs `operation` (an awaitable giving an error code) against connect_timeout; the error, or
/// timed_out.
template <typename Operation>
asio::awaitable<boost::system::error_code> within_timeout(Operation operation) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer{co_await asio::this_coro::executor, ConnectTransport::connect_timeout};
  auto result = co_await (std::move(operation) || timer.async_wait(use_tuple));
  if (result.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(result);
}

}  // namespace

std::optional<ConnectAddress> ConnectAddress::parse(std::string_view text) {
  if (text.starts_with(k_unix_prefix)) {
    ConnectAddress address;
    address.unix_path = std::string{text.substr(k_unix_prefix.size())};
    // sockaddr_un holds at most 107 bytes of path.
    if (address.unix_path.empty() || address.unix_path.size() > 107) return std::nullopt;
    return address;
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal needs brackets: [::1]:5000
  }
  unsigned port = 0;
  const auto* end = port_text.data() + port_text.size();
  const auto [last, error] = std::from_chars(port_text.data(), end, port);
  if (host.empty() || error != std::errc{} || last != end || port == 0 || port > 65535) {
    return std::nullopt;
  }
  ConnectAddress address;
  address.host = std::string{host};
  address.port = static_cast<std::uint16_t>(port);
  return address;
}

std::string ConnectAddress::text() const {
  if (!unix_path.empty()) return std::string{k_unix_prefix} + unix_path;
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ConnectTransport::ConnectTransport(asio::any_io_executor executor, ConnectAddress address)
    : LinkTransport(executor, "--connect " + address.text()),
      m_address(std::move(address)),
      m_backoff(executor) {
  // The link is written with write(2): a simulator gone mid-write must be an EPIPE error the
  // transport handles, not a SIGPIPE that ends the emulator.
  ::signal(SIGPIPE, SIG_IGN);
}

asio::awaitable<int> ConnectTransport::establish() {
  auto backoff = std::chrono::milliseconds{first_backoff};
  bool reported = false;
  for (;;) {
    std::string failure;
    if (const int descriptor = co_await connect_once(failure); descriptor >= 0)
      co_return descriptor;
    if (!reported) {
      // Once per outage: the simulator may take a while to (re)start.
      log::warn(name() + ": " + failure + "; trying again (after " +
                std::to_string(first_backoff.count()) + " ms, doubling up to " +
                std::to_string(max_backoff.count()) + " ms)");
      reported = true;
    }
    m_backoff.expires_after(backoff);
    co_await m_backoff.async_wait(use_tuple);
    backoff = std::min(backoff * 2, std::chrono::milliseconds{max_backoff});
  }
}

asio::awaitable<int> ConnectTransport::connect_once(std::string& failure) {
  if (!m_address.unix_path.empty()) co_return co_await connect_unix(failure);
  co_return co_await connect_tcp(failure);
}

asio::awaitable<int> ConnectTransport::connect_tcp(std::string& failure) {
  using tcp = asio::ip::tcp;
  tcp::resolver resolver{executor()};
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(m_address.host, std::to_string(m_address.port), use_tuple);
  if (resolve_error) {
    failure = "cannot resolve " + m_address.host + ": " + resolve_error.message();
    co_return -1;
  }
  tcp::socket socket{executor()};
  auto connect = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [error, endpoint] = co_await asio::async_connect(socket, endpoints, use_tuple);
    (void)endpoint;
    co_return error;
  };
  if (const auto error = co_await within_timeout(connect()); error) {
    failure = "cannot connect: " + error.message();
    co_return -1;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  co_return socket.release();
}

asio::awaitable<int> ConnectTransport::connect_unix(std::string& failure) {
  using unix_stream = asio::local::stream_protocol;
  unix_stream::socket socket{executor()};
  auto connect = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [error] =
        co_await socket.async_connect(unix_stream::endpoint{m_address.unix_path}, use_tuple);
    co_return error;
  };
  if (const auto error = co_await within_timeout(connect()); error) {
    failure = "cannot connect: " + error.message();
    co_return -1;
  }
  co_return socket.release();
}

std::string ConnectTransport::loss_text(const boost::system::error_code& error) const {
  const std::string reason =
      error == asio::error::eof ? "closed by the simulator" : "lost: " + error.message();
  return "the connection was " + reason + "; connecting again";
}

}  // namespace spwf::emulator
