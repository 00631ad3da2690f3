// Tests of netstack/TftpCodec.hpp (RFC 1350 bytes, no network):
//   RRQ "a.txt" octet         -> 00 01 'a.txt' 00 'octet' 00, and back
//   DATA 1 with 512 bytes     -> 00 03 00 01 + bytes; 513 bytes are cut to 512 on encode
//   ACK 258, ERROR 1 "x"      -> 00 04 01 02 / 00 05 00 01 'x' 00, and back
//   a request with options    -> decoded, the options ignored
//   missing NULs, opcode 0/6, an ACK with a trailing byte, a datagram of 517 bytes, an empty
//   name                      -> not a packet

#include <gtest/gtest.h>

#include <string>

#include "netstack/TftpCodec.hpp"

namespace spwf::net::tftp {
namespace {

using namespace std::string_literals;

TEST(TftpCodecTest, ReadRequestRoundTrip) {
  const std::string bytes = encode(Request{Opcode::read_request, "a.txt", "octet"});
  EXPECT_EQ(bytes,
            "\x00\x01"
            "a.txt\x00octet\x00"s);
  const auto packet = decode(bytes);
  ASSERT_TRUE(packet);
  const auto& request = std::get<Request>(*packet);
  EXPECT_EQ(request.opcode, Opcode::read_request);
  EXPECT_EQ(request.file, "a.txt");
  EXPECT_EQ(request.mode, "octet");
}

TEST(TftpCodecTest, WriteRequestWithOptionsIgnoresThem) {
  const auto packet = decode(
      "\x00\x02"
      "f\x00OCTET\x00tsize\x00"
      "0\x00"s);
  ASSERT_TRUE(packet);
  const auto& request = std::get<Request>(*packet);
  EXPECT_EQ(request.opcode, Opcode::write_request);
  EXPECT_TRUE(is_octet_mode(request.mode));
  EXPECT_FALSE(is_octet_mode("netascii"));
  EXPECT_FALSE(is_octet_mode("octets"));
}

TEST(TftpCodecTest, DataFullBlockAndCut) {
  const std::string block(block_size, 'x');
  const std::string bytes = encode(Data{1, block + "y"});
  EXPECT_EQ(bytes.size(), max_packet);
  EXPECT_EQ(bytes.substr(0, 4), "\x00\x03\x00\x01"s);
  const auto packet = decode(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(std::get<Data>(*packet).block, 1u);
  EXPECT_EQ(std::get<Data>(*packet).payload, block);
  const auto empty = decode("\x00\x03\xFF\xFF"s);
  ASSERT_TRUE(empty);
  EXPECT_EQ(std::get<Data>(*empty).block, 65535u);
  EXPECT_TRUE(std::get<Data>(*empty).payload.empty());
}

TEST(TftpCodecTest, AckAndErrorRoundTrip) {
  EXPECT_EQ(encode(Ack{258}), "\x00\x04\x01\x02"s);
  EXPECT_EQ(std::get<Ack>(*decode("\x00\x04\x01\x02"s)).block, 258u);
  const std::string bytes = encode(Error{ErrorCode::file_not_found, "x"});
  EXPECT_EQ(bytes, "\x00\x05\x00\x01x\x00"s);
  const auto error = std::get<Error>(*decode(bytes));
  EXPECT_EQ(error.code, ErrorCode::file_not_found);
  EXPECT_EQ(error.message, "x");
}

TEST(TftpCodecTest, MalformedDatagramsAreNotPackets) {
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(decode("\x00\x04\x00"s));          // short
  EXPECT_FALSE(decode("\x00\x04\x00\x01\x00"s));  // ACK with a trailing byte
  EXPECT_FALSE(decode("\x00\x00\x00\x01"s));      // opcode 0
  EXPECT_FALSE(decode("\x00\x06\x00\x01"s));      // opcode 6
  EXPECT_FALSE(
      decode("\x00\x01"
             "file\x00octet"s));                                      // mode without NUL
  EXPECT_FALSE(decode("\x00\x01\x00octet\x00"s));                     // empty name
  EXPECT_FALSE(decode("\x00\x05\x00\x01message"s));                   // message without NUL
  EXPECT_FALSE(decode("\x00\x03\x00\x01"s + std::string(513, 'x')));  // longer than a block
}

}  // namespace
}  // namespace spwf::net::tftp
