#include "atcmd/Peripherals.hpp"

namespace spwf::atcmd {

void Peripherals::configure(unsigned number, GpioDirection direction, GpioEdge edge) {
  GpioPin& pin = m_pins[number];
  pin.direction = direction;
  // Only inputs raise interrupts; an output's edge field is ignored.
  pin.edge = direction == GpioDirection::input ? edge : GpioEdge::none;
}

bool Peripherals::write(unsigned number, bool high) {
  GpioPin& pin = m_pins[number];
  if (pin.direction != GpioDirection::output) return false;
  pin.high = high;
  return true;
}

bool Peripherals::read(unsigned number) const {
  const GpioPin& pin = m_pins[number];
  return pin.direction == GpioDirection::output ? pin.high : pin.input_high;
}

bool Peripherals::drive_input(unsigned number, bool high) {
  GpioPin& pin = m_pins[number];
  const bool changed = pin.input_high != high;
  pin.input_high = high;
  if (!changed || pin.direction != GpioDirection::input) return false;
  return pin.edge == GpioEdge::both || (pin.edge == GpioEdge::rising && high) ||
         (pin.edge == GpioEdge::falling && !high);
}

void Peripherals::start_pwm(unsigned gpio, std::uint32_t frequency, std::uint32_t duty_cycle) {
  m_pwm[gpio] = PwmOutput{true, frequency, duty_cycle};
}

}  // namespace spwf::atcmd
