#include "emulator/ControlProtocol.hpp"

#include <algorithm>
#include <charconv>

#include "atcmd/Wire.hpp"

namespace spwf::emulator {
namespace {

/// The id echoed in a reply: the request's when it has one, else null.
Json request_id(const Json& request) {
  if (request.is_object()) {
    if (auto found = request.find("id"); found != request.end()) return *found;
  }
  return nullptr;
}

std::string reply(const Json& id, const VerbResult& result) {
  Json out = {{"id", id}};
  if (result.ok) {
    out["ok"] = *result.ok;
  } else {
    out["error"] = result.error;
  }
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// The names a subscribe/unsubscribe request lists ("events": [...]; absent: all).
std::optional<std::set<std::string>> requested_events(const Json& request, std::string& problem) {
  std::set<std::string> names;
  const auto found = request.find("events");
  if (found == request.end()) {
    for (auto name : event_names()) names.emplace(name);
    return names;
  }
  if (!found->is_array()) {
    problem = "\"events\" must be an array of event names";
    return std::nullopt;
  }
  for (const auto& item : *found) {
    const auto& all = event_names();
    if (item.is_string() && item.get<std::string>() == "all") {
      for (auto name : all) names.emplace(name);
      continue;
    }
    if (!item.is_string() ||
        std::find(all.begin(), all.end(), item.get<std::string>()) == all.end()) {
      // A string is quoted back; anything else is named by its type only (a client's deeply
      // nested value would make dump() recurse as deep).
      const std::string shown =
          item.is_string() ? item.dump() : std::string{"of type "} + item.type_name();
      problem = "unknown event " + shown + " (see docs/control-protocol.md)";
      return std::nullopt;
    }
    names.insert(item.get<std::string>());
  }
  return names;
}

Json subscription(const ClientState& client) {
  return {{"events",
           Json(std::vector<std::string>(client.subscribed.begin(), client.subscribed.end()))}};
}

}  // namespace

ControlProtocol::ControlProtocol() {
  add("ping", "answers {} (is the emulator there?)",
      [](const Json&, ClientState&) { return VerbResult::success(); });
  add("verbs", "lists the verbs with a line of help each", [this](const Json&, ClientState&) {
    Json list = Json::object();
    for (const auto& [name, verb] : m_verbs) list[name] = verb.help;
    return VerbResult::success({{"verbs", list}});
  });
  add("subscribe", "events: [names] (default all): send these events to this client",
      [](const Json& request, ClientState& client) {
        std::string problem;
        auto names = requested_events(request, problem);
        if (!names) return VerbResult::failure(problem);
        client.subscribed.insert(names->begin(), names->end());
        return VerbResult::success(subscription(client));
      });
  add("unsubscribe", "events: [names] (default all): stop sending these events",
      [](const Json& request, ClientState& client) {
        std::string problem;
        auto names = requested_events(request, problem);
        if (!names) return VerbResult::failure(problem);
        for (const auto& name : *names) client.subscribed.erase(name);
        return VerbResult::success(subscription(client));
      });
}

void ControlProtocol::add(std::string verb, std::string help, VerbHandler handler) {
  m_verbs[std::move(verb)] = Verb{std::move(help), std::move(handler)};
}

std::string ControlProtocol::handle(std::string_view line, ClientState& client) const {
  Json request = Json::parse(line, nullptr, false);
  if (request.is_discarded()) {
    return reply(nullptr, VerbResult::failure("not a JSON object"));
  }
  const Json id = request_id(request);
  if (!request.is_object()) return reply(id, VerbResult::failure("not a JSON object"));
  const auto verb = request.find("verb");
  if (verb == request.end() || !verb->is_string()) {
    return reply(id, VerbResult::failure("no \"verb\" (a string)"));
  }
  const auto found = m_verbs.find(verb->get<std::string>());
  if (found == m_verbs.end()) {
    return reply(id, VerbResult::failure("unknown verb \"" + verb->get<std::string>() +
                                         "\" (\"verbs\" lists them)"));
  }
  try {
    return reply(id, found->second.handler(request, client));
  } catch (const Json::exception& error) {
    return reply(id, VerbResult::failure(std::string{"bad arguments: "} + error.what()));
  } catch (const std::exception& error) {
    return reply(id, VerbResult::failure(error.what()));
  }
}

std::string ControlProtocol::overlong_reply(std::size_t limit) {
  return reply(nullptr, VerbResult::failure("request line longer than " + std::to_string(limit) +
                                            " bytes, skipped"));
}

const std::vector<std::string_view>& event_names() {
  static const std::vector<std::string_view> names = {
      "console_in", "console_out", "wind", "net", "tls", "wifi", "system", "fault", "dropped"};
  return names;
}

std::string_view event_name(trace::Channel channel, trace::RecordKind kind) {
  if (kind == trace::RecordKind::bytes) {
    return channel == trace::Channel::host_to_module ? "console_in" : "console_out";
  }
  return trace::channel_label(channel);
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::optional<std::string> utf8_to_latin1(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    if ((c & 0xFE) != 0xC2 || i + 1 >= text.size()) return std::nullopt;
    const auto next = static_cast<unsigned char>(text[++i]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    out += static_cast<char>(((c & 0x03) << 6) | (next & 0x3F));
  }
  return out;
}

std::optional<std::string> wind_event_line(std::string_view console_line) {
  const auto prefix = atcmd::wind_prefix;
  if (console_line.size() <= prefix.size() || !console_line.starts_with(prefix) ||
      console_line[prefix.size()] != ':') {
    return std::nullopt;
  }
  const char* first = console_line.data() + prefix.size() + 1;
  const char* last = console_line.data() + console_line.size();
  unsigned number = 0;
  const auto [end, failure] = std::from_chars(first, last, number);
  if (failure != std::errc{} || end == first) return std::nullopt;
  Json event = {{"event", "wind"}, {"number", number}, {"text", latin1_to_utf8(console_line)}};
  return event.dump();
}

std::string event_line(std::string_view name, std::string_view text) {
  Json event = {{"event", name}};
  if (name == "console_in" || name == "console_out") {
    event["data"] = latin1_to_utf8(text);
  } else {
    event["text"] = text;
  }
  return event.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace spwf::emulator
