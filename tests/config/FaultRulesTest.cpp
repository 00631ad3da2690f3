// Fault rules: parsing their JSON form and matching connections.

#include <gtest/gtest.h>

#include "config/FaultRules.hpp"
#include "support/Random.hpp"

namespace spwf::config {
namespace {

using Json = nlohmann::json;

FaultRule rule(const char* text) {
  auto parsed = parse_fault_rule(Json::parse(text));
  if (auto* problem = std::get_if<std::string>(&parsed)) ADD_FAILURE() << *problem;
  return std::get<FaultRule>(std::move(parsed));
}

std::string problem(const char* text) {
  auto parsed = parse_fault_rule(Json::parse(text));
  auto* found = std::get_if<std::string>(&parsed);
  return found ? *found : "(parsed)";
}

TEST(FaultRulesTest, ParsesEveryField) {
  const FaultRule latency = rule(
      R"({"kind":"latency","latency_ms":50,"jitter_ms":5,"direction":"down","probability":0.5,
          "match":{"host":"example.com","port":443,"socket":2,"kind":"tls","first":3},
          "after_bytes":10,"name":"slow"})");
  EXPECT_EQ(latency.kind, FaultKind::latency);
  EXPECT_EQ(latency.latency_ms, 50u);
  EXPECT_EQ(latency.jitter_ms, 5u);
  EXPECT_EQ(latency.direction, FaultDirection::down);
  EXPECT_DOUBLE_EQ(latency.probability, 0.5);
  EXPECT_EQ(latency.host, "example.com");
  EXPECT_EQ(latency.port, 443);
  EXPECT_EQ(latency.socket, 2u);
  EXPECT_EQ(latency.connection, ConnectionKind::tls);
  EXPECT_EQ(latency.first, 3u);
  EXPECT_EQ(latency.after_bytes, 10u);
  EXPECT_EQ(rule(R"({"kind":"refuse"})").direction, FaultDirection::both);
}

TEST(FaultRulesTest, RefusesWhatIsNoRule) {
  EXPECT_EQ(problem(R"({"kind":"gremlins"})"), "unknown kind \"gremlins\"");
  EXPECT_EQ(problem(R"({"kind":"latency","latncy_ms":5})"), "unknown field \"latncy_ms\"");
  EXPECT_EQ(problem(R"({"kind":"latency","latency_ms":-5})"),
            "\"latency_ms\" must be a whole number >= 0");
  EXPECT_EQ(problem(R"({"kind":"latency","probability":2})"),
            "\"probability\" must be a number from 0 to 1");
  EXPECT_EQ(problem(R"({"kind":"bandwidth"})"), "bandwidth needs \"rate\" (bytes per second) > 0");
  EXPECT_EQ(problem(R"({"kind":"slicer","size":0})"), "slicer needs \"size\" > 0");
  EXPECT_EQ(problem(R"({"kind":"refuse","match":{"kind":"sctp"}})"),
            "match kind must be tcp, udp, tls, http, mqtt, ws or server");
  EXPECT_EQ(problem(R"({"kind":"refuse","match":{"hots":"x"}})"), "unknown match field \"hots\"");
  EXPECT_EQ(problem(R"({"kind":"refuse","direction":"sideways"})"),
            "\"direction\" must be up, down or both");
  EXPECT_EQ(problem(R"({"kind":"tls_certificate_error"})"),
            "tls_certificate_error needs \"code\" 1-255 (the n of Certificate Error:n)");
}

TEST(FaultRulesTest, MatchesByHostPortSocketAndKind) {
  FaultRules rules;
  rules.add(rule(R"({"kind":"refuse","match":{"host":"a.test","port":80}})"));
  rules.add(rule(R"({"kind":"latency","match":{"socket":1}})"));
  rules.add(rule(R"({"kind":"loss","match":{"kind":"udp"}})"));
  const auto a80 = rules.select({"a.test", 80, 0, ConnectionKind::tcp});
  ASSERT_EQ(a80.size(), 1u);
  EXPECT_EQ(a80[0].kind, FaultKind::refuse);
  EXPECT_TRUE(rules.select({"a.test", 81, 0, ConnectionKind::tcp}).empty());
  EXPECT_TRUE(rules.select({"b.test", 80, 0, ConnectionKind::tcp}).empty());
  const auto socket1 = rules.select({"b.test", 80, 1, ConnectionKind::udp});
  ASSERT_EQ(socket1.size(), 2u);
  EXPECT_EQ(socket1[0].kind, FaultKind::latency);
  EXPECT_EQ(socket1[1].kind, FaultKind::loss);
  EXPECT_TRUE(rules.select({"b.test", 80, std::nullopt, ConnectionKind::http}).empty());
}

TEST(FaultRulesTest, FirstNConnectionsOnly) {
  FaultRules rules;
  rules.add(rule(R"({"kind":"refuse","match":{"first":2}})"));
  EXPECT_EQ(rules.select({"h", 1, 0, ConnectionKind::tcp}).size(), 1u);
  EXPECT_EQ(rules.select({"h", 1, 0, ConnectionKind::tcp}).size(), 1u);
  EXPECT_TRUE(rules.select({"h", 1, 0, ConnectionKind::tcp}).empty());
  EXPECT_EQ(rules.rules()[0].matched, 2u);
}

TEST(FaultRulesTest, ProbabilityIsDrawnFromTheSeededGenerator) {
  auto draws = [] {
    random::seed(42);
    FaultRules rules;
    rules.add(rule(R"({"kind":"refuse","probability":0.5})"));
    std::string pattern;
    for (int i = 0; i < 64; ++i) {
      pattern += rules.select({"h", 1, 0, ConnectionKind::tcp}).empty() ? '.' : 'x';
    }
    return pattern;
  };
  const std::string first = draws();
  EXPECT_EQ(draws(), first);  // same seed, same connections refused
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos);
}

TEST(FaultRulesTest, AddRemoveAndListForm) {
  FaultRules rules;
  const auto id = rules.add(rule(R"({"kind":"slicer","size":4,"delay_ms":1,"name":"s"})"));
  ASSERT_TRUE(id);
  EXPECT_EQ(fault_rule_json(rules.rules()[0]),
            Json::parse(R"({"id":1,"kind":"slicer","direction":"both","probability":1.0,
                            "matched":0,"name":"s","match":{},"size":4,"delay_ms":1})"));
  EXPECT_FALSE(rules.remove(*id + 1));
  EXPECT_TRUE(rules.remove(*id));
  EXPECT_TRUE(rules.empty());
}

}  // namespace
}  // namespace spwf::config
