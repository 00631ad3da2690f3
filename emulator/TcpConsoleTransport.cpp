#include "emulator/TcpConsoleTransport.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "netstack/HostMapper.hpp"
#include "support/Log.hpp"

namespace spwf::emulator {

namespace {

using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

/// Resolves the listen host once at start-up: a literal address, or a name such as `localhost`.
tcp::endpoint listen_endpoint(const asio::any_io_executor& executor, const std::string& host,
                              std::uint16_t port) {
  if (host.empty()) return {tcp::v4(), port};
  boost::system::error_code error;
  const auto address = asio::ip::make_address(host, error);
  if (!error) return {address, port};
  tcp::resolver resolver(executor);
  const auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, error);
  if (error || results.empty()) {
    throw std::runtime_error("cannot resolve listen address '" + host + "': " + error.message());
  }
  return results.begin()->endpoint();
}

/// Completion handler for spawned coroutines: they end quietly or their exception is logged.
auto log_exceptions(std::string what) {
  return [what = std::move(what)](std::exception_ptr exception) {
    if (!exception) return;
    try {
      std::rethrow_exception(exception);
    } catch (const std::exception& e) {
      log::error("tcp console: " + what + ": " + e.what());
    }
  };
}

/// True once the coroutine running this has been asked to stop (by awaitable operators).
asio::awaitable<bool> cancelled() {
  const auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

std::optional<TcpConsoleTransport::ListenAddress> TcpConsoleTransport::ListenAddress::parse(
    std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
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
  if (port_text.empty() || error != std::errc{} || last != end || port > 65535) return std::nullopt;
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

TcpConsoleTransport::TcpConsoleTransport(asio::any_io_executor executor, const std::string& host,
                                         std::uint16_t port)
    : m_executor(executor),
      m_acceptor(executor),
      m_input_signal(executor, asio::steady_timer::time_point::max()),
      m_room_signal(executor, asio::steady_timer::time_point::max()),
      m_output_signal(executor, asio::steady_timer::time_point::max()),
      m_sent_signal(executor, asio::steady_timer::time_point::max()) {
  const auto endpoint = listen_endpoint(executor, host, port);
  try {
    m_acceptor.open(endpoint.protocol());
    m_acceptor.set_option(tcp::acceptor::reuse_address(true));
    m_acceptor.bind(endpoint);
    m_acceptor.listen(1);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + endpoint_text(endpoint) + ": " +
                             e.code().message());
  }
}

TcpConsoleTransport::~TcpConsoleTransport() = default;

void TcpConsoleTransport::start() {
  if (m_started || m_shut_down) return;
  m_started = true;
  asio::co_spawn(m_executor, accept_loop(), log_exceptions("accept loop"));
}

void TcpConsoleTransport::shutdown() {
  if (m_shut_down) return;
  m_shut_down = true;
  boost::system::error_code ignored;
  m_acceptor.close(ignored);
  if (m_host_socket != nullptr) m_host_socket->close(ignored);
  m_input_signal.cancel();
  m_room_signal.cancel();
  m_output_signal.cancel();
}

void TcpConsoleTransport::admit_only(const std::vector<std::string>& allow) {
  m_admit.clear();
  for (const auto& pattern : allow) {
    // An address or a CIDR block: the part before '/' is an IP literal (IPv6 may be bracketed).
    std::string_view network = std::string_view(pattern).substr(0, pattern.find('/'));
    if (network.size() >= 2 && network.front() == '[' && network.back() == ']') {
      network = network.substr(1, network.size() - 2);
    }
    boost::system::error_code error;
    (void)asio::ip::make_address(network, error);
    if (!error) m_admit.push_back(pattern);
  }
}

bool TcpConsoleTransport::admitted(const tcp::socket& socket) const {
  if (m_admit.empty()) return true;
  boost::system::error_code error;
  const auto peer = socket.remote_endpoint(error);
  if (!error && std::any_of(m_admit.begin(), m_admit.end(), [&](const std::string& pattern) {
        return net::matches_pattern(pattern, "", peer.address());
      })) {
    return true;
  }
  log::warn("tcp console: refused " + (error ? std::string("a host") : endpoint_text(peer)) +
            ": its address is not in --allow");
  return false;
}

std::uint16_t TcpConsoleTransport::local_port() const {
  boost::system::error_code error;
  const auto endpoint = m_acceptor.local_endpoint(error);
  return error ? 0 : endpoint.port();
}

std::string TcpConsoleTransport::local_address() const {
  boost::system::error_code error;
  const auto endpoint = m_acceptor.local_endpoint(error);
  return error ? std::string("(closed)") : endpoint_text(endpoint);
}

std::size_t TcpConsoleTransport::read_available(std::span<char> buffer) {
  if (m_input.empty() || buffer.empty()) return 0;
  const std::size_t count = std::min(buffer.size(), m_input.size());
  std::copy_n(m_input.begin(), count, buffer.begin());
  m_input.erase(0, count);
  m_room_signal.cancel();
  return count;
}

asio::awaitable<std::size_t> TcpConsoleTransport::read_some(std::span<char> buffer) {
  for (;;) {
    if (const std::size_t count = read_available(buffer); count > 0) co_return count;
    if (m_shut_down) co_return 0;
    if (m_host_sent_all && !m_answers_done) {
      // Everything the half-closed host sent has been consumed and answered: the send loop
      // writes what is queued and then ends the connection.
      m_answers_done = true;
      m_output_signal.cancel();
    }
    co_await wait_for_change(m_input_signal);
    if (co_await cancelled()) {
      throw boost::system::system_error(asio::error::operation_aborted);
    }
  }
}

void TcpConsoleTransport::write(std::string_view bytes) {
  if (bytes.empty() || m_shut_down) return;
  if (m_host_connected) {
    // A host that has stopped reading: like a UART without flow control the bytes are lost.
    m_output.append(bytes, "tcp console", m_sending.size());
    if (!m_output.empty()) m_output_signal.cancel();
  } else {
    // Kept for the first host (boot indications); after a host has left, dropped.
    m_backlog.store(bytes);
  }
}

asio::awaitable<void> TcpConsoleTransport::drained(std::size_t below) {
  while (m_host_connected && !m_shut_down && m_output.size() + m_sending.size() >= below) {
    co_await wait_for_change(m_sent_signal);
  }
}

asio::awaitable<void> TcpConsoleTransport::wait_for_change(asio::steady_timer& signal) {
  // The timer never expires; cancel() from the other side is the wake-up. Single-threaded, so a
  // condition checked just before this call cannot change before the wait is registered.
  signal.expires_at(asio::steady_timer::time_point::max());
  co_await signal.async_wait(use_tuple);
}

asio::awaitable<void> TcpConsoleTransport::accept_loop() {
  while (!m_shut_down) {
    auto [error, socket] = co_await m_acceptor.async_accept(use_tuple);
    if (m_shut_down || error == asio::error::operation_aborted) break;
    if (error) {
      log::warn("tcp console: accept failed: " + error.message());
      continue;
    }
    if (!admitted(socket)) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (m_host_connected) {
      asio::co_spawn(m_executor, refuse_host(std::move(socket)), log_exceptions("refusing a host"));
      continue;
    }
    // Marked connected here, before serve_host runs, so a second accept in between is refused
    // and output written in between is queued behind what was kept for the first host.
    m_host_connected = true;
    m_output.reset();
    m_output.append(m_backlog.take_on_attach(), "tcp console");
    asio::co_spawn(m_executor, serve_host(std::move(socket)), log_exceptions("serving a host"));
    if (m_attach_handler) m_attach_handler();
  }
}

asio::awaitable<void> TcpConsoleTransport::serve_host(tcp::socket socket) {
  using namespace asio::experimental::awaitable_operators;
  boost::system::error_code error;
  const auto peer = socket.remote_endpoint(error);
  const std::string peer_text = error ? std::string("unknown peer") : endpoint_text(peer);
  socket.set_option(tcp::no_delay(true), error);

  m_host_socket = &socket;
  m_host_sent_all = false;
  m_answers_done = false;
  log::info("tcp console: host connected from " + peer_text);

  // Both loops end when the host goes away (or on shutdown); the other one is then cancelled.
  if (!m_shut_down) co_await (receive_loop(socket) || send_loop(socket));

  socket.shutdown(tcp::socket::shutdown_both, error);
  socket.close(error);
  m_host_socket = nullptr;
  m_host_connected = false;
  m_sent_signal.cancel();
  m_host_sent_all = false;
  m_answers_done = false;
  m_output.reset();  // unsent bytes for the host that left are lost with it
  m_sending.clear();
  if (!m_shut_down) log::info("tcp console: host " + peer_text + " disconnected");
}

asio::awaitable<void> TcpConsoleTransport::receive_loop(tcp::socket& socket) {
  char chunk[1024];
  for (;;) {
    while (m_input.size() >= input_limit) {
      // The Session has not caught up; stop reading so TCP's window pushes back on the host.
      co_await wait_for_change(m_room_signal);
      if (m_shut_down || co_await cancelled()) co_return;
    }
    const std::size_t room = std::min(sizeof chunk, input_limit - m_input.size());
    auto [error, count] = co_await socket.async_read_some(asio::buffer(chunk, room), use_tuple);
    if (error == asio::error::eof && !m_shut_down) {
      // A half-close: the host has sent everything but still reads the answers. The send loop
      // decides when the connection ends; wake read_some in case it waits.
      m_host_sent_all = true;
      m_input_signal.cancel();
      while (!m_shut_down && !(co_await cancelled())) co_await wait_for_change(m_room_signal);
      co_return;
    }
    if (error || m_shut_down) co_return;
    m_input.append(chunk, count);
    m_input_signal.cancel();
  }
}

asio::awaitable<void> TcpConsoleTransport::send_loop(tcp::socket& socket) {
  for (;;) {
    while (m_output.empty()) {
      if (m_answers_done) co_return;  // a half-closed host has all its answers
      co_await wait_for_change(m_output_signal);
      if (m_shut_down || co_await cancelled()) co_return;
    }
    // Take everything queued so far; later writes queue behind it, so order is kept.
    m_sending = m_output.take();
    auto [error, written] = co_await asio::async_write(socket, asio::buffer(m_sending), use_tuple);
    (void)written;
    m_sending.clear();
    m_sent_signal.cancel();
    if (error || m_shut_down) co_return;
  }
}

asio::awaitable<void> TcpConsoleTransport::refuse_host(tcp::socket socket) {
  boost::system::error_code error;
  const auto peer = socket.remote_endpoint(error);
  log::info("tcp console: refused " + (error ? std::string("a host") : endpoint_text(peer)) +
            ": console busy");
  co_await asio::async_write(socket, asio::buffer(busy_line.data(), busy_line.size()), use_tuple);
  socket.shutdown(tcp::socket::shutdown_both, error);
  socket.close(error);
}

}  // namespace spwf::emulator
