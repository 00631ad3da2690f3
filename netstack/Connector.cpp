#include "netstack/Connector.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

// Resolves the mapped target to one address, preferring IPv4 as the module is an IPv4 device.
asio::awaitable<std::optional<asio::ip::address>> resolve(asio::any_io_executor executor,
                                                          const MappedTarget& target) {
  if (target.fixed_address) co_return target.fixed_address;
  boost::system::error_code error;
  const auto literal = asio::ip::make_address(target.host, error);
  if (!error) co_return literal;
  if (target.host.empty()) co_return std::nullopt;
  tcp::resolver resolver{executor};
  auto [resolve_error, results] = co_await resolver.async_resolve(
      target.host, std::to_string(target.port), asio::as_tuple(asio::use_awaitable));
  if (resolve_error || results.empty()) {
    trace::event(trace::Channel::network,
                 "resolve " + target.host +
                     " failed: " + (resolve_error ? resolve_error.message() : "no address"));
    co_return std::nullopt;
  }
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) co_return entry.endpoint().address();
  }
  co_return results.begin()->endpoint().address();
}

}  // namespace

asio::awaitable<std::optional<asio::ip::address>> resolve_name(asio::any_io_executor executor,
                                                               const HostMapper& mapper,
                                                               std::string host,
                                                               std::uint16_t port) {
  co_return co_await resolve(executor, mapper.map(host, port));
}

asio::awaitable<std::variant<Connection, NetError>> connect_to(asio::any_io_executor executor,
                                                               const HostMapper& mapper,
                                                               std::string host, std::uint16_t port,
                                                               StreamKind kind,
                                                               std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  const MappedTarget target = mapper.map(host, port);
  const auto address = co_await resolve(executor, target);
  if (!address) co_return NetError::name_not_resolved;
  trace::event(trace::Channel::network,
               "resolve " + target.description + " = " + address->to_string());
  if (!mapper.allowed(host, *address) || !mapper.allowed(target.host, *address)) {
    log::warn("connection to " + host + " (" + address->to_string() +
              ") refused by --allow/--deny");
    trace::event(trace::Channel::network, "connect " + address->to_string() + " denied by rules");
    co_return NetError::connect_failed;
  }
  const std::string peer = address->to_string();
  if (kind == StreamKind::udp) {
    udp::socket socket{executor};
    boost::system::error_code error;
    socket.open(address->is_v4() ? udp::v4() : udp::v6(), error);
    if (!error) socket.connect({*address, target.port}, error);
    if (error) {
      trace::event(trace::Channel::network, "udp " + peer + " failed: " + error.message());
      co_return NetError::connect_failed;
    }
    trace::event(trace::Channel::network,
                 "udp bound to " + peer + ":" + std::to_string(target.port));
    co_return Connection{std::make_unique<UdpStream>(std::move(socket)), peer};
  }
  tcp::socket socket{executor};
  asio::steady_timer timer{executor, timeout};
  auto outcome = co_await (
      socket.async_connect({*address, target.port}, asio::as_tuple(asio::use_awaitable)) ||
      timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 1) {
    trace::event(trace::Channel::network, "connect " + peer + " timed out");
    co_return NetError::connect_failed;
  }
  const auto [error] = std::get<0>(outcome);
  if (error) {
    trace::event(trace::Channel::network, "connect " + peer + ":" + std::to_string(target.port) +
                                              " failed: " + error.message());
    co_return NetError::connect_failed;
  }
  socket.set_option(tcp::no_delay(true));
  trace::event(trace::Channel::network, "connected to " + peer + ":" + std::to_string(target.port));
  co_return Connection{std::make_unique<TcpStream>(std::move(socket)), peer};
}

}  // namespace spwf::net
