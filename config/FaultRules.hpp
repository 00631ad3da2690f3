#pragma once
// Network fault rules (--faults FILE, the control interface's fault.add): what goes wrong, on
// which connections, in which direction and how often. A rule matches a connection by the
// destination the module named (after --connect-to mapping), its port, the module's socket id,
// the kind of connection, and optionally only the first N connections it matches. The rules are
// data; netstack/FaultyStream applies them to a connection's stream, and the connection code
// applies the connection-level ones (refuse, DNS failure, TLS). Pure: unit tested with JSON.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spwf::config {

/// What a rule does.
enum class FaultKind {
  latency,                ///< delay each piece by latency_ms (+ up to jitter_ms)
  bandwidth,              ///< at most rate bytes per second
  slicer,                 ///< split into pieces of size bytes, delay_ms apart
  limit_data,             ///< close after bytes bytes (both directions count)
  reset_peer,             ///< connection reset after delay_ms (or once after_bytes have passed)
  timeout,                ///< stall: data stops (swallowed), the module's own timeouts then answer
  loss,                   ///< UDP: a datagram is dropped (probability per datagram)
  duplicate,              ///< UDP: a datagram is delivered twice (probability per datagram)
  refuse,                 ///< the connection is refused
  dns_failure,            ///< the name does not resolve
  tls_certificate_error,  ///< the TLS verdict is Certificate Error:<code>
  tls_stall,              ///< the TLS handshake never completes (the handshake timeout answers)
  slow_close,             ///< the peer's close reaches the module delay_ms after the data
};

/// Which way the bytes go: up (module to peer), down (peer to module), or both.
enum class FaultDirection { up, down, both };

/// The kind of connection a rule may be limited to: the module's client sockets (SOCKON t, u,
/// s), its HTTP client, its MQTT clients (also over WebSocket), its WebSocket clients, and the
/// connections its socket servers accept.
enum class ConnectionKind { tcp, udp, tls, http, mqtt, ws, server, smtp };

/// What is known about a connection when its rules are chosen.
struct ConnectionFacts {
  std::string host;  ///< the name or address the module used, after mapping
  std::uint16_t port = 0;
  std::optional<unsigned> socket;  ///< the module's socket or client id (none for HTTP)
  ConnectionKind kind = ConnectionKind::tcp;
};

/// One rule.
struct FaultRule {
  unsigned id = 0;  ///< given by FaultRules::add
  std::string name;
  FaultKind kind = FaultKind::latency;
  FaultDirection direction = FaultDirection::both;
  double probability = 1.0;  ///< per connection; per datagram for loss and duplicate
  // Match (absent: any).
  std::optional<std::string> host;
  std::optional<std::uint16_t> port;
  std::optional<unsigned> socket;
  std::optional<ConnectionKind> connection;
  std::optional<std::uint64_t> first;  ///< only the first N connections it matches
  std::uint64_t after_bytes = 0;       ///< starts once this many bytes have passed
  // Parameters.
  std::uint64_t latency_ms = 0;
  std::uint64_t jitter_ms = 0;
  std::uint64_t rate = 0;   ///< bandwidth, bytes per second
  std::uint64_t size = 0;   ///< slicer piece size
  std::uint64_t bytes = 0;  ///< limit_data
  std::uint64_t delay_ms = 0;
  unsigned code = 0;  ///< tls_certificate_error
  /// Connections it has matched so far (for `first`).
  std::uint64_t matched = 0;
};

/// A rule from its JSON form, or the reason it is not one.
std::variant<FaultRule, std::string> parse_fault_rule(const nlohmann::json& json);
/// The JSON form of a rule (as listed).
nlohmann::json fault_rule_json(const FaultRule& rule);
std::string_view fault_kind_name(FaultKind kind);

/// The rule table.
class FaultRules {
 public:
  /// Adds a rule; returns its id, or nullopt when the table is full.
  std::optional<unsigned> add(FaultRule rule);
  /// Removes a rule; false if there is no such id.
  bool remove(unsigned id);
  void clear() { m_rules.clear(); }
  const std::vector<FaultRule>& rules() const { return m_rules; }
  /// True while the rule with this id is in the table (a removed rule stops at once, also on
  /// the connections it was chosen for).
  bool contains(unsigned id) const;
  bool empty() const { return m_rules.empty(); }
  /// The rules that apply to a new connection (counting it against `first`, drawing each
  /// connection-level probability once), in the order they were added.
  std::vector<FaultRule> select(const ConnectionFacts& facts);

 private:
  std::vector<FaultRule> m_rules;
  unsigned m_next_id = 1;
};

/// Loads a --faults file: {"rules":[...]} or a bare array; throws StartupError naming the
/// file and the bad rule.
std::vector<FaultRule> load_fault_rules(const std::string& path);

}  // namespace spwf::config
