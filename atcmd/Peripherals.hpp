#pragma once
// The module's GPIOs, DAC and PWM outputs as the emulator keeps them (spec §3.15, §9 Q41): state
// in memory only, reset at every power-on. Outputs read back what was written; inputs read the
// level the control interface drives on them (0 until it does), and a change on an input
// configured for that edge is a GPIO interrupt (+WIND:52).

#include <array>
#include <cstdint>

namespace spwf::atcmd {

/// A GPIO's direction, numbered as AT+S.GPIOR prints it (0 out, 1 in).
enum class GpioDirection : std::uint8_t { output = 0, input = 1 };
/// The interrupt edge of an input (GPIOC third field).
enum class GpioEdge : std::uint8_t { none, rising, falling, both };

/// One GPIO's configuration and level.
struct GpioPin {
  GpioDirection direction = GpioDirection::input;
  GpioEdge edge = GpioEdge::none;
  bool high = false;        ///< the driven level of an output
  bool input_high = false;  ///< the level driven on the pin from outside (control interface)
};

/// One PWM output (GPIO2 or GPIO4).
struct PwmOutput {
  bool running = false;
  std::uint32_t frequency = 0;   ///< Hz
  std::uint32_t duty_cycle = 0;  ///< percent
};

/// GPIO, DAC and PWM state of the emulated module.
class Peripherals {
 public:
  /// GPIO numbers 0..gpio_count-1 exist (error 20 outside).
  static constexpr unsigned gpio_count = 16;

  /// True for a GPIO number the module has.
  static bool is_gpio(std::uint64_t number) { return number < gpio_count; }
  /// The pin's configuration; `number` must satisfy is_gpio.
  const GpioPin& pin(unsigned number) const { return m_pins[number]; }
  /// GPIOC: sets direction and interrupt edge (an output keeps its last level).
  void configure(unsigned number, GpioDirection direction, GpioEdge edge);
  /// GPIOW: drives an output; false (nothing changed) when the pin is an input.
  bool write(unsigned number, bool high);
  /// The control interface drives an input's level; true when that is an interrupt (the level
  /// changed on the edge the pin is configured for). Outputs keep their level.
  bool drive_input(unsigned number, bool high);
  /// GPIOR: the level seen on the pin (outputs read back, inputs what is driven on them).
  bool read(unsigned number) const;

  /// DAC on GPIO15: millivolts, 0 = off.
  void set_dac(std::uint32_t millivolts) { m_dac_millivolts = millivolts; }
  std::uint32_t dac() const { return m_dac_millivolts; }

  /// The PWM output on `gpio` (2 or 4; callers check).
  const PwmOutput& pwm(unsigned gpio) const { return m_pwm[gpio]; }
  void start_pwm(unsigned gpio, std::uint32_t frequency, std::uint32_t duty_cycle);
  void stop_pwm(unsigned gpio) { m_pwm[gpio] = PwmOutput{}; }

 private:
  std::array<GpioPin, gpio_count> m_pins{};
  std::array<PwmOutput, gpio_count> m_pwm{};
  std::uint32_t m_dac_millivolts = 0;
};

}  // namespace spwf::atcmd
