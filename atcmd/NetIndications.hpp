#pragma once
// The +WIND indication (number and field part) for each network or radio event (spec §5).

#include <cstdint>
#include <string>
#include <utility>

#include "atcmd/Wire.hpp"
#include "netstack/NetEvents.hpp"

namespace spwf::atcmd {

/// The fields of +WIND:84 for a time: <day>.<month>.<year>:<hour>:<minute>.<second>.0 in UTC
/// (spec §3.4.6, the adopted reading of the firmware's seven numbers).
std::string ntp_fields(std::uint64_t seconds);

/// The indication an event raises; the fields are what follows the text's own ':'.
std::pair<Wind, std::string> to_indication(const net::NetEvent& event);

}  // namespace spwf::atcmd
