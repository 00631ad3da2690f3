#pragma once
// MQTT 3.1.1 packets as the module's MQTT client exchanges them (spec §3.10): pure encoders for
// what the client sends (and, for tests and fakes, what a broker answers), and a bounded decoder.
// QoS 0 and 1 only: the spec names no QoS 2 and the adopted reading is that the module refuses it
// (MQTTSUB/MQTTPUB answer 7), so PUBREC/PUBREL/PUBCOMP are not part of the exchange; a broker
// never sends QoS 2 to a client whose subscriptions are at most QoS 1.
// The decoder never allocates more than the packet limit: a fixed header announcing a larger
// packet is an error as soon as it is read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "support/Limits.hpp"

namespace spwf::net::mqtt {

/// Control packet types (MQTT 3.1.1 §2.2.1).
enum class PacketType : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
};

/// The will message of a CONNECT.
struct Will {
  std::string topic;
  std::string message;
  unsigned qos = 0;
  bool retain = false;
};

/// What a CONNECT carries (clean session always: the module keeps no session state).
struct ConnectOptions {
  std::string client_id;
  std::string user;      ///< sent when not empty
  std::string password;  ///< sent when not empty
  std::uint16_t keep_alive_seconds = 60;
  std::optional<Will> will;
};

/// A PUBLISH in either direction.
struct Publish {
  std::string topic;
  std::string payload;
  unsigned qos = 0;
  bool retain = false;
  bool duplicate = false;
  std::uint16_t packet_id = 0;  ///< QoS 1 only
};

/// CONNACK: return code 0 accepted, 1-5 refused (MQTT 3.1.1 §3.2.2.3).
struct ConnAck {
  bool session_present = false;
  std::uint8_t return_code = 0;
};
struct PubAck {
  std::uint16_t packet_id = 0;
};
/// SUBACK: one return code per requested topic (0-2 granted QoS, 0x80 failure).
struct SubAck {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> return_codes;
};
struct UnsubAck {
  std::uint16_t packet_id = 0;
};
struct PingResp {};

/// A packet a broker sends to a client.
using BrokerPacket = std::variant<ConnAck, Publish, PubAck, SubAck, UnsubAck, PingResp>;

/// Why decoding failed.
enum class DecodeError {
  malformed,   ///< bad flags, lengths, encoding or a truncated variable header
  too_large,   ///< the fixed header announces more than the limit
  unexpected,  ///< a valid type a broker does not send to this client (CONNECT, QoS 2 flow ...)
};

/// Outcome of decode(): a packet and the bytes it took, an error, or "need more bytes".
struct Decoded {
  std::optional<BrokerPacket> packet;
  std::optional<DecodeError> error;
  std::size_t consumed = 0;  ///< bytes of the complete packet (0 while incomplete)
};

/// Decodes the first packet in `bytes` (which may hold less than one packet, or more).
Decoded decode(std::string_view bytes, std::size_t limit = limits::mqtt_packet_bytes);

/// The remaining-length field (1 to 4 bytes); empty if `length` exceeds 268435455.
std::string encode_remaining_length(std::size_t length);

// What the client sends.
std::string encode_connect(const ConnectOptions& options);
std::string encode_publish(const Publish& publish);
std::string encode_puback(std::uint16_t packet_id);
std::string encode_subscribe(std::uint16_t packet_id, std::string_view topic, unsigned qos);
std::string encode_unsubscribe(std::uint16_t packet_id, std::string_view topic);
std::string encode_pingreq();
std::string encode_disconnect();

// What a broker sends (for fakes in tests and for the fuzz seeds).
std::string encode_connack(const ConnAck& connack);
std::string encode_suback(const SubAck& suback);
std::string encode_unsuback(std::uint16_t packet_id);
std::string encode_pingresp();

}  // namespace spwf::net::mqtt
