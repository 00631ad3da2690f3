#include "netstack/MqttClient.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Waits on a timer used as a condition: cancel() wakes every waiter.
asio::awaitable<void> wait_on(asio::steady_timer& timer) {
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

template <typename Loop>
void spawn(const asio::any_io_executor& executor, Loop loop, const char* what) {
  asio::co_spawn(executor, std::move(loop), [what](std::exception_ptr failure) {
    if (failure) log::error(std::string{"mqtt "} + what + " failed");
  });
}

}  // namespace

MqttClient::MqttClient(asio::any_io_executor executor, MqttClientSettings settings)
    : m_executor(executor),
      m_settings(std::move(settings)),
      m_send_space(executor),
      m_keep_alive_timer(executor),
      m_answer(executor) {}

void MqttClient::trace(std::string_view text) const {
  trace::event(trace::Channel::network, m_settings.name + " " + std::string{text});
}

std::uint16_t MqttClient::next_packet_id() {
  if (++m_packet_id == 0) m_packet_id = 1;  // 0 is not a valid packet identifier
  return m_packet_id;
}

asio::awaitable<MqttError> MqttClient::start(std::unique_ptr<Stream> stream,
                                             mqtt::ConnectOptions options) {
  m_stream = std::move(stream);
  m_keep_alive = std::chrono::seconds(options.keep_alive_seconds);
  spawn(m_executor, receive_loop(shared_from_this()), "receive loop");
  const MqttError result =
      co_await request(mqtt::encode_connect(options), mqtt::PacketType::connack, 0);
  if (result != MqttError::none) {
    trace("connect failed");
    close();
    co_return result;
  }
  m_connected = true;
  trace("connected, keep-alive " + std::to_string(options.keep_alive_seconds) + " s");
  if (m_keep_alive.count() > 0) spawn(m_executor, keep_alive_loop(shared_from_this()), "ping");
  co_return MqttError::none;
}

asio::awaitable<MqttError> MqttClient::subscribe(std::string_view topic, unsigned qos) {
  const std::uint16_t id = next_packet_id();
  co_return co_await request(mqtt::encode_subscribe(id, topic, qos), mqtt::PacketType::suback, id);
}

asio::awaitable<MqttError> MqttClient::unsubscribe(std::string_view topic) {
  const std::uint16_t id = next_packet_id();
  co_return co_await request(mqtt::encode_unsubscribe(id, topic), mqtt::PacketType::unsuback, id);
}

asio::awaitable<MqttError> MqttClient::publish(mqtt::Publish message) {
  if (message.qos == 0) {
    co_return co_await send(mqtt::encode_publish(message)) ? MqttError::none : MqttError::closed;
  }
  message.packet_id = next_packet_id();
  co_return co_await request(mqtt::encode_publish(message), mqtt::PacketType::puback,
                             message.packet_id);
}

asio::awaitable<MqttError> MqttClient::request(std::string bytes, mqtt::PacketType answer,
                                               std::uint16_t packet_id) {
  auto self = shared_from_this();  // the owner may drop the client while this waits
  m_waiter = Waiter{answer, packet_id, std::nullopt};
  if (!co_await send(std::move(bytes))) {
    m_waiter.reset();
    co_return MqttError::closed;
  }
  m_answer.expires_after(m_settings.answer_timeout);
  while (m_waiter && !m_waiter->result && !m_closed && Clock::now() < m_answer.expiry()) {
    co_await wait_on(m_answer);
  }
  std::optional<MqttError> result = m_waiter ? m_waiter->result : std::nullopt;
  m_waiter.reset();
  if (result) co_return *result;
  if (m_closed) co_return MqttError::closed;
  trace("no answer within " + std::to_string(m_settings.answer_timeout.count()) + " ms");
  co_return MqttError::no_answer;
}

void MqttClient::answer(mqtt::PacketType type, std::uint16_t packet_id, MqttError result) {
  if (!m_waiter || m_waiter->type != type || m_waiter->packet_id != packet_id) return;
  m_waiter->result = result;
  m_answer.cancel();
}

asio::awaitable<bool> MqttClient::send(std::string bytes) {
  auto self = shared_from_this();
  while (!m_closed && !m_outgoing.empty() && m_outgoing.size() + bytes.size() > send_queue_limit) {
    m_send_space.expires_after(limits::socket_send_timeout);
    const auto [error] = co_await m_send_space.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!error) {
      fail(1, "broker does not take what is sent");
      co_return false;
    }
  }
  if (m_closed) co_return false;
  m_outgoing += bytes;
  m_last_sent = Clock::now();
  if (!m_sending) {
    m_sending = true;
    spawn(m_executor, send_loop(shared_from_this()), "send loop");
  }
  co_return true;
}

asio::awaitable<void> MqttClient::send_loop(std::shared_ptr<MqttClient> self) {
  while ((!self->m_closed || self->m_close_after_send) && !self->m_outgoing.empty()) {
    const std::string bytes = std::exchange(self->m_outgoing, {});
    self->m_send_space.cancel();
    const auto error = co_await self->m_stream->write_all(bytes);
    if (error && !self->m_closed) self->fail(1, "write failed: " + error.message());
  }
  self->m_sending = false;
  if (self->m_close_after_send) {
    self->m_stream->close();
    self->m_keep_alive_timer.cancel();
  }
}

asio::awaitable<void> MqttClient::receive_loop(std::shared_ptr<MqttClient> self) {
  std::array<char, 16384> buffer;
  std::string input;
  while (!self->m_closed) {
    const auto [error, count] = co_await self->m_stream->read_some({buffer.data(), buffer.size()});
    if (self->m_closed) co_return;
    input.append(buffer.data(), count);
    std::size_t offset = 0;
    for (;;) {
      const auto decoded = mqtt::decode(std::string_view{input}.substr(offset));
      if (decoded.error) {
        self->fail(1, *decoded.error == mqtt::DecodeError::too_large ? "packet over the limit"
                                                                     : "protocol error");
        co_return;
      }
      if (!decoded.packet) break;
      offset += decoded.consumed;
      if (!co_await self->handle(std::move(*decoded.packet)) || self->m_closed) co_return;
    }
    input.erase(0, offset);
    if (error) {
      self->fail(error == asio::error::eof ? 0 : 1, "closed by the broker: " + error.message());
      co_return;
    }
  }
}

asio::awaitable<bool> MqttClient::handle(mqtt::BrokerPacket packet) {
  m_ping_outstanding = false;  // the broker is alive
  if (auto* connack = std::get_if<mqtt::ConnAck>(&packet)) {
    trace("CONNACK " + std::to_string(connack->return_code));
    // Connected from here: a PUBLISH may follow in the same read, before start() resumes.
    if (connack->return_code == 0 && m_waiter && m_waiter->type == mqtt::PacketType::connack) {
      m_connected = true;
    }
    answer(mqtt::PacketType::connack, 0,
           connack->return_code == 0 ? MqttError::none : MqttError::refused);
  } else if (auto* suback = std::get_if<mqtt::SubAck>(&packet)) {
    const bool granted = std::none_of(suback->return_codes.begin(), suback->return_codes.end(),
                                      [](std::uint8_t code) { return code == 0x80; });
    answer(mqtt::PacketType::suback, suback->packet_id,
           granted ? MqttError::none : MqttError::refused);
  } else if (auto* unsuback = std::get_if<mqtt::UnsubAck>(&packet)) {
    answer(mqtt::PacketType::unsuback, unsuback->packet_id, MqttError::none);
  } else if (auto* puback = std::get_if<mqtt::PubAck>(&packet)) {
    answer(mqtt::PacketType::puback, puback->packet_id, MqttError::none);
  } else if (auto* message = std::get_if<mqtt::Publish>(&packet)) {
    // QoS 2 is never subscribed to, so a broker sending it breaks the protocol.
    if (message->qos > 1 || !m_connected) {
      fail(1, "unexpected PUBLISH");
      co_return false;
    }
    deliver(*message);
    if (message->qos == 1 && !co_await send(mqtt::encode_puback(message->packet_id))) {
      co_return false;
    }
    // Hold the broker back until the host has read the lines (TCP does the rest).
    m_reading_paused = true;
    if (m_settings.host_ready) co_await m_settings.host_ready();
    m_reading_paused = false;
  }
  co_return true;
}

void MqttClient::deliver(const mqtt::Publish& message) {
  trace("PUBLISH " + trace::escape(message.topic) + " " + std::to_string(message.payload.size()) +
        " bytes, QoS " + std::to_string(message.qos));
  if (!m_settings.sink) return;
  std::size_t offset = 0;
  do {
    const std::size_t size = std::min(limits::mqtt_wind_chunk, message.payload.size() - offset);
    m_settings.sink(MqttPublished{m_settings.id, message.topic, message.qos, message.retain,
                                  message.duplicate, message.payload.size(),
                                  message.payload.substr(offset, size)});
    offset += size;
  } while (offset < message.payload.size());
}

asio::awaitable<void> MqttClient::keep_alive_loop(std::shared_ptr<MqttClient> self) {
  while (!self->m_closed) {
    auto deadline = self->m_last_sent + self->m_keep_alive;
    if (self->m_ping_outstanding) deadline = self->m_ping_sent + self->m_keep_alive;
    self->m_keep_alive_timer.expires_at(deadline);
    co_await wait_on(self->m_keep_alive_timer);
    if (self->m_closed) co_return;
    const auto now = Clock::now();
    // While the host holds the receive loop back, an answer may be waiting unread.
    if (self->m_reading_paused) {
      self->m_ping_sent = now;
      continue;
    }
    if (self->m_ping_outstanding && now >= self->m_ping_sent + self->m_keep_alive) {
      self->fail(1, "no answer to PINGREQ within the keep-alive");
      co_return;
    }
    if (!self->m_ping_outstanding && now >= self->m_last_sent + self->m_keep_alive) {
      self->trace("PINGREQ");
      self->m_ping_outstanding = true;
      self->m_ping_sent = now;
      if (!co_await self->send(mqtt::encode_pingreq())) co_return;
    }
  }
}

void MqttClient::fail(unsigned reason, std::string_view why) {
  if (m_closed) return;
  trace(why);
  const bool was_connected = m_connected;
  close();
  if (was_connected && m_settings.sink) m_settings.sink(MqttClosed{m_settings.id, reason});
}

void MqttClient::disconnect() {
  if (m_closed) return;
  trace("DISCONNECT");
  // The packet goes out after whatever is queued; the send loop then closes the stream, or the
  // linger does if the broker does not take the bytes.
  m_outgoing += mqtt::encode_disconnect();
  m_close_after_send = true;
  m_closed = true;
  m_connected = false;
  m_keep_alive_timer.cancel();
  m_answer.cancel();
  m_send_space.cancel();
  if (!m_sending) {
    m_sending = true;
    spawn(m_executor, send_loop(shared_from_this()), "send loop");
  }
  m_keep_alive_timer.expires_after(limits::socket_send_timeout);
  m_keep_alive_timer.async_wait(
      [self = shared_from_this()](const boost::system::error_code&) { self->m_stream->close(); });
  if (m_settings.on_closed) std::exchange(m_settings.on_closed, {})();
}

void MqttClient::close() {
  if (m_closed) return;
  m_closed = true;
  m_connected = false;
  if (m_stream) m_stream->close();
  m_keep_alive_timer.cancel();
  m_answer.cancel();
  m_send_space.cancel();
  if (m_settings.on_closed) std::exchange(m_settings.on_closed, {})();
}

}  // namespace spwf::net
