// --allow's address rules also say who may drive the TCP console (--listen): the console reaches
// the host's network, so a host whose address no address rule contains is refused. Names in
// --allow cannot match a connecting host and do not guard the console.
//   spwf04emu --listen 127.0.0.1:0 --allow 10.0.0.0/8     (a host connects from 127.0.0.1)
//     (closed at once, nothing sent)   log: tcp console: refused 127.0.0.1:N: its address is not
//                                           in --allow
//   spwf04emu --listen 127.0.0.1:0 --allow 127.0.0.0/8    (a host connects from 127.0.0.1)
//     +WIND:1:Poweron:171117-0328fe3-SPWF04S ... +WIND:0:Console active ...
//     AT                                                  -> AT<CR><LF>AT-S.OK
//   spwf04emu --listen 127.0.0.1:0 --allow example.com    (only a name: the console is open)
//     +WIND:1:Poweron:171117-0328fe3-SPWF04S ... +WIND:0:Console active ...

#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"

namespace spwf::testing {
namespace {

/// Starts the emulator on a loopback TCP console with `arguments` added, logging to a file.
struct ListeningEmulator {
  explicit ListeningEmulator(std::vector<std::string> arguments)
      : log(temp.path() / "emulator.log"), emulator(start(std::move(arguments))) {}

  EmulatorProcess start(std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--listen", "127.0.0.1:0", "--log-file", log.string()});
    return EmulatorProcess{temp.path() / "state", std::move(arguments)};
  }
  std::uint16_t port() const { return console_port(emulator.pty_path()); }

  TempDir temp;
  std::filesystem::path log;
  EmulatorProcess emulator;
};

/// A host from loopback that is refused: closed before any byte, and the log says why.
void expect_refused(ListeningEmulator& listening) {
  FdHost host{connect_loopback(listening.port())};
  EXPECT_TRUE(host.wait_closed());
  EXPECT_EQ(host.unread(), "");
  EXPECT_TRUE(wait_for_text(listening.log, "tcp console: refused 127.0.0.1:"));
  EXPECT_TRUE(wait_for_text(listening.log, "its address is not in --allow"));
}

/// A host from loopback that is admitted: it gets the boot and an answer to AT.
void expect_admitted(ListeningEmulator& listening) {
  FdHost host{connect_loopback(listening.port())};
  host.read_until(factory_start_text());
  host.send("AT\r");
  EXPECT_EQ(host.read_until("AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
}

TEST(ConsoleAccessTest, AHostOutsideTheAllowedBlocksIsRefused) {
  ListeningEmulator listening{{"--allow", "10.0.0.0/8"}};
  expect_refused(listening);
  expect_refused(listening);  // still listening, still refusing
}

TEST(ConsoleAccessTest, AnAllowRuleFromTheConfigurationFileGuardsTheConsoleToo) {
  TempDir files;
  const auto config = files.path() / "config.json";
  { std::ofstream{config} << R"({"allow": ["192.0.2.0/24", "[2001:db8::]/32"]})"; }
  ListeningEmulator listening{{"--config", config.string()}};
  expect_refused(listening);
}

TEST(ConsoleAccessTest, AHostInsideAnAllowedBlockDrivesTheModule) {
  ListeningEmulator listening{{"--allow", "10.0.0.0/8", "--allow", "127.0.0.0/8"}};
  expect_admitted(listening);
}

TEST(ConsoleAccessTest, NameRulesAloneLeaveTheConsoleOpen) {
  ListeningEmulator listening{{"--allow", "example.com"}};
  expect_admitted(listening);
}

}  // namespace
}  // namespace spwf::testing
