#include "emulator/ControlServer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <deque>
#include <filesystem>
#include <stdexcept>

#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;
using Generic = asio::generic::stream_protocol;

std::optional<ControlAddress> ControlAddress::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  ControlAddress address;
  const auto colon = text.rfind(':');
  const bool tcp = text.find('/') == std::string_view::npos && colon != std::string_view::npos &&
                   colon + 1 < text.size();
  unsigned port = 0;
  if (tcp) {
    const auto digits = text.substr(colon + 1);
    const auto [end, failure] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (failure == std::errc{} && end == digits.data() + digits.size() && port <= 65535) {
      std::string host{text.substr(0, colon)};
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      address.host = host.empty() ? "127.0.0.1" : host;
      address.port = static_cast<std::uint16_t>(port);
      return address;
    }
  }
  address.path = std::string{text};
  return address;
}

/// One connected client: its socket, its subscription and the lines waiting to go out.
struct ControlServer::Client {
  explicit Client(Generic::socket s) : socket(std::move(s)), wake(socket.get_executor()) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }
  Generic::socket socket;
  ClientState state;
  std::deque<std::string> queue;
  std::size_t queued_bytes = 0;
  std::size_t dropped = 0;
  asio::steady_timer wake;
  bool closed = false;

  /// Queues a line; an event (not a reply) is dropped and counted when the queue is full.
  void send(std::string line, bool is_reply) {
    if (closed) return;
    if (!is_reply && queued_bytes + line.size() > limits::control_client_output) {
      ++dropped;
      return;
    }
    if (!is_reply && dropped > 0) {
      push("{\"event\":\"dropped\",\"count\":" + std::to_string(dropped) + "}");
      dropped = 0;
    }
    push(std::move(line));
  }
  void push(std::string line) {
    line += '\n';
    queued_bytes += line.size();
    queue.push_back(std::move(line));
    wake.cancel();
  }
};

namespace {

Generic::endpoint bind_endpoint(const asio::any_io_executor& executor,
                                const ControlAddress& address) {
  if (!address.path.empty()) {
    // A socket file left by an emulator that is gone is replaced; one that answers is in use.
    std::error_code ignored;
    if (std::filesystem::is_socket(address.path, ignored)) {
      asio::local::stream_protocol::socket probe{executor};
      boost::system::error_code error;
      probe.connect(address.path, error);
      if (!error) throw std::runtime_error("address in use (another emulator serves it)");
      std::filesystem::remove(address.path, ignored);
    }
    return asio::local::stream_protocol::endpoint{address.path};
  }
  boost::system::error_code error;
  const auto ip = asio::ip::make_address(address.host, error);
  if (error) throw std::runtime_error("expected an IP address, not " + address.host);
  return asio::ip::tcp::endpoint{ip, address.port};
}

/// The port of a bound TCP endpoint (sockaddr_in and sockaddr_in6 keep it at the same place).
std::uint16_t bound_port(const Generic::endpoint& endpoint) {
  const auto* raw = reinterpret_cast<const sockaddr_in*>(endpoint.data());
  return ntohs(raw->sin_port);
}

}  // namespace

ControlServer::ControlServer(asio::any_io_executor executor, const ControlAddress& address,
                             ControlProtocol& protocol)
    : m_executor(executor), m_protocol(protocol), m_acceptor(executor) {
  const Generic::endpoint endpoint = bind_endpoint(executor, address);
  boost::system::error_code error;
  m_acceptor.open(endpoint.protocol(), error);
  if (!error && address.path.empty()) {
    m_acceptor.set_option(asio::socket_base::reuse_address(true), error);
  }
  if (!error) m_acceptor.bind(endpoint, error);
  if (!error) m_acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw std::runtime_error(error.message());
  if (!address.path.empty()) {
    m_path = address.path;
    m_local_address = "unix:" + m_path;
  } else {
    const std::string host =
        address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
    m_local_address = "tcp:" + host + ":" + std::to_string(bound_port(m_acceptor.local_endpoint()));
  }
}

ControlServer::~ControlServer() {
  if (m_observing) trace::set_observer({});
  boost::system::error_code ignored;
  m_acceptor.close(ignored);
  for (auto& client : m_clients) client->socket.close(ignored);
  std::error_code unlinked;
  if (!m_path.empty()) std::filesystem::remove(m_path, unlinked);
}

void ControlServer::start() {
  asio::co_spawn(m_executor, accept_loop(), [](std::exception_ptr failure) {
    if (failure) log::error("control interface: the listener failed");
  });
}

std::string ControlServer::local_address() const {
  return m_local_address;
}

asio::awaitable<void> ControlServer::accept_loop() {
  for (;;) {
    auto [error, socket] = co_await m_acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted) co_return;
    if (error) continue;  // a client that left before it was accepted
    if (m_clients.size() >= limits::control_clients) {
      const std::string refusal = "{\"id\":null,\"error\":\"too many control clients (" +
                                  std::to_string(limits::control_clients) + ")\"}\n";
      boost::system::error_code ignored;
      asio::write(socket, asio::buffer(refusal), ignored);
      socket.close(ignored);
      continue;
    }
    auto client = std::make_shared<Client>(std::move(socket));
    m_clients.push_back(client);
    auto log_failure = [](std::exception_ptr failure) {
      if (failure) log::warn("control interface: a client session failed");
    };
    asio::co_spawn(m_executor, serve(client), log_failure);
    asio::co_spawn(m_executor, write_loop(client), log_failure);
  }
}

asio::awaitable<void> ControlServer::serve(std::shared_ptr<Client> client) {
  std::string pending;
  bool skipping = false;  // inside a line longer than the limit
  char buffer[4096];
  for (;;) {
    auto [error, count] = co_await client->socket.async_read_some(
        asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (error || client->closed) break;
    pending.append(buffer, count);
    std::size_t start = 0;
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
      const bool overlong = end - start > limits::control_line;
      if (!skipping && overlong) {
        client->send(ControlProtocol::overlong_reply(limits::control_line), true);
      } else if (!skipping) {
        handle_line(*client, std::string_view{pending}.substr(start, end - start));
      }
      skipping = false;
      start = end + 1;
    }
    pending.erase(0, start);
    if (pending.size() > limits::control_line) {
      if (!skipping) client->send(ControlProtocol::overlong_reply(limits::control_line), true);
      skipping = true;
      pending.clear();
    }
  }
  drop(client);
}

void ControlServer::handle_line(Client& client, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  client.send(m_protocol.handle(line, client.state), true);
  // A client that asks but never reads its replies cannot hold memory without bound.
  if (client.queued_bytes > 2 * limits::control_client_output) {
    boost::system::error_code ignored;
    client.socket.close(ignored);
  }
  update_observer();
}

asio::awaitable<void> ControlServer::write_loop(std::shared_ptr<Client> client) {
  while (!client->closed) {
    if (client->queue.empty()) {
      co_await client->wake.async_wait(asio::as_tuple(asio::use_awaitable));
      client->wake.expires_at(asio::steady_timer::time_point::max());
      continue;
    }
    std::string batch;
    while (!client->queue.empty() && batch.size() < 65536) {
      batch += client->queue.front();
      client->queue.pop_front();
    }
    auto [error, written] = co_await asio::async_write(client->socket, asio::buffer(batch),
                                                       asio::as_tuple(asio::use_awaitable));
    client->queued_bytes -= std::min(client->queued_bytes, batch.size());
    if (error) break;
  }
  drop(client);
}

void ControlServer::drop(const std::shared_ptr<Client>& client) {
  if (!client->closed) {
    client->closed = true;
    boost::system::error_code ignored;
    client->socket.close(ignored);
    client->wake.cancel();
  }
  m_clients.remove(client);
  update_observer();
}

void ControlServer::publish(std::string_view name, const std::string& line) {
  for (auto& client : m_clients) {
    if (client->state.subscribed.contains(std::string{name})) client->send(line, false);
  }
}

void ControlServer::update_observer() {
  bool wanted = false;
  for (const auto& client : m_clients) wanted = wanted || !client->state.subscribed.empty();
  if (wanted == m_observing) return;
  m_observing = wanted;
  if (wanted) {
    trace::set_observer([this](trace::Channel channel, trace::RecordKind kind,
                               std::string_view text) { on_record(channel, kind, text); });
  } else {
    trace::set_observer({});
    m_output_line.clear();
  }
}

void ControlServer::on_record(trace::Channel channel, trace::RecordKind kind,
                              std::string_view text) {
  const std::string_view name = event_name(channel, kind);
  publish(name, event_line(name, text));
  if (kind == trace::RecordKind::bytes && channel == trace::Channel::module_to_host) {
    scan_console_output(text);
  }
}

void ControlServer::scan_console_output(std::string_view bytes) {
  for (char c : bytes) {
    if (c != '\n') {
      // Payload bytes without line ends (a socket read) must not grow the line without bound.
      if (m_output_line.size() < limits::control_line) m_output_line += c;
      continue;
    }
    std::string_view line = m_output_line;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (auto event = wind_event_line(line)) publish("wind", *event);
    m_output_line.clear();
  }
}

}  // namespace spwf::emulator
