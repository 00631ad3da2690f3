#pragma once
// The module's real-time clock: seconds since 1970 as the firmware sees them. It starts at 0 at
// power-on (the module has no battery-backed clock) and is set by AT+S.TIME or by NTP.

#include <chrono>
#include <cstdint>

namespace spwf {

/// The module clock and the uptime counter, both driven by the host's steady clock.
class ModuleClock {
 public:
  ModuleClock();
  /// Power-on: the clock restarts at 0 and the uptime at 0.
  void power_on();
  /// Sets the clock to the given seconds since 1970-01-01 UTC.
  void set(std::uint64_t seconds_since_epoch);
  /// Seconds since 1970 as the module believes.
  std::uint64_t now() const;
  /// Whole seconds since the last power-on.
  std::uint64_t uptime() const;

 private:
  using Steady = std::chrono::steady_clock;
  Steady::time_point m_boot;
  Steady::time_point m_set_at;
  std::uint64_t m_set_value = 0;
};

}  // namespace spwf
