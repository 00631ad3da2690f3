#include "netstack/Channel.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <utility>

#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;

Channel::Channel(asio::any_io_executor executor, std::unique_ptr<Stream> stream,
                 std::size_t capacity, unsigned threshold_percent, ChannelCallbacks callbacks,
                 std::chrono::milliseconds linger, std::chrono::milliseconds send_timeout)
    : m_executor(executor),
      m_stream(std::move(stream)),
      m_capacity(std::max<std::size_t>(capacity, 1)),
      m_threshold(threshold_percent),
      m_callbacks(std::move(callbacks)),
      m_space_available(executor),
      m_send_space(executor),
      m_linger_time(linger),
      m_send_timeout(send_timeout),
      m_linger(executor) {}

void Channel::start(std::string name) {
  m_name = std::move(name);
  asio::co_spawn(m_executor, receive_loop(shared_from_this()), [](std::exception_ptr failure) {
    if (failure) log::error("socket receive loop failed");
  });
}

std::string Channel::take(std::size_t count) {
  count = std::min(count, m_buffer.size());
  std::string out = m_buffer.substr(0, count);
  m_buffer.erase(0, count);
  // Room again: a TCP loop that stopped reading (closing the peer's window) goes on.
  m_space_available.cancel();
  return out;
}

namespace {

NetError classify(const boost::system::error_code& error) {
  if (!error) return NetError::none;
  if (error == asio::error::broken_pipe || error == asio::error::connection_reset ||
      error == asio::error::not_connected || error == asio::error::bad_descriptor) {
    return NetError::not_connected;
  }
  log::warn("socket write failed: " + error.message());
  return NetError::write_failed;
}

}  // namespace

asio::awaitable<NetError> Channel::write(std::string_view bytes) {
  if (m_peer_closed) co_return NetError::not_connected;
  if (m_send_failure != NetError::none) co_return m_send_failure;
  if (trace::enabled())
    trace::event(trace::Channel::network, m_name + " out \"" + trace::escape(bytes) + "\" (" +
                                              std::to_string(bytes.size()) + " bytes)");
  if (m_stream->kind() == StreamKind::udp) co_return classify(co_await m_stream->write_all(bytes));
  // A full queue makes the write wait for room, as the module's does when the peer's window is
  // closed, but not for ever: a peer that stopped reading fails the write after the timeout.
  const auto deadline = asio::steady_timer::clock_type::now() + m_send_timeout;
  while (m_outgoing.size() >= send_queue_limit) {
    if (asio::steady_timer::clock_type::now() >= deadline) {
      log::warn(m_name + ": the peer has not taken data for " +
                std::to_string(m_send_timeout.count()) + " ms; the write fails");
      co_return NetError::write_failed;
    }
    m_send_space.expires_at(deadline);
    co_await m_send_space.async_wait(asio::as_tuple(asio::use_awaitable));
    if (m_peer_closed) co_return NetError::not_connected;
    if (m_send_failure != NetError::none) co_return m_send_failure;
    if (m_closed_locally) co_return NetError::not_connected;
  }
  m_outgoing.append(bytes);
  if (!m_sending) {
    m_sending = true;
    asio::co_spawn(m_executor, send_loop(shared_from_this()), [](std::exception_ptr failure) {
      if (failure) log::error("socket send loop failed");
    });
  }
  co_return NetError::none;
}

asio::awaitable<void> Channel::send_loop(std::shared_ptr<Channel> self) {
  // Start once the session waits: the writes of the commands it has already received join the
  // queue first and go out together.
  co_await asio::post(self->m_executor, asio::use_awaitable);
  while (!self->m_outgoing.empty()) {
    const std::string chunk = std::exchange(self->m_outgoing, {});
    self->m_send_space.cancel();  // room again for a waiting write
    const auto error = co_await self->m_stream->write_all(chunk);
    if (error) {
      if (!self->m_closed_locally) self->m_send_failure = classify(error);
      self->m_outgoing.clear();
      break;
    }
  }
  self->m_sending = false;
  self->m_send_space.cancel();
  if (self->m_closed_locally) {
    self->m_linger.cancel();
    self->m_stream->close();
  }
}

void Channel::close() {
  m_closed_locally = true;
  m_space_available.cancel();
  m_send_space.cancel();
  if (!m_sending) {
    m_stream->close();
    return;
  }
  // The send loop closes the stream when its queue is out; a peer that stops reading does not
  // keep the socket forever.
  m_linger.expires_after(m_linger_time);
  m_linger.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (!error) self->m_stream->close();
  });
}

void Channel::close_by_peer(unsigned reason) {
  if (m_peer_closed || m_closed_locally) return;
  m_peer_closed = true;
  m_space_available.cancel();
  m_stream->close();
  trace::event(trace::Channel::network, m_name + " closed by the peer (control interface)");
  if (m_callbacks.closed) m_callbacks.closed(reason);
}

void Channel::store(std::string_view bytes) {
  if (trace::enabled()) {
    trace::event(trace::Channel::network, m_name + " in \"" + trace::escape(bytes) + "\" (" +
                                              std::to_string(bytes.size()) + " bytes)");
  }
  // One arrival report per segment, as the module's 730-byte MSS would deliver them; UDP
  // datagrams are reported whole.
  const bool is_udp = m_stream->kind() == StreamKind::udp;
  while (!bytes.empty()) {
    const std::size_t piece = is_udp ? bytes.size() : std::min(bytes.size(), segment_size);
    m_buffer.append(bytes.substr(0, piece));
    bytes.remove_prefix(piece);
    const std::size_t total = m_buffer.size();
    if (total * 100 / m_capacity >= m_threshold && m_callbacks.data) {
      m_callbacks.data(piece, total);
    }
  }
}

asio::awaitable<void> Channel::receive_loop(std::shared_ptr<Channel> self) {
  std::array<char, 65536> datagram;
  const bool is_udp = self->m_stream->kind() == StreamKind::udp;
  while (!self->m_closed_locally) {
    const std::size_t room = self->m_capacity - std::min(self->m_capacity, self->m_buffer.size());
    if (!is_udp && room == 0) {
      // Buffer full: stop reading so TCP flow control holds the peer back.
      self->m_space_available.expires_at(asio::steady_timer::time_point::max());
      co_await self->m_space_available.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    const std::size_t want = is_udp ? datagram.size() : std::min(room, datagram.size());
    auto [error, count] = co_await self->m_stream->read_some({datagram.data(), want});
    if (self->m_closed_locally || self->m_peer_closed) co_return;
    if (error) {
      if (is_udp && error == asio::error::connection_refused) continue;  // ICMP port unreachable
      self->m_peer_closed = true;
      const unsigned reason = error == asio::error::eof ? 0 : 1;
      trace::event(trace::Channel::network,
                   self->m_name + " closed by the peer (" + error.message() + ")");
      if (self->m_callbacks.closed) self->m_callbacks.closed(reason);
      co_return;
    }
    const std::string_view received{datagram.data(), count};
    if (is_udp && count > room) {
      if (self->m_callbacks.dropped) self->m_callbacks.dropped(count);
      continue;
    }
    self->store(received);
  }
}

}  // namespace spwf::net
