#include "emulator/ControlVerbs.hpp"

namespace spwf::emulator {
namespace {

Json socket_rows(atcmd::ModuleState& state) {
  Json rows = Json::array();
  for (const auto& row : state.sockets().list()) {
    rows.push_back({{"id", row.id},
                    {"connected", row.connected},
                    {"kind", static_cast<int>(row.kind)},
                    {"pending", row.pending},
                    {"peer", row.peer_address}});
  }
  return rows;
}

void add_fault_verbs(ControlProtocol& protocol, config::FaultRules& faults) {
  protocol.add("fault.add", "rule: {kind, match, direction, probability, ...}: adds a fault rule",
               [&faults](const Json& request, ClientState&) {
                 if (!request.contains("rule")) return VerbResult::failure("no \"rule\" object");
                 auto parsed = config::parse_fault_rule(request["rule"]);
                 if (auto* problem = std::get_if<std::string>(&parsed)) {
                   return VerbResult::failure(*problem);
                 }
                 const auto id = faults.add(std::get<config::FaultRule>(std::move(parsed)));
                 if (!id) return VerbResult::failure("the fault rule table is full");
                 return VerbResult::success({{"id", *id}});
               });
  protocol.add("fault.list", "lists the fault rules (with how many connections each matched)",
               [&faults](const Json&, ClientState&) {
                 Json rules = Json::array();
                 for (const auto& rule : faults.rules())
                   rules.push_back(config::fault_rule_json(rule));
                 return VerbResult::success({{"rules", rules}});
               });
  protocol.add("fault.remove",
               "rule: the id fault.add gave; removes the rule (open connections "
               "keep their faults)",
               [&faults](const Json& request, ClientState&) {
                 if (!faults.remove(request.at("rule").get<unsigned>())) {
                   return VerbResult::failure("no fault rule with that id");
                 }
                 return VerbResult::success();
               });
  protocol.add("fault.clear", "removes every fault rule", [&faults](const Json&, ClientState&) {
    faults.clear();
    return VerbResult::success();
  });
}

void add_wifi_verbs(ControlProtocol& protocol, atcmd::ModuleState& state) {
  protocol.add("wifi.ap", "ssid, in_range (bool): an access point leaves range or comes back",
               [&state](const Json& request, ClientState&) {
                 const auto ssid = request.at("ssid").get<std::string>();
                 if (!state.link().set_in_range(ssid, request.at("in_range").get<bool>())) {
                   return VerbResult::failure("no access point '" + ssid + "' is configured");
                 }
                 return VerbResult::success();
               });
  protocol.add("wifi.lease_lost", "the DHCP lease is lost: the link drops and joins again",
               [&state](const Json&, ClientState&) {
                 if (!state.link().lose_lease()) {
                   return VerbResult::failure("the station link is not up");
                 }
                 return VerbResult::success();
               });
  protocol.add("wifi.rssi",
               "ssid, rssi (dBm): the signal changes (+WIND:15/16 around "
               "wifi_rssi_thresh)",
               [&state](const Json& request, ClientState&) {
                 const auto ssid = request.at("ssid").get<std::string>();
                 const int threshold = static_cast<int>(state.config().get_int("wifi_rssi_thresh"));
                 if (!state.link().set_rssi(ssid, request.at("rssi").get<int>(), threshold)) {
                   return VerbResult::failure("no access point '" + ssid + "' is configured");
                 }
                 return VerbResult::success();
               });
}

VerbResult add_override(atcmd::ModuleState& state, const Json& request) {
  atcmd::CommandOverride entry;
  entry.pattern = request.at("pattern").get<std::string>();
  if (request.contains("error")) {
    entry.error = atcmd::CommandOverrides::error_numbered(request["error"].get<unsigned>());
    if (!entry.error) return VerbResult::failure("the firmware has no error with that number");
  }
  if (request.contains("lines")) {
    entry.lines = request["lines"].get<std::vector<std::string>>();
    if (entry.lines.empty() && !entry.error) entry.error = atcmd::AtError::none;
  }
  entry.delay = std::chrono::milliseconds{request.value("delay_ms", 0u)};
  entry.remaining = request.value("times", 1u);
  if (!entry.replaces() && entry.delay.count() == 0) {
    return VerbResult::failure("give error, lines or delay_ms");
  }
  return VerbResult::success({{"id", state.overrides().add(std::move(entry))}});
}

void add_override_verbs(ControlProtocol& protocol, atcmd::ModuleState& state) {
  protocol.add(
      "command.override",
      "pattern (glob over the command line), error (number) or lines, delay_ms, times "
      "(default 1): answers the next matching commands instead of running them",
      [&state](const Json& request, ClientState&) { return add_override(state, request); });
  protocol.add(
      "command.overrides", "lists the overrides in force", [&state](const Json&, ClientState&) {
        Json list = Json::array();
        for (const auto& entry : state.overrides().entries()) {
          list.push_back(
              {{"id", entry.id}, {"pattern", entry.pattern}, {"remaining", entry.remaining}});
        }
        return VerbResult::success({{"overrides", list}});
      });
  protocol.add("command.clear", "removes every command override",
               [&state](const Json&, ClientState&) {
                 state.overrides().clear();
                 return VerbResult::success();
               });
}

}  // namespace

void add_module_verbs(ControlProtocol& protocol, atcmd::Session& session,
                      atcmd::ModuleState& state) {
  protocol.add("status", "wifi_state, the link's address and the client sockets",
               [&state](const Json&, ClientState&) {
                 return VerbResult::success({{"wifi_state", state.wifi_state()},
                                             {"address", state.link().ip().address},
                                             {"free_heap", state.free_heap()},
                                             {"sockets", socket_rows(state)}});
               });
  protocol.add("module.reset",
               "pulses the reset pin: RAM state lost, flash kept, power-on indications again",
               [&session](const Json&, ClientState&) {
                 session.power_cycle();
                 return VerbResult::success();
               });
  add_fault_verbs(protocol, state.faults());
  add_wifi_verbs(protocol, state);
  add_override_verbs(protocol, state);
  protocol.add("socket.peer_close",
               "socket, reason (0 orderly, 1 reset; default 0): the peer of "
               "a client socket closes (+WIND:58)",
               [&state](const Json& request, ClientState&) {
                 const auto id = request.at("socket").get<unsigned>();
                 if (!state.sockets().close_by_peer(id, request.value("reason", 0u) != 0 ? 1 : 0)) {
                   return VerbResult::failure("socket " + std::to_string(id) +
                                              " is not open or its peer has gone");
                 }
                 return VerbResult::success();
               });
  protocol.add("gpio.input",
               "gpio, high (bool): drives an input pin (+WIND:52 when it is "
               "configured for that edge)",
               [&state, &session](const Json& request, ClientState&) {
                 const auto gpio = request.at("gpio").get<unsigned>();
                 if (!atcmd::Peripherals::is_gpio(gpio)) return VerbResult::failure("no such GPIO");
                 const bool high = request.at("high").get<bool>();
                 if (state.peripherals().drive_input(gpio, high)) {
                   session.indicate(atcmd::Wind::gpio_interrupt,
                                    std::to_string(gpio) + ":" + (high ? "1" : "0"));
                 }
                 return VerbResult::success();
               });
  protocol.add("heap.fail", "count: the module's next count allocations fail (AT-S.ERROR:91)",
               [&state](const Json& request, ClientState&) {
                 state.heap().fail_next(request.at("count").get<unsigned>());
                 return VerbResult::success();
               });
}

}  // namespace spwf::emulator
