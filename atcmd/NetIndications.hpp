#pragma once
// The +WIND indication (number and field part) for each network or radio event (spec §5).

#include <string>
#include <utility>

#include "atcmd/Wire.hpp"
#include "netstack/NetEvents.hpp"

namespace spwf::atcmd {

/// The indication an event raises; the fields are what follows the text's own ':'.
std::pair<Wind, std::string> to_indication(const net::NetEvent& event);

}  // namespace spwf::atcmd
