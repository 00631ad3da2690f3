// Tests of netstack/MqttCodec.hpp (MQTT 3.1.1 bytes, no network):
//   encode_connect with id, keep-alive, user, password, will  -> the bytes of §3.1 of the standard
//   encode_publish QoS 0 / QoS 1 retained                     -> header flags, topic, id, payload
//   remaining length 0, 127, 128, 16383, 16384                -> 1, 1, 2, 2, 3 length bytes
//   decode of each broker packet, whole and one byte short    -> the packet / "need more"
//   a length field of 5 bytes, bad flags, reserved types      -> malformed
//   CONNECT or PUBREL from a broker                           -> unexpected
//   a header announcing more than the limit                   -> too_large before the body

#include <gtest/gtest.h>

#include <string>

#include "netstack/MqttCodec.hpp"

namespace spwf::net::mqtt {
namespace {

using namespace std::string_literals;

TEST(MqttCodecTest, ConnectCarriesEveryField) {
  ConnectOptions options;
  options.client_id = "id";
  options.user = "u";
  options.password = "p";
  options.keep_alive_seconds = 30;
  options.will = Will{"w", "m", 1, true};
  const std::string expected =
      "\x10\x1A\x00\x04MQTT\x04\xEE\x00\x1E\x00\x02id\x00\x01w\x00\x01m\x00\x01u\x00\x01p"s;
  EXPECT_EQ(encode_connect(options), expected);
}

TEST(MqttCodecTest, ConnectWithoutOptionsIsCleanSessionOnly) {
  ConnectOptions options;
  options.client_id = "c";
  options.keep_alive_seconds = 0;
  EXPECT_EQ(encode_connect(options), "\x10\x0D\x00\x04MQTT\x04\x02\x00\x00\x00\x01\x63"s);
}

TEST(MqttCodecTest, PublishFlagsAndPacketId) {
  EXPECT_EQ(encode_publish({"a/b", "hi", 0, false, false, 0}), "\x30\x07\x00\x03\x61/bhi"s);
  EXPECT_EQ(encode_publish({"t", "x", 1, true, false, 0x1234}), "\x33\x06\x00\x01t\x12\x34x"s);
}

TEST(MqttCodecTest, RemainingLengthBoundaries) {
  EXPECT_EQ(encode_remaining_length(0), "\x00"s);
  EXPECT_EQ(encode_remaining_length(127), "\x7F"s);
  EXPECT_EQ(encode_remaining_length(128), "\x80\x01"s);
  EXPECT_EQ(encode_remaining_length(16383), "\xFF\x7F"s);
  EXPECT_EQ(encode_remaining_length(16384), "\x80\x80\x01"s);
  EXPECT_EQ(encode_remaining_length(268435455), "\xFF\xFF\xFF\x7F"s);
  EXPECT_EQ(encode_remaining_length(268435456), "");
}

TEST(MqttCodecTest, ClientControlPackets) {
  EXPECT_EQ(encode_subscribe(1, "t/#", 1), "\x82\x08\x00\x01\x00\x03t/#\x01"s);
  EXPECT_EQ(encode_unsubscribe(2, "t"), "\xA2\x05\x00\x02\x00\x01t"s);
  EXPECT_EQ(encode_puback(7), "\x40\x02\x00\x07"s);
  EXPECT_EQ(encode_pingreq(), "\xC0\x00"s);
  EXPECT_EQ(encode_disconnect(), "\xE0\x00"s);
}

TEST(MqttCodecTest, DecodesEveryBrokerPacket) {
  const auto connack = decode(encode_connack({true, 5}));
  ASSERT_TRUE(connack.packet);
  EXPECT_EQ(std::get<ConnAck>(*connack.packet).return_code, 5);
  EXPECT_TRUE(std::get<ConnAck>(*connack.packet).session_present);
  EXPECT_EQ(connack.consumed, 4u);

  const auto suback = decode(encode_suback({9, {1, 0x80}}));
  ASSERT_TRUE(suback.packet);
  EXPECT_EQ(std::get<SubAck>(*suback.packet).packet_id, 9);
  EXPECT_EQ(std::get<SubAck>(*suback.packet).return_codes, (std::vector<std::uint8_t>{1, 0x80}));

  EXPECT_EQ(std::get<UnsubAck>(*decode(encode_unsuback(3)).packet).packet_id, 3);
  EXPECT_EQ(std::get<PubAck>(*decode(encode_puback(4)).packet).packet_id, 4);
  EXPECT_TRUE(std::holds_alternative<PingResp>(*decode(encode_pingresp()).packet));
}

TEST(MqttCodecTest, DecodesPublishWithRawPayload) {
  const std::string payload = "a\r\nb:c\0d"s;
  const std::string bytes = encode_publish({"x/y", payload, 1, true, true, 42}) + "tail";
  const auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.packet);
  const auto& publish = std::get<Publish>(*decoded.packet);
  EXPECT_EQ(publish.topic, "x/y");
  EXPECT_EQ(publish.payload, payload);
  EXPECT_EQ(publish.qos, 1u);
  EXPECT_TRUE(publish.retain);
  EXPECT_TRUE(publish.duplicate);
  EXPECT_EQ(publish.packet_id, 42);
  EXPECT_EQ(decoded.consumed, bytes.size() - 4);
}

TEST(MqttCodecTest, IncompletePacketsNeedMore) {
  const std::string whole = encode_publish({"t", std::string(300, 'p'), 0, false, false, 0});
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    const auto decoded = decode(std::string_view{whole}.substr(0, cut));
    EXPECT_FALSE(decoded.packet) << cut;
    EXPECT_FALSE(decoded.error) << cut;
  }
  EXPECT_TRUE(decode(whole).packet);
}

TEST(MqttCodecTest, MalformedPackets) {
  EXPECT_EQ(decode("\x30\xFF\xFF\xFF\xFF\x01"s).error, DecodeError::malformed);   // 5 length bytes
  EXPECT_EQ(decode("\x21\x02\x00\x00"s).error, DecodeError::malformed);           // CONNACK flags
  EXPECT_EQ(decode("\x20\x03\x00\x00\x00"s).error, DecodeError::malformed);       // CONNACK size
  EXPECT_EQ(decode("\x36\x03\x00\x01t"s).error, DecodeError::malformed);          // QoS 3
  EXPECT_EQ(decode("\x32\x03\x00\x01t"s).error, DecodeError::malformed);          // QoS 1, no id
  EXPECT_EQ(decode("\x32\x05\x00\x01t\x00\x00"s).error, DecodeError::malformed);  // id 0
  EXPECT_EQ(decode("\x30\x01\x00"s).error, DecodeError::malformed);      // truncated topic length
  EXPECT_EQ(decode("\x90\x02\x00\x01"s).error, DecodeError::malformed);  // SUBACK without codes
  EXPECT_EQ(decode("\x90\x03\x00\x01\x03"s).error, DecodeError::malformed);  // bad return code
  EXPECT_EQ(decode("\xD0\x01\x00"s).error, DecodeError::malformed);          // PINGRESP body
  EXPECT_EQ(decode("\x00\x00"s).error, DecodeError::malformed);              // reserved 0
  EXPECT_EQ(decode("\xF0\x00"s).error, DecodeError::malformed);              // reserved 15
}

TEST(MqttCodecTest, PacketsNoBrokerSendsAreUnexpected) {
  EXPECT_EQ(decode(encode_pingreq()).error, DecodeError::unexpected);
  EXPECT_EQ(decode("\x62\x02\x00\x01"s).error, DecodeError::unexpected);  // PUBREL
  EXPECT_EQ(decode(encode_connect({})).error, DecodeError::unexpected);
}

TEST(MqttCodecTest, OversizedPacketIsRefusedFromItsHeader) {
  // Only the fixed header is there: the verdict must not wait for (or allocate) the body.
  const std::string header = "\x30"s + encode_remaining_length(limits::mqtt_packet_bytes);
  EXPECT_EQ(decode(header).error, DecodeError::too_large);
  EXPECT_EQ(decode("\x30\x0A"s, 11).error, DecodeError::too_large);
  EXPECT_FALSE(decode("\x30\x09"s, 11).error);
}

}  // namespace
}  // namespace spwf::net::mqtt
