#include "netstack/Connector.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "netstack/FaultyStream.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

// The host's resolver: Asio runs getaddrinfo on its own thread and cannot stop it.
void host_lookup(asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                 std::function<void(std::optional<asio::ip::address>)> done) {
  auto resolver = std::make_shared<tcp::resolver>(executor);
  resolver->async_resolve(
      host, std::to_string(port),
      [resolver, host, done = std::move(done)](const boost::system::error_code& error,
                                               const tcp::resolver::results_type& results) {
        if (error || results.empty()) {
          trace::event(trace::Channel::network,
                       "resolve " + host + " failed: " + (error ? error.message() : "no address"));
          done(std::nullopt);
          return;
        }
        // The module is an IPv4 device: prefer an IPv4 address.
        for (const auto& entry : results) {
          if (entry.endpoint().address().is_v4()) return done(entry.endpoint().address());
        }
        done(results.begin()->endpoint().address());
      });
}

// Waits for one lookup until `deadline`. A result that comes later finds nobody waiting: the
// state it completes lives as long as the lookup holds it.
struct Lookup {
  explicit Lookup(const asio::any_io_executor& executor)
      : done(executor, Clock::time_point::max()) {}
  asio::steady_timer done;
  bool finished = false;
  std::optional<asio::ip::address> address;
};

asio::awaitable<std::optional<asio::ip::address>> look_up(asio::any_io_executor executor,
                                                          const HostMapper& mapper,
                                                          const std::string& host,
                                                          std::uint16_t port,
                                                          Clock::time_point deadline) {
  auto lookup = std::make_shared<Lookup>(executor);
  auto finish = [lookup](std::optional<asio::ip::address> address) {
    if (lookup->finished) return;
    lookup->finished = true;
    lookup->address = address;
    lookup->done.cancel();
  };
  lookup->done.expires_at(deadline);
  if (mapper.lookup()) {
    mapper.lookup()(executor, host, port, finish);
  } else {
    host_lookup(executor, host, port, finish);
  }
  if (!lookup->finished) co_await lookup->done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!lookup->finished) {
    lookup->finished = true;  // a late answer is ignored
    trace::event(trace::Channel::network, "resolve " + host + " timed out");
    co_return std::nullopt;
  }
  co_return lookup->address;
}

// The effective address of a mapped target: its literal or --resolve address as it is, other
// names through the host's resolver (not with --no-host-dns).
asio::awaitable<std::optional<asio::ip::address>> resolve(asio::any_io_executor executor,
                                                          const HostMapper& mapper,
                                                          const MappedTarget& target,
                                                          Clock::time_point deadline) {
  std::optional<asio::ip::address> address = target.fixed_address;
  if (!address && !target.host.empty()) {
    if (!mapper.host_dns()) {
      trace::event(trace::Channel::network,
                   "resolve " + target.host + ": no --resolve rule and --no-host-dns");
      co_return std::nullopt;
    }
    address = co_await look_up(executor, mapper, target.host, target.port, deadline);
  }
  if (!address) co_return std::nullopt;
  co_return effective_address(*address);
}

void report_refused(const std::string& host, const std::string& what) {
  log::warn("connection to " + host + " (" + what + ") refused by --allow/--deny");
  trace::event(trace::Channel::network, "connect " + host + " (" + what + ") denied by rules");
}

asio::awaitable<std::variant<Connection, NetError>> open_udp(asio::any_io_executor executor,
                                                             const udp::endpoint& endpoint) {
  const std::string peer = printable_address(endpoint.address());
  udp::socket socket{executor};
  boost::system::error_code error;
  socket.open(endpoint.protocol(), error);
  if (!error) socket.connect(endpoint, error);
  if (error) {
    trace::event(trace::Channel::network, "udp " + peer + " failed: " + error.message());
    co_return NetError::connect_failed;
  }
  trace::event(trace::Channel::network,
               "udp bound to " + peer + ":" + std::to_string(endpoint.port()));
  co_return Connection{std::make_unique<UdpStream>(std::move(socket)), peer};
}

asio::awaitable<std::variant<Connection, NetError>> open_tcp(asio::any_io_executor executor,
                                                             const tcp::endpoint& endpoint,
                                                             Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  const std::string peer = printable_address(endpoint.address());
  const std::string where = peer + ":" + std::to_string(endpoint.port());
  tcp::socket socket{executor};
  asio::steady_timer timer{executor, deadline};
  auto outcome = co_await (socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable)) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 1) {
    trace::event(trace::Channel::network, "connect " + where + " timed out");
    co_return NetError::connect_failed;
  }
  if (const auto [error] = std::get<0>(outcome); error) {
    trace::event(trace::Channel::network, "connect " + where + " failed: " + error.message());
    co_return NetError::connect_failed;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  trace::event(trace::Channel::network, "connected to " + where);
  co_return Connection{std::make_unique<TcpStream>(std::move(socket)), peer};
}

}  // namespace

asio::awaitable<std::optional<asio::ip::address>> resolve_name(asio::any_io_executor executor,
                                                               const HostMapper& mapper,
                                                               std::string host, std::uint16_t port,
                                                               std::chrono::milliseconds timeout) {
  const MappedTarget target = mapper.map(host, port);
  if (!target.fixed_address &&
      (mapper.refused_by_name(host) || mapper.refused_by_name(target.host))) {
    report_refused(host, "by name, not looked up");
    co_return std::nullopt;
  }
  co_return co_await resolve(executor, mapper, target, Clock::now() + timeout);
}

asio::awaitable<std::variant<udp::endpoint, NetError>> resolve_destination(
    asio::any_io_executor executor, const HostMapper& mapper, std::string host, std::uint16_t port,
    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const MappedTarget target = mapper.map(host, port);
  if (mapper.refused_by_name(host) || mapper.refused_by_name(target.host)) {
    report_refused(host, "by name, not looked up");
    co_return NetError::connect_failed;
  }
  const auto address = co_await resolve(executor, mapper, target, deadline);
  if (!address) co_return NetError::name_not_resolved;
  trace::event(trace::Channel::network,
               "resolve " + target.description + " = " + address->to_string());
  if (!mapper.allowed(host, *address) || !mapper.allowed(target.host, *address)) {
    report_refused(host, address->to_string());
    co_return NetError::connect_failed;
  }
  co_return udp::endpoint{*address, target.port};
}

namespace {

asio::awaitable<std::variant<Connection, NetError>> connect_plain(
    asio::any_io_executor executor, const HostMapper& mapper, std::string host, std::uint16_t port,
    StreamKind kind, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto destination = co_await resolve_destination(executor, mapper, std::move(host), port, timeout);
  if (const auto* error = std::get_if<NetError>(&destination)) co_return *error;
  const auto endpoint = std::get<udp::endpoint>(destination);
  if (kind == StreamKind::udp) co_return co_await open_udp(executor, endpoint);
  co_return co_await open_tcp(executor, {endpoint.address(), endpoint.port()}, deadline);
}

}  // namespace

asio::awaitable<std::variant<Connection, NetError>> connect_to(
    asio::any_io_executor executor, const HostMapper& mapper, std::string host, std::uint16_t port,
    StreamKind kind, std::chrono::milliseconds timeout, const FaultScope& faults) {
  std::vector<config::FaultRule> rules;
  if (faults.rules != nullptr && !faults.rules->empty()) {
    const MappedTarget target = mapper.map(host, port);
    rules = faults.rules->select(
        {target.host.empty() ? host : target.host, target.port, faults.id, faults.kind});
    if (auto failure = connection_fault(rules, faults.name)) co_return *failure;
  }
  auto outcome = co_await connect_plain(executor, mapper, std::move(host), port, kind, timeout);
  auto* connection = std::get_if<Connection>(&outcome);
  if (connection != nullptr && !rules.empty()) {
    connection->stream = with_faults(executor, std::move(connection->stream), std::move(rules),
                                     *faults.rules, faults.name);
  }
  co_return outcome;
}

std::unique_ptr<Stream> accepted_with_faults(asio::any_io_executor executor,
                                             std::unique_ptr<Stream> stream,
                                             const std::string& host, std::uint16_t port,
                                             const FaultScope& faults) {
  if (faults.rules == nullptr || faults.rules->empty()) return stream;
  auto rules = faults.rules->select({host, port, faults.id, faults.kind});
  if (connection_fault(rules, faults.name)) {
    stream->close();
    return nullptr;
  }
  return with_faults(executor, std::move(stream), std::move(rules), *faults.rules, faults.name);
}

}  // namespace spwf::net
