// Tests of netstack/HostMapper and Connector without a pty: the effective address every textual
// form stands for, the rules decided on it, and the one deadline over resolving and connecting.
//   effective_address(::ffff:127.0.0.1) -> 127.0.0.1;  0.0.0.0 -> 127.0.0.1;  :: -> ::1
//   parse_ip_literal("127.1" / "0" / "0x7f000001" / "[::1]") -> the address; "localhost" -> none
//   --deny 127.0.0.0/8 refuses ::ffff:127.0.0.1 and 0.0.0.0; --deny ::ffff:10.0.0.0/104 refuses
//   10.1.2.3
//   a lookup that never answers, timeout 300 ms -> name_not_resolved after ~300 ms, and a late
//   answer changes nothing

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <variant>

#include "netstack/Connector.hpp"
#include "netstack/HostMapper.hpp"

namespace spwf::net {
namespace {

namespace asio = boost::asio;
using asio::ip::make_address;

TEST(HostMapper, EffectiveAddressIsTheOneConnectedTo) {
  EXPECT_EQ(effective_address(make_address("::ffff:127.0.0.1")), make_address("127.0.0.1"));
  EXPECT_EQ(effective_address(make_address("0.0.0.0")), make_address("127.0.0.1"));
  EXPECT_EQ(effective_address(make_address("::ffff:0.0.0.0")), make_address("127.0.0.1"));
  EXPECT_EQ(effective_address(make_address("::")), make_address("::1"));
  EXPECT_EQ(effective_address(make_address("10.1.2.3")), make_address("10.1.2.3"));
  EXPECT_EQ(printable_address(make_address("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(printable_address(make_address("2001:db8::1")), "2001:db8::1");
}

TEST(HostMapper, EveryNumericFormIsALiteral) {
  for (const char* text : {"127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.1"}) {
    EXPECT_EQ(parse_ip_literal(text), make_address("127.0.0.1")) << text;
  }
  EXPECT_EQ(parse_ip_literal("0"), make_address("0.0.0.0"));
  EXPECT_EQ(parse_ip_literal("[::ffff:127.0.0.1]"), make_address("::ffff:127.0.0.1"));
  EXPECT_EQ(parse_ip_literal("::1"), make_address("::1"));
  EXPECT_FALSE(parse_ip_literal("localhost"));
  EXPECT_FALSE(parse_ip_literal(""));
  EXPECT_FALSE(parse_ip_literal("127.0.0.1.example"));
}

TEST(HostMapper, RulesJudgeTheEffectiveAddress) {
  config::EmulatorConfig settings;
  settings.deny = {"127.0.0.0/8", "::ffff:10.0.0.0/104", "blocked.example"};
  const HostMapper mapper{settings};
  EXPECT_FALSE(mapper.allowed("x", make_address("::ffff:127.0.0.1")));
  EXPECT_FALSE(mapper.allowed("x", make_address("0.0.0.0")));
  EXPECT_FALSE(mapper.allowed("x", make_address("10.1.2.3")));
  EXPECT_TRUE(mapper.allowed("x", make_address("192.168.1.1")));
  EXPECT_TRUE(mapper.refused_by_name("BLOCKED.example"));
  EXPECT_FALSE(mapper.refused_by_name("other.example"));
  const auto mapped = mapper.map("0", 80);
  ASSERT_TRUE(mapped.fixed_address);
  EXPECT_EQ(*mapped.fixed_address, make_address("0.0.0.0"));

  config::EmulatorConfig names_only;
  names_only.allow = {"api.example"};
  EXPECT_TRUE(HostMapper{names_only}.refused_by_name("other.example"));
  EXPECT_FALSE(HostMapper{names_only}.refused_by_name("api.example"));
  names_only.allow.push_back("192.168.0.0/16");  // the name's address could match: look it up
  EXPECT_FALSE(HostMapper{names_only}.refused_by_name("other.example"));
}

TEST(Connector, ALookupThatNeverAnswersEndsAtTheDeadline) {
  asio::io_context io;
  std::function<void(std::optional<asio::ip::address>)> late_answer;
  const HostMapper mapper{config::EmulatorConfig{},
                          [&](asio::any_io_executor, const std::string&, std::uint16_t,
                              std::function<void(std::optional<asio::ip::address>)> done) {
                            late_answer = std::move(done);
                          }};
  std::optional<std::variant<Connection, NetError>> outcome;
  const auto started = std::chrono::steady_clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        outcome = co_await connect_to(io.get_executor(), mapper, "stalls.example", 80,
                                      StreamKind::tcp, std::chrono::milliseconds(300), no_faults);
      },
      asio::detached);
  io.run_for(std::chrono::seconds(3));
  ASSERT_TRUE(outcome);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::seconds(2));
  ASSERT_TRUE(std::holds_alternative<NetError>(*outcome));
  EXPECT_EQ(std::get<NetError>(*outcome), NetError::name_not_resolved);
  // The answer arriving after the deadline is ignored.
  ASSERT_TRUE(late_answer);
  late_answer(make_address("127.0.0.1"));
  io.restart();
  io.poll();
}

}  // namespace
}  // namespace spwf::net
