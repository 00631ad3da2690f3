#pragma once
// The control interface's protocol without sockets: one request line (a JSON object with an
// "id" and a "verb") in, one reply line out ({"id":…,"ok":{…}} or {"id":…,"error":"…"}), verbs
// from a table, and the event records the interface sends to subscribers. Pure, so it is unit
// tested with strings (docs/control-protocol.md describes every message).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/Trace.hpp"

namespace spwf::emulator {

using Json = nlohmann::json;

/// What a verb answers: a result object, or an error text.
struct VerbResult {
  std::optional<Json> ok;
  std::string error;
  static VerbResult success(Json value = Json::object()) { return {std::move(value), {}}; }
  static VerbResult failure(std::string text) { return {std::nullopt, std::move(text)}; }
};

/// The per-client state a verb may change (its subscription).
struct ClientState {
  /// The event names the client receives; empty: none.
  std::set<std::string> subscribed;
};

/// One verb: its handler and a line of help (listed by the "verbs" verb).
using VerbHandler = std::function<VerbResult(const Json& request, ClientState& client)>;

/// The verb table and the request/reply framing.
class ControlProtocol {
 public:
  /// Adds "ping", "verbs", "subscribe" and "unsubscribe".
  ControlProtocol();
  /// Adds (or replaces) a verb.
  void add(std::string verb, std::string help, VerbHandler handler);
  /// Answers one request line (without its newline); never throws.
  std::string handle(std::string_view line, ClientState& client) const;
  /// The reply to a line longer than the limit (it is skipped, the connection kept).
  static std::string overlong_reply(std::size_t limit);

 private:
  struct Verb {
    std::string help;
    VerbHandler handler;
  };
  std::map<std::string, Verb, std::less<>> m_verbs;
};

/// Every event name a client can subscribe to ("all" stands for every one).
const std::vector<std::string_view>& event_names();
/// The event name of a trace record: console_in/console_out for console bytes, else the
/// channel (net, tls, wifi, system, fault).
std::string_view event_name(trace::Channel channel, trace::RecordKind kind);
/// The JSON line (without newline) of an event. Console bytes go in "data" with each byte as
/// the code point of the same value (Latin-1), so any bytes survive JSON's UTF-8.
std::string event_line(std::string_view name, std::string_view text);
/// The "wind" event of a console output line (without its CR LF), or nullopt when the line is
/// no indication: {"event":"wind","number":N,"text":"+WIND:N:…"}.
std::optional<std::string> wind_event_line(std::string_view console_line);
/// Bytes as a JSON string of code points 0-255, and back (nullopt for a code point > 255).
std::string latin1_to_utf8(std::string_view bytes);
std::optional<std::string> utf8_to_latin1(std::string_view text);

}  // namespace spwf::emulator
