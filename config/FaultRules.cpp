#include "config/FaultRules.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "config/StateDirectory.hpp"
#include "support/Limits.hpp"
#include "support/Random.hpp"

namespace spwf::config {
namespace {

using Json = nlohmann::json;

struct KindName {
  FaultKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 13> kind_names{{
    {FaultKind::latency, "latency"},
    {FaultKind::bandwidth, "bandwidth"},
    {FaultKind::slicer, "slicer"},
    {FaultKind::limit_data, "limit_data"},
    {FaultKind::reset_peer, "reset_peer"},
    {FaultKind::timeout, "timeout"},
    {FaultKind::loss, "loss"},
    {FaultKind::duplicate, "duplicate"},
    {FaultKind::refuse, "refuse"},
    {FaultKind::dns_failure, "dns_failure"},
    {FaultKind::tls_certificate_error, "tls_certificate_error"},
    {FaultKind::tls_stall, "tls_stall"},
    {FaultKind::slow_close, "slow_close"},
}};

constexpr std::array<std::string_view, 3> direction_names{"up", "down", "both"};
constexpr std::array<std::string_view, 8> connection_names{"tcp",  "udp", "tls",    "http",
                                                           "mqtt", "ws",  "server", "smtp"};

template <typename Enum, std::size_t N>
std::optional<Enum> enum_named(const std::array<std::string_view, N>& names,
                               const std::string& text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

/// Reads the rule's fields; throws std::runtime_error with the reason.
struct Reader {
  const Json& json;
  std::uint64_t number(const char* key, std::uint64_t fallback = 0) const {
    const auto found = json.find(key);
    if (found == json.end()) return fallback;
    if (!found->is_number_unsigned()) {
      throw std::runtime_error(std::string{"\""} + key + "\" must be a whole number >= 0");
    }
    return found->get<std::uint64_t>();
  }
  std::string text(const char* key, std::string fallback = {}) const {
    const auto found = json.find(key);
    if (found == json.end()) return fallback;
    if (!found->is_string()) throw std::runtime_error(std::string{"\""} + key + "\" must be text");
    return found->get<std::string>();
  }
};

void read_match(const Json& match, FaultRule& rule) {
  if (!match.is_object()) throw std::runtime_error("\"match\" must be an object");
  for (const auto& [key, value] : match.items()) {
    if (key != "host" && key != "port" && key != "socket" && key != "kind" && key != "first") {
      throw std::runtime_error("unknown match field \"" + key + "\"");
    }
  }
  const Reader read{match};
  if (match.contains("host")) rule.host = read.text("host");
  if (match.contains("port")) {
    const auto port = read.number("port");
    if (port > 65535) throw std::runtime_error("\"port\" must be 0..65535");
    rule.port = static_cast<std::uint16_t>(port);
  }
  if (match.contains("socket")) rule.socket = static_cast<unsigned>(read.number("socket"));
  if (match.contains("first")) rule.first = read.number("first");
  if (match.contains("kind")) {
    rule.connection = enum_named<ConnectionKind>(connection_names, read.text("kind"));
    if (!rule.connection) {
      throw std::runtime_error("match kind must be tcp, udp, tls, http, mqtt, ws or server");
    }
  }
}

constexpr std::array<std::string_view, 13> rule_fields{
    "kind",      "name", "direction", "probability", "match",    "after_bytes", "latency_ms",
    "jitter_ms", "rate", "size",      "bytes",       "delay_ms", "code"};

FaultRule read_rule(const Json& json) {
  if (!json.is_object()) throw std::runtime_error("a rule must be a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (std::find(rule_fields.begin(), rule_fields.end(), key) == rule_fields.end()) {
      throw std::runtime_error("unknown field \"" + key + "\"");
    }
  }
  const Reader read{json};
  FaultRule rule;
  const std::string kind = read.text("kind");
  const auto found = std::find_if(kind_names.begin(), kind_names.end(),
                                  [&](const KindName& entry) { return entry.name == kind; });
  if (found == kind_names.end()) throw std::runtime_error("unknown kind \"" + kind + "\"");
  rule.kind = found->kind;
  rule.name = read.text("name");
  const auto direction =
      enum_named<FaultDirection>(direction_names, read.text("direction", "both"));
  if (!direction) throw std::runtime_error("\"direction\" must be up, down or both");
  rule.direction = *direction;
  if (json.contains("probability")) {
    if (!json["probability"].is_number() || json["probability"].get<double>() < 0 ||
        json["probability"].get<double>() > 1) {
      throw std::runtime_error("\"probability\" must be a number from 0 to 1");
    }
    rule.probability = json["probability"].get<double>();
  }
  if (json.contains("match")) read_match(json["match"], rule);
  rule.after_bytes = read.number("after_bytes");
  rule.latency_ms = read.number("latency_ms");
  rule.jitter_ms = read.number("jitter_ms");
  rule.rate = read.number("rate");
  rule.size = read.number("size");
  rule.bytes = read.number("bytes");
  rule.delay_ms = read.number("delay_ms");
  rule.code = static_cast<unsigned>(read.number("code"));
  if (rule.kind == FaultKind::bandwidth && rule.rate == 0) {
    throw std::runtime_error("bandwidth needs \"rate\" (bytes per second) > 0");
  }
  if (rule.kind == FaultKind::slicer && rule.size == 0) {
    throw std::runtime_error("slicer needs \"size\" > 0");
  }
  if (rule.kind == FaultKind::tls_certificate_error && (rule.code == 0 || rule.code > 255)) {
    throw std::runtime_error(
        "tls_certificate_error needs \"code\" 1-255 (the n of Certificate Error:n)");
  }
  return rule;
}

bool per_datagram(FaultKind kind) {
  return kind == FaultKind::loss || kind == FaultKind::duplicate;
}

bool matches(const FaultRule& rule, const ConnectionFacts& facts) {
  if (rule.host && *rule.host != facts.host) return false;
  if (rule.port && *rule.port != facts.port) return false;
  if (rule.socket && facts.socket != rule.socket) return false;
  if (rule.connection && *rule.connection != facts.kind) return false;
  return true;
}

}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  for (const auto& entry : kind_names) {
    if (entry.kind == kind) return entry.name;
  }
  return "?";
}

std::variant<FaultRule, std::string> parse_fault_rule(const Json& json) {
  try {
    return read_rule(json);
  } catch (const std::exception& error) {
    return std::string{error.what()};
  }
}

Json fault_rule_json(const FaultRule& rule) {
  Json json = {{"id", rule.id},
               {"kind", fault_kind_name(rule.kind)},
               {"direction", direction_names[static_cast<std::size_t>(rule.direction)]},
               {"probability", rule.probability},
               {"matched", rule.matched}};
  if (!rule.name.empty()) json["name"] = rule.name;
  Json match = Json::object();
  if (rule.host) match["host"] = *rule.host;
  if (rule.port) match["port"] = *rule.port;
  if (rule.socket) match["socket"] = *rule.socket;
  if (rule.connection) match["kind"] = connection_names[static_cast<std::size_t>(*rule.connection)];
  if (rule.first) match["first"] = *rule.first;
  json["match"] = match;
  const std::pair<const char*, std::uint64_t> numbers[] = {{"after_bytes", rule.after_bytes},
                                                           {"latency_ms", rule.latency_ms},
                                                           {"jitter_ms", rule.jitter_ms},
                                                           {"rate", rule.rate},
                                                           {"size", rule.size},
                                                           {"bytes", rule.bytes},
                                                           {"delay_ms", rule.delay_ms},
                                                           {"code", rule.code}};
  for (const auto& [key, value] : numbers) {
    if (value != 0) json[key] = value;
  }
  return json;
}

std::optional<unsigned> FaultRules::add(FaultRule rule) {
  if (m_rules.size() >= limits::fault_rules) return std::nullopt;
  rule.id = m_next_id++;
  rule.matched = 0;
  m_rules.push_back(std::move(rule));
  return m_rules.back().id;
}

bool FaultRules::contains(unsigned id) const {
  return std::any_of(m_rules.begin(), m_rules.end(),
                     [id](const FaultRule& rule) { return rule.id == id; });
}

bool FaultRules::remove(unsigned id) {
  const auto before = m_rules.size();
  std::erase_if(m_rules, [id](const FaultRule& rule) { return rule.id == id; });
  return m_rules.size() != before;
}

std::vector<FaultRule> FaultRules::select(const ConnectionFacts& facts) {
  std::vector<FaultRule> chosen;
  for (auto& rule : m_rules) {
    if (!matches(rule, facts)) continue;
    if (rule.first && rule.matched >= *rule.first) continue;
    ++rule.matched;
    if (!per_datagram(rule.kind) && !random::chance(rule.probability)) continue;
    chosen.push_back(rule);
  }
  return chosen;
}

std::vector<FaultRule> load_fault_rules(const std::string& path) {
  std::ifstream file{path, std::ios::binary};
  std::stringstream text;
  text << file.rdbuf();
  if (!file) throw StartupError("--faults " + path + ": cannot be read");
  const Json document = Json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) throw StartupError("--faults " + path + ": is not valid JSON");
  const Json& list =
      document.is_object() && document.contains("rules") ? document["rules"] : document;
  if (!list.is_array()) throw StartupError("--faults " + path + ": expected {\"rules\": [...]}");
  std::vector<FaultRule> rules;
  for (std::size_t index = 0; index < list.size(); ++index) {
    auto parsed = parse_fault_rule(list[index]);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
      throw StartupError("--faults " + path + ": rule " + std::to_string(index + 1) + ": " +
                         *problem);
    }
    rules.push_back(std::get<FaultRule>(std::move(parsed)));
  }
  return rules;
}

}  // namespace spwf::config
