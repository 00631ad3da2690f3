// The control interface (--control PATH, docs/control-protocol.md) against the real executable:
//   {"id":1,"verb":"ping"}                          -> {"id":1,"ok":{}}
//   {"id":2,"verb":"subscribe","events":["wind"]}   -> {"id":2,"ok":{"events":["wind"]}}
//   {"id":3,"verb":"module.reset"}                  -> {"id":3,"ok":{}}
//   console: +WIND:1:Poweron:… (the boot again)      events: {"event":"wind","number":1,…}
//   console: AT\r -> AT-S.OK                         events: console_in "AT\r", console_out

#include <gtest/gtest.h>

#include "support/Limits.hpp"
#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/ControlPeer.hpp"

namespace spwf::testing {
namespace {
using Json = nlohmann::json;

class ControlTest : public ConsoleFixture {
 protected:
  void start_with_control(std::vector<std::string> arguments = {}) {
    arguments.insert(arguments.end(), {"--control", path()});
    start(std::move(arguments));
  }
  std::string path() const { return control_path(m_temp.path()); }
};

TEST_F(ControlTest, PingAndStatusOverAUnixSocket) {
  start_with_control();
  ControlPeer control{path()};
  EXPECT_EQ(control.request("ping"), Json::parse(R"({"id":1,"ok":{}})"));
  const Json status = control.ok("status");
  EXPECT_EQ(status["wifi_state"], 10);
  EXPECT_EQ(status["sockets"], Json::array());
  EXPECT_TRUE(control.ok("verbs")["verbs"].contains("fault.add"));
}

TEST_F(ControlTest, ResetPinBootsAgainAndWindEventsFollowTheConsole) {
  start_with_control();
  ControlPeer control{path()};
  control.ok("subscribe", {{"events", {"wind"}}});
  control.ok("module.reset");
  EXPECT_EQ(host().read_until(factory_start_text()), factory_start_text());
  const Json poweron = control.next_event("wind");
  EXPECT_EQ(poweron["number"], 1);
  EXPECT_EQ(poweron["text"], "+WIND:1:Poweron:171117-0328fe3-SPWF04S");
  EXPECT_EQ(control.next_event("wind")["number"], 13);
  // RAM state lost: echo is on again after the reset.
  EXPECT_EQ(host().command("AT"), "AT\r\nAT-S.OK\r\n");
}

TEST_F(ControlTest, ConsoleBytesInBothDirections) {
  start_with_control();
  ControlPeer control{path()};
  control.ok("subscribe", {{"events", {"console_in", "console_out"}}});
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  EXPECT_EQ(control.next_event("console_in")["data"], "AT\r");
  EXPECT_EQ(control.next_event("console_out")["data"], "AT-S.OK\r\n");
  control.ok("unsubscribe");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  control.send_raw("{\"id\":9,\"verb\":\"ping\"}\n");
  EXPECT_EQ(control.next_line(), R"({"id":9,"ok":{}})");  // no event came before the reply
}

TEST_F(ControlTest, MalformedAndOverlongRequestsAreAnsweredAndTheConnectionKept) {
  start_with_control();
  ControlPeer control{path()};
  control.send_raw("{nonsense\n");
  EXPECT_EQ(control.next_line(), R"({"error":"not a JSON object","id":null})");
  control.send_raw(std::string(limits::control_line + 10, 'x') + "\n");
  EXPECT_EQ(control.next_line(),
            R"({"error":"request line longer than 65536 bytes, skipped","id":null})");
  EXPECT_EQ(control.request("nope")["error"], "unknown verb \"nope\" (\"verbs\" lists them)");
  EXPECT_EQ(control.request("ping")["ok"], Json::object());
}

TEST_F(ControlTest, ClientsBeyondTheLimitAreTurnedAway) {
  start_with_control();
  std::vector<std::unique_ptr<ControlPeer>> clients;
  for (std::size_t i = 0; i < limits::control_clients; ++i) {
    clients.push_back(std::make_unique<ControlPeer>(path()));
    clients.back()->ok("ping");
  }
  ControlPeer extra{path()};
  EXPECT_EQ(extra.next_line(), R"x({"id":null,"error":"too many control clients (8)"})x");
  EXPECT_TRUE(extra.host().wait_closed());
  EXPECT_EQ(clients.front()->request("ping")["ok"], Json::object());
}

TEST_F(ControlTest, CommandLineClient) {
  start_with_control();
  const std::string ctl = std::string{SPWF04EMU_PATH} + " ctl --control " + path();
  EXPECT_EQ(run(ctl + " ping"), "{}\n");
  EXPECT_EQ(run(ctl + " fault.add 'rule={\"kind\":\"refuse\"}'"), "{\"id\":1}\n");
  EXPECT_EQ(run(ctl + " nope 2>&1; echo exit=$?"),
            "spwf04emu ctl: unknown verb \"nope\" (\"verbs\" lists them)\nexit=1\n");
}

}  // namespace
}  // namespace spwf::testing
