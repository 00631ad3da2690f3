// --control ADDRESS: a Unix socket path or HOST:PORT (":PORT" on loopback).

#include <gtest/gtest.h>

#include "emulator/ControlServer.hpp"

namespace spwf::emulator {
namespace {

TEST(ControlAddressTest, HostPortIsTcpAndAnEmptyHostIsLoopback) {
  auto address = ControlAddress::parse(":5001");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 5001);
  EXPECT_TRUE(address->path.empty());
  address = ControlAddress::parse("[::1]:0");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->port, 0);
  address = ControlAddress::parse("0.0.0.0:7");
  EXPECT_EQ(address->host, "0.0.0.0");
}

TEST(ControlAddressTest, AnythingElseIsAUnixSocketPath) {
  EXPECT_EQ(ControlAddress::parse("/tmp/emu.sock")->path, "/tmp/emu.sock");
  EXPECT_EQ(ControlAddress::parse("emu.sock")->path, "emu.sock");
  EXPECT_EQ(ControlAddress::parse("./a:1")->path, "./a:1");  // a '/' makes it a path
  EXPECT_EQ(ControlAddress::parse("host:99999")->path, "host:99999");
  EXPECT_FALSE(ControlAddress::parse(""));
}

}  // namespace
}  // namespace spwf::emulator
