#include "support/ModuleClock.hpp"

namespace spwf {

ModuleClock::ModuleClock() {
  power_on();
}

void ModuleClock::power_on() {
  m_boot = Steady::now();
  m_set_at = m_boot;
  m_set_value = 0;
}

void ModuleClock::set(std::uint64_t seconds_since_epoch) {
  m_set_at = Steady::now();
  m_set_value = seconds_since_epoch;
}

std::uint64_t ModuleClock::now() const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Steady::now() - m_set_at);
  return m_set_value + static_cast<std::uint64_t>(elapsed.count());
}

std::uint64_t ModuleClock::uptime() const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Steady::now() - m_boot);
  return static_cast<std::uint64_t>(elapsed.count());
}

}  // namespace spwf
