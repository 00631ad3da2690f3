// What the module's TLS client offers, read from the ClientHello it writes (no network):
//   supported_groups (extension 10): secp256r1, x25519, secp384r1, secp521r1, in that order
//   server_name (extension 0): the name the module's rule chose

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls/ClientSession.hpp"

namespace spwf::tls {
namespace {

/// The body of extension `type` in a ClientHello record, or nullopt.
std::optional<std::string> extension(const std::string& record, std::uint16_t type) {
  auto byte = [&](std::size_t at) { return static_cast<std::uint8_t>(record.at(at)); };
  auto u16 = [&](std::size_t at) { return static_cast<std::size_t>(byte(at) << 8 | byte(at + 1)); };
  // record header 5, handshake header 4, version 2, random 32
  std::size_t at = 5 + 4 + 2 + 32;
  at += 1 + byte(at);  // session id
  at += 2 + u16(at);   // cipher suites
  at += 1 + byte(at);  // compression methods
  const std::size_t end = at + 2 + u16(at);
  for (at += 2; at + 4 <= end;) {
    const std::size_t length = u16(at + 2);
    if (u16(at) == type) return record.substr(at + 4, length);
    at += 4 + length;
  }
  return std::nullopt;
}

std::string client_hello(const std::string& server_name) {
  ClientSettings settings;
  settings.server_name = server_name;
  settings.trace_name = "test";
  ClientSession session{std::move(settings)};
  EXPECT_TRUE(session.start());
  EXPECT_EQ(session.handshake(), HandshakeProgress::want_read);
  return session.take_output();
}

TEST(ClientSessionTest, OffersFastCurvesFirst) {
  const std::string hello = client_hello("example.com");
  ASSERT_GT(hello.size(), 50u);
  ASSERT_EQ(static_cast<std::uint8_t>(hello[5]), 1u);  // ClientHello
  const auto groups = extension(hello, 10);
  ASSERT_TRUE(groups);
  const std::string expected{"\x00\x08\x00\x17\x00\x1d\x00\x18\x00\x19", 10};
  EXPECT_EQ(*groups, expected);
}

TEST(ClientSessionTest, SendsTheChosenNameAsSni) {
  const auto sni = extension(client_hello("ssllabs.com"), 0);
  ASSERT_TRUE(sni);
  EXPECT_TRUE(sni->ends_with("ssllabs.com"));
}

}  // namespace
}  // namespace spwf::tls
