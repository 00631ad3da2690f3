#pragma once
// One MQTT client instance of the module (spec §3.10): MQTT 3.1.1 over any connected Stream (TCP,
// the TLS wrapper, or later a WebSocket-framed stream), so host mapping, allow/deny, TLS rules and
// the trace apply as for every other client. The client sends CONNECT and waits for CONNACK,
// then runs a receive loop and a keep-alive loop until it is closed:
// - each PUBLISH from the broker becomes MqttPublished events, one per chunk of at most
//   limits::mqtt_wind_chunk payload bytes, all raised at once; a QoS 1 one is acknowledged;
// - after a message the loop waits until the host has read its console (the `host_ready` hook),
//   so a flood is held back by TCP, not by memory here;
// - a PINGREQ goes out when nothing was sent for the keep-alive; no answer within another
//   keep-alive closes the connection (MqttClosed reason 1), as does a broker's close (reason 0)
//   or a malformed or oversized packet (reason 1).
// SUBSCRIBE, UNSUBSCRIBE and QoS 1 PUBLISH wait for their acknowledgement. Owned through
// shared_ptr because its loops keep it alive until they have ended (as netstack/Channel).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "netstack/MqttCodec.hpp"
#include "netstack/NetEvents.hpp"
#include "netstack/Stream.hpp"

namespace spwf::net {

/// How a client request ended.
enum class MqttError {
  none,
  refused,    ///< CONNACK with a non-zero return code, or a SUBACK failure code
  no_answer,  ///< the broker did not acknowledge within the answer timeout
  closed,     ///< the connection is gone (or went while waiting)
};

/// What a client needs besides its stream.
struct MqttClientSettings {
  unsigned id = 0;                           ///< the module's instance id
  std::string name;                          ///< labels trace records ("mqtt 0 host:port")
  std::chrono::milliseconds answer_timeout;  ///< CONNACK, SUBACK, UNSUBACK, PUBACK
  NetEventSink sink;                         ///< MqttPublished, MqttClosed
  /// Waits until the host has read its console; the receive loop awaits it after a message.
  std::function<boost::asio::awaitable<void>()> host_ready;
  /// Told once when the connection ends, however it ends (the owner frees the instance).
  std::function<void()> on_closed;
};

/// One connected (or connecting) MQTT client.
class MqttClient : public std::enable_shared_from_this<MqttClient> {
 public:
  /// Most bytes queued for the broker; a publish beyond it waits for room (as Channel).
  static constexpr std::size_t send_queue_limit = 65536;

  MqttClient(boost::asio::any_io_executor executor, MqttClientSettings settings);

  /// Sends CONNECT on `stream` and waits for CONNACK; on success the client is connected and
  /// its loops run. On failure the stream is closed and no event is raised.
  boost::asio::awaitable<MqttError> start(std::unique_ptr<Stream> stream,
                                          mqtt::ConnectOptions options);
  /// SUBSCRIBE one topic, waiting for SUBACK.
  boost::asio::awaitable<MqttError> subscribe(std::string_view topic, unsigned qos);
  /// UNSUBSCRIBE one topic, waiting for UNSUBACK.
  boost::asio::awaitable<MqttError> unsubscribe(std::string_view topic);
  /// PUBLISH; QoS 1 waits for PUBACK, QoS 0 for the bytes to be queued.
  boost::asio::awaitable<MqttError> publish(mqtt::Publish message);
  /// Sends DISCONNECT (best effort) and closes; no MqttClosed event (a local close).
  void disconnect();
  /// Closes at once without DISCONNECT and without an event (power-on).
  void close();
  bool connected() const { return m_connected && !m_closed; }

 private:
  static boost::asio::awaitable<void> receive_loop(std::shared_ptr<MqttClient> self);
  static boost::asio::awaitable<void> keep_alive_loop(std::shared_ptr<MqttClient> self);
  static boost::asio::awaitable<void> send_loop(std::shared_ptr<MqttClient> self);
  /// Queues bytes for the broker, waiting for room; false when the connection is gone.
  boost::asio::awaitable<bool> send(std::string bytes);
  /// Sends a request and waits for the acknowledgement of that type and packet id.
  boost::asio::awaitable<MqttError> request(std::string bytes, mqtt::PacketType answer,
                                            std::uint16_t packet_id);
  /// Handles one decoded packet; false ends the connection (a protocol error).
  boost::asio::awaitable<bool> handle(mqtt::BrokerPacket packet);
  void deliver(const mqtt::Publish& message);
  void answer(mqtt::PacketType type, std::uint16_t packet_id, MqttError result);
  /// The connection ended (reason 0 orderly, 1 error); raises MqttClosed once if connected.
  void fail(unsigned reason, std::string_view why);
  std::uint16_t next_packet_id();
  void trace(std::string_view text) const;

  boost::asio::any_io_executor m_executor;
  MqttClientSettings m_settings;
  std::unique_ptr<Stream> m_stream;
  std::chrono::seconds m_keep_alive{0};
  bool m_connected = false;
  bool m_closed = false;
  bool m_close_after_send = false;  ///< MQTTDISC: DISCONNECT is on its way out
  std::uint16_t m_packet_id = 0;
  // Send side.
  std::string m_outgoing;
  bool m_sending = false;
  boost::asio::steady_timer m_send_space;
  std::chrono::steady_clock::time_point m_last_sent;
  // Keep-alive.
  boost::asio::steady_timer m_keep_alive_timer;
  bool m_ping_outstanding = false;
  std::chrono::steady_clock::time_point m_ping_sent;
  bool m_reading_paused = false;
  // The one request waiting for its acknowledgement (commands run one at a time).
  struct Waiter {
    mqtt::PacketType type;
    std::uint16_t packet_id;
    std::optional<MqttError> result;
  };
  std::optional<Waiter> m_waiter;
  boost::asio::steady_timer m_answer;
};

}  // namespace spwf::net
