#include "netstack/MqttCodec.hpp"

#include <algorithm>

namespace spwf::net::mqtt {
namespace {

constexpr std::size_t max_remaining_length = 268435455;
// Strings and binary fields carry a 16-bit length (MQTT 3.1.1 §1.5.3); longer ones are cut.
constexpr std::size_t max_string = 65535;

void put_u16(std::string& out, std::size_t value) {
  out += static_cast<char>((value >> 8) & 0xFF);
  out += static_cast<char>(value & 0xFF);
}

void put_string(std::string& out, std::string_view text) {
  text = text.substr(0, std::min(text.size(), max_string));
  put_u16(out, text.size());
  out += text;
}

std::string packet(std::uint8_t first_byte, const std::string& body) {
  std::string out;
  out += static_cast<char>(first_byte);
  out += encode_remaining_length(body.size());
  out += body;
  return out;
}

std::uint8_t header_byte(PacketType type, std::uint8_t flags = 0) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4 | (flags & 0x0F));
}

/// Reads from a complete packet's variable part; every read checks what is left.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : m_bytes(bytes) {}
  std::optional<std::uint16_t> u16() {
    if (m_bytes.size() < 2) return std::nullopt;
    const auto value = static_cast<std::uint16_t>(static_cast<unsigned char>(m_bytes[0]) << 8 |
                                                  static_cast<unsigned char>(m_bytes[1]));
    m_bytes.remove_prefix(2);
    return value;
  }
  std::optional<std::string_view> string() {
    const auto length = u16();
    if (!length || m_bytes.size() < *length) return std::nullopt;
    const std::string_view text = m_bytes.substr(0, *length);
    m_bytes.remove_prefix(*length);
    return text;
  }
  std::string_view rest() const { return m_bytes; }

 private:
  std::string_view m_bytes;
};

Decoded failed(DecodeError error) {
  Decoded decoded;
  decoded.error = error;
  return decoded;
}

std::optional<BrokerPacket> decode_publish(std::uint8_t flags, std::string_view body) {
  Publish publish;
  publish.qos = (flags >> 1) & 0x03;
  publish.retain = (flags & 0x01) != 0;
  publish.duplicate = (flags & 0x08) != 0;
  if (publish.qos == 3 || (publish.qos == 0 && publish.duplicate)) return std::nullopt;
  Cursor cursor{body};
  const auto topic = cursor.string();
  if (!topic) return std::nullopt;
  publish.topic = std::string{*topic};
  if (publish.qos > 0) {
    const auto id = cursor.u16();
    if (!id || *id == 0) return std::nullopt;
    publish.packet_id = *id;
  }
  publish.payload = std::string{cursor.rest()};
  return publish;
}

// The body of a packet a broker sends; nullopt when it is malformed.
std::optional<BrokerPacket> decode_body(PacketType type, std::uint8_t flags,
                                        std::string_view body) {
  Cursor cursor{body};
  switch (type) {
    case PacketType::connack: {
      if (flags != 0 || body.size() != 2 || (body[0] & 0xFE) != 0) return std::nullopt;
      return ConnAck{(body[0] & 0x01) != 0, static_cast<std::uint8_t>(body[1])};
    }
    case PacketType::publish:
      return decode_publish(flags, body);
    case PacketType::puback:
    case PacketType::unsuback: {
      const auto id = cursor.u16();
      if (flags != 0 || !id || !cursor.rest().empty()) return std::nullopt;
      if (type == PacketType::puback) return PubAck{*id};
      return UnsubAck{*id};
    }
    case PacketType::suback: {
      const auto id = cursor.u16();
      if (flags != 0 || !id || cursor.rest().empty()) return std::nullopt;
      SubAck suback{*id, {}};
      for (const char code : cursor.rest()) {
        const auto value = static_cast<std::uint8_t>(code);
        if (value > 2 && value != 0x80) return std::nullopt;
        suback.return_codes.push_back(value);
      }
      return suback;
    }
    case PacketType::pingresp:
      if (flags != 0 || !body.empty()) return std::nullopt;
      return PingResp{};
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string encode_remaining_length(std::size_t length) {
  if (length > max_remaining_length) return {};
  std::string out;
  do {
    auto digit = static_cast<std::uint8_t>(length % 128);
    length /= 128;
    if (length > 0) digit |= 0x80;
    out += static_cast<char>(digit);
  } while (length > 0);
  return out;
}

Decoded decode(std::string_view bytes, std::size_t limit) {
  if (bytes.empty()) return {};
  const auto first = static_cast<std::uint8_t>(bytes[0]);
  std::size_t remaining = 0;
  std::size_t multiplier = 1;
  std::size_t position = 1;
  for (;; ++position) {
    if (position > 4) return failed(DecodeError::malformed);  // more than 4 length bytes
    if (position >= bytes.size()) return {};                  // the length is not complete yet
    const auto digit = static_cast<std::uint8_t>(bytes[position]);
    remaining += (digit & 0x7F) * multiplier;
    multiplier *= 128;
    if ((digit & 0x80) == 0) break;
  }
  const std::size_t header = position + 1;
  if (header + remaining > limit) return failed(DecodeError::too_large);
  if (bytes.size() < header + remaining) return {};

  const auto type = static_cast<PacketType>(first >> 4);
  const auto flags = static_cast<std::uint8_t>(first & 0x0F);
  switch (type) {
    case PacketType::connack:
    case PacketType::publish:
    case PacketType::puback:
    case PacketType::suback:
    case PacketType::unsuback:
    case PacketType::pingresp:
      break;
    default:
      // Type 0 and 15 are reserved; the others are never sent by a broker to this client.
      if (first >> 4 == 0 || first >> 4 == 15) return failed(DecodeError::malformed);
      return failed(DecodeError::unexpected);
  }
  auto packet = decode_body(type, flags, bytes.substr(header, remaining));
  if (!packet) return failed(DecodeError::malformed);
  Decoded decoded;
  decoded.packet = std::move(packet);
  decoded.consumed = header + remaining;
  return decoded;
}

std::string encode_connect(const ConnectOptions& options) {
  std::string body;
  put_string(body, "MQTT");
  body += static_cast<char>(4);  // protocol level 3.1.1
  std::uint8_t flags = 0x02;     // clean session
  if (options.will) {
    flags |= 0x04;
    flags |= static_cast<std::uint8_t>((options.will->qos & 0x03) << 3);
    if (options.will->retain) flags |= 0x20;
  }
  if (!options.password.empty()) flags |= 0x40;
  if (!options.user.empty()) flags |= 0x80;
  body += static_cast<char>(flags);
  put_u16(body, options.keep_alive_seconds);
  put_string(body, options.client_id);
  if (options.will) {
    put_string(body, options.will->topic);
    put_string(body, options.will->message);
  }
  if (!options.user.empty()) put_string(body, options.user);
  if (!options.password.empty()) put_string(body, options.password);
  return packet(header_byte(PacketType::connect), body);
}

std::string encode_publish(const Publish& publish) {
  std::string body;
  put_string(body, publish.topic);
  if (publish.qos > 0) put_u16(body, publish.packet_id);
  body += publish.payload;
  std::uint8_t flags = static_cast<std::uint8_t>((publish.qos & 0x03) << 1);
  if (publish.retain) flags |= 0x01;
  if (publish.duplicate && publish.qos > 0) flags |= 0x08;
  return packet(header_byte(PacketType::publish, flags), body);
}

std::string encode_puback(std::uint16_t packet_id) {
  std::string body;
  put_u16(body, packet_id);
  return packet(header_byte(PacketType::puback), body);
}

std::string encode_subscribe(std::uint16_t packet_id, std::string_view topic, unsigned qos) {
  std::string body;
  put_u16(body, packet_id);
  put_string(body, topic);
  body += static_cast<char>(qos & 0x03);
  return packet(header_byte(PacketType::subscribe, 0x02), body);
}

std::string encode_unsubscribe(std::uint16_t packet_id, std::string_view topic) {
  std::string body;
  put_u16(body, packet_id);
  put_string(body, topic);
  return packet(header_byte(PacketType::unsubscribe, 0x02), body);
}

std::string encode_pingreq() {
  return packet(header_byte(PacketType::pingreq), {});
}

std::string encode_disconnect() {
  return packet(header_byte(PacketType::disconnect), {});
}

std::string encode_connack(const ConnAck& connack) {
  std::string body;
  body += static_cast<char>(connack.session_present ? 1 : 0);
  body += static_cast<char>(connack.return_code);
  return packet(header_byte(PacketType::connack), body);
}

std::string encode_suback(const SubAck& suback) {
  std::string body;
  put_u16(body, suback.packet_id);
  for (const auto code : suback.return_codes) body += static_cast<char>(code);
  return packet(header_byte(PacketType::suback), body);
}

std::string encode_unsuback(std::uint16_t packet_id) {
  std::string body;
  put_u16(body, packet_id);
  return packet(header_byte(PacketType::unsuback), body);
}

std::string encode_pingresp() {
  return packet(header_byte(PacketType::pingresp), {});
}

}  // namespace spwf::net::mqtt
