// Network faults (--faults FILE and the control interface's fault.add) on real loopback peers,
// asserting the console bytes the firmware sees:
//   refuse (first 1)        AT+S.SOCKON=127.0.0.1,<port>,,t -> AT-S.ERROR:74:Failed to open socket
//   dns_failure             AT+S.SOCKON=example.test,80,,t  -> AT-S.ERROR:65:DNS address failure
//   slicer down 4           peer sends 10 bytes -> +WIND:55:Pending Data::0:4:4 / :0:4:8 / :0:2:10
//   limit_data 6            AT+S.SOCKW=0,10 -> AT-S.OK, peer gets 6 bytes, +WIND:58:Socket
//   Closed:0:0 reset_peer after 5      AT+S.SOCKW=0,5  -> AT-S.OK, +WIND:58:Socket Closed:0:1
//   timeout up              AT+S.SOCKW=0,5  -> AT-S.OK, the peer gets nothing
//   loss / duplicate (UDP)  no +WIND:55 / two +WIND:55 for one datagram

#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/ControlPeer.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {
using Json = nlohmann::json;

class FaultTest : public ConsoleFixture {
 protected:
  /// Starts with the control interface and returns a client subscribed to fault events.
  std::unique_ptr<ControlPeer> start_with_control(std::vector<std::string> arguments = {}) {
    arguments.insert(arguments.end(), {"--control", control_path(m_temp.path())});
    start(std::move(arguments));
    auto control = std::make_unique<ControlPeer>(control_path(m_temp.path()));
    control->ok("subscribe", {{"events", {"fault"}}});
    return control;
  }
  std::string open(std::uint16_t port, std::string_view kind = "t") {
    return host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(port) + ",," +
                          std::string{kind});
  }
  static constexpr std::string_view opened = "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n";
};

TEST_F(FaultTest, RefuseTheFirstConnectionAndFailDnsFromAFaultsFile) {
  TcpPeer peer{TcpPeer::echo};
  const auto file = m_temp.path() / "faults.json";
  std::ofstream{file} << R"({"rules":[
      {"kind":"refuse","match":{"port":)"
                      << peer.port() << R"(,"first":1}},
      {"kind":"dns_failure","match":{"host":"example.test"}}]})";
  auto control = start_with_control({"--faults", file.string()});
  EXPECT_EQ(open(peer.port()), "AT-S.ERROR:74:Failed to open socket\r\n");
  EXPECT_EQ(control->next_event("fault")["text"], "socket 0 rule 1 refuse: connection refused");
  EXPECT_EQ(open(peer.port()), opened);  // only the first connection
  EXPECT_EQ(host().command("AT+S.SOCKON=example.test,80,,t"),
            "AT-S.ERROR:65:DNS address failure\r\n");
  EXPECT_EQ(control->ok("fault.list")["rules"][0]["matched"], 1);
}

TEST_F(FaultTest, BadFaultsFileStopsTheStart) {
  const auto file = m_temp.path() / "faults.json";
  std::ofstream{file} << R"([{"kind":"latency","latncy_ms":5}])";
  EmulatorProcess emulator{m_temp.path() / "state", {"--faults", file.string()}, false};
  EXPECT_EQ(emulator.wait_exit(), 2);
  EXPECT_EQ(emulator.stderr_text(), "spwf04emu: error: --faults " + file.string() +
                                        ": rule 1: unknown field \"latncy_ms\"\n");
}

TEST_F(FaultTest, SlicerDeliversThePeersBytesInPieces) {
  TcpPeer peer{TcpPeer::send_and_close("0123456789")};
  auto control = start_with_control();
  control->ok("fault.add", {{"rule", {{"kind", "slicer"}, {"size", 4}, {"direction", "down"}}}});
  host().send("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t\r");
  const std::string expected = std::string{opened} +
                               "+WIND:55:Pending Data::0:4:4\r\n"
                               "+WIND:55:Pending Data::0:4:8\r\n"
                               "+WIND:55:Pending Data::0:2:10\r\n"
                               "+WIND:58:Socket Closed:0:0\r\n";
  EXPECT_EQ(host().read_until("+WIND:58:Socket Closed:0:0\r\n"), expected);
}

TEST_F(FaultTest, LimitDataClosesAfterTheBytes) {
  std::string received;
  std::atomic<bool> done{false};
  TcpPeer peer{TcpPeer::collect(received, done)};
  auto control = start_with_control();
  control->ok("fault.add", {{"rule", {{"kind", "limit_data"}, {"bytes", 6}}}});
  EXPECT_EQ(open(peer.port()), opened);
  host().send("AT+S.SOCKW=0,10\r0123456789");
  EXPECT_EQ(host().read_until("+WIND:58:Socket Closed:0:0\r\n"),
            "AT-S.OK\r\n+WIND:58:Socket Closed:0:0\r\n");
  ASSERT_TRUE(wait_until(done, 5s));
  EXPECT_EQ(received, "012345");
  EXPECT_EQ(control->next_event("fault")["text"],
            "socket 0 rule 1 limit_data: closed after 6 bytes");
}

TEST_F(FaultTest, ResetPeerAfterBytes) {
  std::string received;
  std::atomic<bool> done{false};
  TcpPeer peer{TcpPeer::collect(received, done)};
  auto control = start_with_control();
  control->ok("fault.add", {{"rule", {{"kind", "reset_peer"}, {"after_bytes", 5}}}});
  EXPECT_EQ(open(peer.port()), opened);
  host().send("AT+S.SOCKW=0,5\rhello");
  EXPECT_EQ(host().read_until("+WIND:58:Socket Closed:0:1\r\n"),
            "AT-S.OK\r\n+WIND:58:Socket Closed:0:1\r\n");
  EXPECT_EQ(control->next_event("fault")["text"], "socket 0 rule 1 reset_peer: connection reset");
  ASSERT_TRUE(wait_until(done, 5s));
  EXPECT_EQ(received, "hello");
}

TEST_F(FaultTest, TimeoutSwallowsWhatTheModuleSends) {
  std::string received;
  std::atomic<bool> done{false};
  TcpPeer peer{TcpPeer::collect(received, done)};
  auto control = start_with_control();
  control->ok("fault.add", {{"rule", {{"kind", "timeout"}, {"direction", "up"}}}});
  EXPECT_EQ(open(peer.port()), opened);
  host().send("AT+S.SOCKW=0,5\rhello");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(control->next_event("fault")["text"],
            "socket 0 rule 1 timeout: 5 bytes to the peer swallowed");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), "AT-S.OK\r\n");
  ASSERT_TRUE(wait_until(done, 5s));
  EXPECT_EQ(received, "");
}

TEST_F(FaultTest, UdpLossThenNoLossOnceTheRuleIsRemoved) {
  UdpEchoPeer peer;
  auto control = start_with_control();
  const unsigned id =
      control->ok("fault.add", {{"rule", {{"kind", "loss"}, {"direction", "down"}}}})["id"];
  EXPECT_EQ(open(peer.port(), "u"), opened);
  host().send("AT+S.SOCKW=0,4\rping");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(control->next_event("fault")["text"],
            "socket 0 rule 1 loss: datagram of 4 bytes from the peer dropped");
  control->ok("fault.remove", {{"rule", id}});
  host().send("AT+S.SOCKW=0,6\rsecond");
  EXPECT_EQ(host().read_until("+WIND:55:Pending Data::0:6:6\r\n"),
            "AT-S.OK\r\n+WIND:55:Pending Data::0:6:6\r\n");
}

TEST_F(FaultTest, UdpDuplicateDeliversADatagramTwice) {
  UdpEchoPeer peer;
  auto control = start_with_control();
  control->ok("fault.add", {{"rule", {{"kind", "duplicate"}, {"direction", "down"}}}});
  EXPECT_EQ(open(peer.port(), "u"), opened);
  host().send("AT+S.SOCKW=0,3\rabc");
  EXPECT_EQ(host().read_until("+WIND:55:Pending Data::0:3:6\r\n"),
            "AT-S.OK\r\n+WIND:55:Pending Data::0:3:3\r\n+WIND:55:Pending Data::0:3:6\r\n");
  host().send("AT+S.SOCKR=0,6\r");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.Reading:6:6\r\nabcabcAT-S.OK\r\n");
}

TEST_F(FaultTest, LatencyDelaysThePeersBytesAtLeastTheRulesTime) {
  TcpPeer peer{TcpPeer::echo};
  auto control = start_with_control();
  control->ok("fault.add",
              {{"rule", {{"kind", "latency"}, {"latency_ms", 300}, {"direction", "down"}}}});
  EXPECT_EQ(open(peer.port()), opened);
  const auto sent = std::chrono::steady_clock::now();
  host().send("AT+S.SOCKW=0,2\rhi");
  EXPECT_EQ(host().read_until("+WIND:55:Pending Data::0:2:2\r\n"),
            "AT-S.OK\r\n+WIND:55:Pending Data::0:2:2\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - sent, std::chrono::milliseconds{300});
}

}  // namespace
}  // namespace spwf::testing
