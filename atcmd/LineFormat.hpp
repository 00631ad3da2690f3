#pragma once
// Building the module's output lines (spec §2.6, §2.7): AT-S. result/informational lines, the
// final OK/ERROR line as shaped by console_verbose/console_errs, and +WIND indications as shaped
// by console_winds and the wind_off masks. Pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "atcmd/Wire.hpp"

namespace spwf::atcmd {

/// "AT-S.<label>[:<number>][:<fields>]\r\n", cut to the module's 128-byte line buffer.
std::string format_line(std::string_view label, std::string_view fields);
/// The final line of a successful command: "AT-S.OK", or "AT-S.OK:<heap>:<state>" at verbose 2.
std::string format_ok(std::uint32_t console_verbose, std::uint32_t free_heap,
                      std::uint32_t wifi_state);
/// The final line of a failed command, per console_errs 0/1/2.
std::string format_error(AtError error, std::uint32_t console_errs);
/// "+WIND:<n>:<text>[:<fields>]\r\n" with the prefix per console_winds (2 full, 1 number, 0 bare).
std::string format_wind(Wind wind, std::uint32_t console_winds, std::string_view fields);
/// The three console_wind_off_* masks.
struct WindMasks {
  std::uint32_t low = 0;
  std::uint32_t medium = 0;
  std::uint32_t high = 0;
};
/// True when the indication's bit is set in its mask (it is then dropped, not queued).
bool is_masked(Wind wind, const WindMasks& masks);

}  // namespace spwf::atcmd
