// Module events from the control interface, as the firmware sees them on the console:
//   wifi.ap STTest out of range  -> +WIND:33:WiFi Network Lost, +WIND:21 / +WIND:35 (rescans)
//   wifi.ap STTest back          -> +WIND:21 … +WIND:24:WiFi Up:0:… (the join again)
//   wifi.lease_lost              -> +WIND:33:WiFi Network Lost, then the join again
//   wifi.rssi -80 / -60 (thresh -70) -> +WIND:15:WiFi Signal Low:-80 / +WIND:16:WiFi Signal Ok
//   heap.fail 1, AT+S.SOCKON     -> AT-S.ERROR:91:Low Memory (once)
//   gpio.input 3 high (in,r)     -> +WIND:52:GPIO Interrupt:3:1; AT+S.GPIOR=3 -> AT-S.Value:3:1:1
//   socket.peer_close 0          -> +WIND:58:Socket Closed:0:0
//   command.override "AT+S.STS*" error 7 x2 -> AT-S.ERROR:7:…, twice, then the real answer

#include <gtest/gtest.h>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/ControlPeer.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {
using Json = nlohmann::json;

class ModuleEventTest : public ConsoleFixture {
 protected:
  void SetUp() override {
    start({"--control", control_path(m_temp.path())});
    m_control = std::make_unique<ControlPeer>(control_path(m_temp.path()));
  }
  ControlPeer& control() { return *m_control; }
  std::unique_ptr<ControlPeer> m_control;
};

constexpr std::string_view k_lost = "+WIND:33:WiFi Network Lost\r\n";
constexpr std::string_view k_rescan =
    "+WIND:21:WiFi Scanning\r\n+WIND:35:WiFi Scan Complete:00\r\n";

TEST_F(ModuleEventTest, AccessPointGoesAndComesBack) {
  control().ok("wifi.ap", {{"ssid", "STTest"}, {"in_range", false}});
  EXPECT_EQ(host().read_until("Scan Complete:00\r\n"), std::string{k_lost} + std::string{k_rescan});
  EXPECT_EQ(control().ok("status")["wifi_state"], 5);
  const std::string scan = host().command("AT+S.SCAN=d,");
  EXPECT_EQ(scan.find("STTest"), std::string::npos) << scan;  // out of range: not in the scan
  control().ok("wifi.ap", {{"ssid", "STTest"}, {"in_range", true}});
  EXPECT_EQ(host().read_until(default_join_text()), default_join_text());
  EXPECT_EQ(control().ok("status")["wifi_state"], 10);
  EXPECT_EQ(control().request("wifi.ap", {{"ssid", "Nope"}, {"in_range", true}})["error"],
            "no access point 'Nope' is configured");
}

TEST_F(ModuleEventTest, DhcpLeaseLostJoinsAgain) {
  control().ok("wifi.lease_lost");
  const std::string expected = std::string{k_lost} + default_join_text();
  EXPECT_EQ(host().read_until(default_join_text()), expected);
}

TEST_F(ModuleEventTest, SignalLowAndOkAroundTheThreshold) {
  EXPECT_EQ(host().command("AT+S.SCFG=wifi_rssi_thresh,-70"), "AT-S.OK\r\n");
  control().ok("wifi.rssi", {{"ssid", "STTest"}, {"rssi", -80}});
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:15:WiFi Signal Low:-80\r\n");
  control().ok("wifi.rssi", {{"ssid", "STTest"}, {"rssi", -68}});  // within the hysteresis
  control().ok("wifi.rssi", {{"ssid", "STTest"}, {"rssi", -60}});
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:16:WiFi Signal Ok\r\n");
}

TEST_F(ModuleEventTest, LowMemoryForTheNextAllocation) {
  TcpPeer peer{TcpPeer::echo};
  const std::string open = "AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t";
  control().ok("heap.fail", {{"count", 1}});
  EXPECT_EQ(host().command(open), "AT-S.ERROR:91:Low Memory\r\n");
  EXPECT_EQ(host().command(open), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

TEST_F(ModuleEventTest, GpioInputDrivenRaisesTheInterrupt) {
  EXPECT_EQ(host().command("AT+S.GPIOC=3,in,r"), "AT-S.OK\r\n");
  control().ok("gpio.input", {{"gpio", 3}, {"high", true}});
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:52:GPIO Interrupt:3:1\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:1:1\r\nAT-S.OK\r\n");
  control().ok("gpio.input", {{"gpio", 3}, {"high", false}});  // falling: no interrupt
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:0:1\r\nAT-S.OK\r\n");
}

TEST_F(ModuleEventTest, PeerClosesASocket) {
  TcpPeer peer{TcpPeer::echo};
  EXPECT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  control().ok("socket.peer_close", {{"socket", 0}});
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:58:Socket Closed:0:0\r\n");
  EXPECT_EQ(control().request("socket.peer_close", {{"socket", 0}})["error"],
            "socket 0 is not open or its peer has gone");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
}

TEST_F(ModuleEventTest, CommandOverridesAnswerInsteadOfTheCommand) {
  control().ok("command.override", {{"pattern", "AT+S.STS*"}, {"error", 7}, {"times", 2}});
  control().ok("command.override", {{"pattern", "at"}, {"lines", {"AT-S.Var:x=1"}}});
  const std::string refused = host().command("AT+S.STS=free_heap");
  EXPECT_EQ(refused.substr(0, 13), "AT-S.ERROR:7:");
  EXPECT_EQ(host().command("AT+S.STS=free_heap"), refused);
  EXPECT_EQ(host().command("AT+S.STS=wifi_state"), "AT-S.Var:wifi_state=10\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.Var:x=1\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  EXPECT_EQ(control().request("command.override", {{"pattern", "AT"}, {"error", 999}})["error"],
            "the firmware has no error with that number");
}

// --baud 115200 with the console blocked by a running command (an override with a delay): the
// host floods 3000 bytes of "AT\r"; the module's 2048-byte receive buffer keeps the first 2048
// (682 commands and "AT"), the rest is lost.
//   AT+S.FOO (answered after 2 s)  -> x / AT-S.OK, then 682 x (AT / AT-S.OK), then "AT"
class BaudTest : public ConsoleFixture {};

TEST_F(BaudTest, FloodWhileACommandRunsOverflowsTheReceiveBuffer) {
  start({"--baud", "115200", "--control", control_path(m_temp.path())});
  ControlPeer control{control_path(m_temp.path())};
  control.ok("command.override", {{"pattern", "AT+S.FOO"}, {"lines", {"x"}}, {"delay_ms", 2000}});
  EXPECT_EQ(host().command("AT+S.SCFG=console_echo,1"), "AT-S.OK\r\n");
  host().send("AT+S.FOO\r");
  EXPECT_EQ(host().read_until("AT+S.FOO\r\n"), "AT+S.FOO\r\n");  // the command now runs
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += "AT\r";
  host().send(flood);
  std::string expected = "x\r\nAT-S.OK\r\n";
  for (int i = 0; i < 682; ++i) expected += "AT\r\nAT-S.OK\r\n";
  expected += "AT";
  EXPECT_EQ(host().read_exactly(expected.size(), 10s), expected);
  host().send("\r");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "\r\nAT-S.OK\r\n");
}

// --seed N: two runs with the same seed draw the same AT+S.RANDOM numbers; another seed differs.
//   AT+S.RANDOM -> AT-S.Value:<n> (the same n for the same seed)
class SeedTest : public ::testing::Test {
 protected:
  std::string randoms(const std::string& seed) {
    TempDir directory;
    EmulatorProcess emulator{directory.path() / "state", {"--seed", seed}};
    PtyHost host{emulator.pty_path()};
    host.read_until(factory_start_text());
    return host.command("AT+S.RANDOM") + host.command("AT+S.RANDOM");
  }
};

TEST_F(SeedTest, SameSeedSameNumbers) {
  const std::string first = randoms("42");
  EXPECT_EQ(randoms("42"), first);
  EXPECT_NE(randoms("43"), first);
}

}  // namespace
}  // namespace spwf::testing
