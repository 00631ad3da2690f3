// The control interface's protocol without sockets: request lines in, reply lines out.
//   {"id":1,"verb":"ping"}                      -> {"id":1,"ok":{}}
//   {"id":2,"verb":"nope"}                      -> {"id":2,"error":"unknown verb \"nope\" …"}
//   {"id":3,"verb":"subscribe","events":["wind"]} -> {"id":3,"ok":{"events":["wind"]}}

#include <gtest/gtest.h>

#include "emulator/ControlProtocol.hpp"

namespace spwf::emulator {
namespace {

Json answer(const ControlProtocol& protocol, std::string_view line, ClientState& client) {
  return Json::parse(protocol.handle(line, client));
}

TEST(ControlProtocolTest, PingAnswersWithTheRequestsId) {
  ControlProtocol protocol;
  ClientState client;
  EXPECT_EQ(protocol.handle(R"({"id":1,"verb":"ping"})", client), R"({"id":1,"ok":{}})");
  EXPECT_EQ(protocol.handle(R"({"id":"a-7","verb":"ping"})", client), R"({"id":"a-7","ok":{}})");
}

TEST(ControlProtocolTest, MalformedRequestsAreAnsweredNotThrown) {
  ControlProtocol protocol;
  ClientState client;
  EXPECT_EQ(answer(protocol, "not json", client)["error"], "not a JSON object");
  EXPECT_TRUE(answer(protocol, "not json", client)["id"].is_null());
  EXPECT_EQ(answer(protocol, "[1,2]", client)["error"], "not a JSON object");
  EXPECT_EQ(answer(protocol, R"({"id":4})", client)["error"], "no \"verb\" (a string)");
  EXPECT_EQ(answer(protocol, R"({"id":5,"verb":"nope"})", client)["error"],
            "unknown verb \"nope\" (\"verbs\" lists them)");
  EXPECT_EQ(answer(protocol, R"({"id":6,"verb":"nope"})", client)["id"], 6);
}

TEST(ControlProtocolTest, HandlerExceptionsBecomeErrors) {
  ControlProtocol protocol;
  protocol.add("needs.id", "", [](const Json& request, ClientState&) {
    return VerbResult::success({{"id", request.at("target").get<unsigned>()}});
  });
  ClientState client;
  const Json reply = answer(protocol, R"({"id":1,"verb":"needs.id"})", client);
  ASSERT_TRUE(reply.contains("error"));
  EXPECT_EQ(reply["error"].get<std::string>().rfind("bad arguments: ", 0), 0u);
}

TEST(ControlProtocolTest, SubscribeAndUnsubscribeChangeTheClientsEvents) {
  ControlProtocol protocol;
  ClientState client;
  auto reply = answer(protocol, R"({"id":1,"verb":"subscribe","events":["wind","fault"]})", client);
  EXPECT_EQ(reply["ok"]["events"], Json({"fault", "wind"}));
  EXPECT_EQ(client.subscribed, (std::set<std::string>{"fault", "wind"}));
  reply = answer(protocol, R"({"id":2,"verb":"unsubscribe","events":["wind"]})", client);
  EXPECT_EQ(reply["ok"]["events"], Json({"fault"}));
  reply = answer(protocol, R"({"id":3,"verb":"subscribe","events":["bogus"]})", client);
  EXPECT_EQ(reply["error"], "unknown event \"bogus\" (see docs/control-protocol.md)");
  // A value that is not a name is named by its type, not echoed (dump() would recurse as deep as
  // the client nested it: 32,000 levels fit in one 64 KB line).
  const std::string nested = std::string(32000, '[') + std::string(32000, ']');
  reply = answer(protocol, R"({"id":6,"verb":"subscribe","events":[)" + nested + "]}", client);
  EXPECT_EQ(reply["error"], "unknown event of type array (see docs/control-protocol.md)");
  answer(protocol, R"({"id":4,"verb":"subscribe"})", client);
  EXPECT_EQ(client.subscribed.size(), event_names().size());
  answer(protocol, R"({"id":5,"verb":"unsubscribe"})", client);
  EXPECT_TRUE(client.subscribed.empty());
}

TEST(ControlProtocolTest, VerbsListsEveryVerbWithItsHelp) {
  ControlProtocol protocol;
  protocol.add("x.y", "does x to y",
               [](const Json&, ClientState&) { return VerbResult::success(); });
  ClientState client;
  const Json verbs = answer(protocol, R"({"id":1,"verb":"verbs"})", client)["ok"]["verbs"];
  EXPECT_EQ(verbs["x.y"], "does x to y");
  EXPECT_TRUE(verbs.contains("ping"));
  EXPECT_TRUE(verbs.contains("subscribe"));
}

TEST(ControlProtocolTest, ConsoleBytesSurviveJsonAsLatin1CodePoints) {
  const std::string bytes{"AT\r\n\x00\x7f\x80\xff", 8};
  const std::string line = event_line("console_out", bytes);
  const Json event = Json::parse(line);
  EXPECT_EQ(event["event"], "console_out");
  EXPECT_EQ(utf8_to_latin1(event["data"].get<std::string>()), bytes);
  EXPECT_EQ(utf8_to_latin1("\xe2\x82\xac"), std::nullopt);  // U+20AC is no byte
}

TEST(ControlProtocolTest, WindLinesBecomeWindEvents) {
  const auto event = wind_event_line("+WIND:58:Socket Closed:0:1");
  ASSERT_TRUE(event);
  EXPECT_EQ(*event, R"({"event":"wind","number":58,"text":"+WIND:58:Socket Closed:0:1"})");
  EXPECT_FALSE(wind_event_line("AT-S.OK"));
  EXPECT_FALSE(wind_event_line("+WIND:"));
  EXPECT_FALSE(wind_event_line("+WINDY:1"));
}

TEST(ControlProtocolTest, EventNamesOfTraceRecords) {
  using trace::Channel;
  using trace::RecordKind;
  EXPECT_EQ(event_name(Channel::host_to_module, RecordKind::bytes), "console_in");
  EXPECT_EQ(event_name(Channel::module_to_host, RecordKind::bytes), "console_out");
  EXPECT_EQ(event_name(Channel::network, RecordKind::event), "net");
  EXPECT_EQ(event_name(Channel::fault, RecordKind::event), "fault");
  EXPECT_EQ(event_line("net", "connected to 127.0.0.1:80"),
            R"({"event":"net","text":"connected to 127.0.0.1:80"})");
}

TEST(ControlProtocolTest, OverlongReplyNamesTheLimit) {
  EXPECT_EQ(ControlProtocol::overlong_reply(65536),
            R"({"error":"request line longer than 65536 bytes, skipped","id":null})");
}

}  // namespace
}  // namespace spwf::emulator
