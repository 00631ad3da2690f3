#include "atcmd/commands/DeviceCommands.hpp"

#include <chrono>
#include <random>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "atcmd/Session.hpp"
#include "support/Log.hpp"
#include "support/Random.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// The DAC on GPIO15 drives 0..3300 mV (spec §3.15, ≈); 0 turns it off.
constexpr std::uint64_t k_dac_max_millivolts = 3300;
// The level an ADC input reads when the pin is driven high by its own output.
constexpr std::uint32_t k_adc_high_millivolts = 3300;
// PWM frequencies the emulator accepts, in Hz (? not documented: the STM32 timer behind GPIO2/4
// comfortably covers 1 Hz..100 kHz); the duty cycle is a percentage, 50 when omitted.
constexpr std::uint64_t k_pwm_max_frequency = 100000;
constexpr std::uint64_t k_pwm_max_duty_cycle = 100;
constexpr std::uint32_t k_pwm_default_duty_cycle = 50;
// The GPIOs wired to the module's own functions (spec §3.15).
constexpr unsigned k_gpio_sleep = 6;
constexpr unsigned k_gpio_led = 10;
// WPS station mode, and the digits of a PIN before the module adds its checksum (spec §3.17).
constexpr std::uint32_t k_wifi_mode_station = 1;
constexpr std::size_t k_wps_pin_digits = 7;
constexpr std::uint32_t k_wps_pin_limit = 10000000;
constexpr std::uint32_t k_wps_random_pin_floor = 1000000;

// A GPIO number parameter: decimal and 0..15, else nullopt (error 20).
std::optional<unsigned> gpio_number(const Arguments& args, std::size_t index) {
  if (!args.is_number(index) || !Peripherals::is_gpio(args.number(index))) return std::nullopt;
  return static_cast<unsigned>(args.number(index));
}

// Production and internal commands (spec §3.2, §9 Q47): the magic values are unknown, so after
// the argument count every call is refused.
AtError refuse_production(const Arguments& args, std::size_t count) {
  if (auto error = args.check_count(count, count); error != AtError::none) return error;
  return AtError::invalid_arguments;
}

// CMDREQ and BYPASS: <length><CR><data>; the payload is consumed before the refusal, a zero
// length ends the command before any payload (33).
asio::awaitable<AtError> refuse_with_payload(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const std::uint64_t length = args.number(0);
  if (length == 0) co_return AtError::argument_zero;
  co_await context.discard_payload(length);
  co_return AtError::invalid_arguments;
}

}  // namespace

// AT+S.PMS=<0|1|2|3> (spec §3.16, §9 Q42): 0 OK only; 1, 2 OK then +WIND:66; 3 OK,
// +WIND:67:<standby_time>, silence for standby_time seconds, +WIND:68 and the boot sequence.
asio::awaitable<AtError> power_mode(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const int mode = args.keyword_index(0, {"0", "1", "2", "3"});
  if (mode < 0) co_return AtError::invalid_arguments;
  Session& session = context.session();
  if (mode == 1 || mode == 2) session.indicate(Wind::low_power_mode, std::to_string(mode));
  if (mode == 3) {
    const std::uint32_t seconds = context.state().config().get_uint("standby_time");
    session.indicate(Wind::going_into_standby, std::to_string(seconds));
    session.request_standby(seconds);
  }
  co_return AtError::none;
}

// AT+S.PYTHON[=<filename>] (spec §3.19): there is no interpreter to switch to.
asio::awaitable<AtError> python(CommandContext& context) {
  if (auto error = context.args().check_count(0, 1); error != AtError::none) co_return error;
  co_return AtError::cannot_switch_to_python;
}

// AT+S.NVW=<magic>.
asio::awaitable<AtError> nv_write(CommandContext& context) {
  co_return refuse_production(context.args(), 1);
}

// AT+S.MFGTEST=<magic>,<low|high|HSI|SYS>.
asio::awaitable<AtError> manufacturing_test(CommandContext& context) {
  co_return refuse_production(context.args(), 2);
}

// AT+S.SELFTEST=<magic>,<ip>,<port>,,<t|u|s|name>,<loops>,<size>: seven fields.
asio::awaitable<AtError> self_test(CommandContext& context) {
  co_return refuse_production(context.args(), 7);
}

// AT+S.CMDREQ=<length><CR><data>.
asio::awaitable<AtError> command_request(CommandContext& context) {
  co_return co_await refuse_with_payload(context);
}

// AT+S.BYPASS=<length><CR><frame>.
asio::awaitable<AtError> bypass(CommandContext& context) {
  co_return co_await refuse_with_payload(context);
}

// AT+S.GPIOC=<num>,<in|out>[,<r|f|b>] (spec §3.15): checks in the order number (20), the pins
// the module uses itself (21, 23), direction (19), then the edge an input needs (2 absent, 7 bad).
asio::awaitable<AtError> gpio_configure(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 3); error != AtError::none) co_return error;
  const auto number = gpio_number(args, 0);
  if (!number) co_return AtError::gpio_number;
  const auto& config = context.state().config();
  if (*number == k_gpio_sleep && config.get_uint("sleep_enabled") != 0) {
    co_return AtError::gpio6_sleep;
  }
  if (*number == k_gpio_led && config.get_uint("blink_led") != 0) co_return AtError::gpio10_blink;
  const int direction = args.keyword_index(1, {"out", "in"});
  if (direction < 0) co_return AtError::gpio_direction;
  GpioEdge edge = GpioEdge::none;
  if (direction == 1) {
    if (args.count() < 3) co_return AtError::missing_arguments;
    const int index = args.keyword_index(2, {"r", "f", "b"});
    if (index < 0) co_return AtError::invalid_arguments;
    edge = index == 0 ? GpioEdge::rising : index == 1 ? GpioEdge::falling : GpioEdge::both;
  }
  context.state().peripherals().configure(
      *number, direction == 0 ? GpioDirection::output : GpioDirection::input, edge);
  co_return AtError::none;
}

// AT+S.GPIOR=<num>: "AT-S.Value:<num>:<value>:<dir>" (dir 0 out, 1 in; §9 Q41).
asio::awaitable<AtError> gpio_read(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const auto number = gpio_number(args, 0);
  if (!number) co_return AtError::gpio_number;
  const Peripherals& peripherals = context.state().peripherals();
  const auto direction = static_cast<unsigned>(peripherals.pin(*number).direction);
  context.result(label::value, std::to_string(*number) + ":" +
                                   (peripherals.read(*number) ? "1" : "0") + ":" +
                                   std::to_string(direction));
  co_return AtError::none;
}

// AT+S.GPIOW=<num>,<0|1>: 20 for the number, 7 for another value, 19 when not an output.
asio::awaitable<AtError> gpio_write(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const auto number = gpio_number(args, 0);
  if (!number) co_return AtError::gpio_number;
  const int level = args.keyword_index(1, {"0", "1"});
  if (level < 0) co_return AtError::invalid_arguments;
  if (!context.state().peripherals().write(*number, level == 1)) co_return AtError::gpio_direction;
  co_return AtError::none;
}

// AT+S.DAC=<0|millivolts>: 0 off; anything but 0..3300 is refused with 26.
asio::awaitable<AtError> dac(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  if (!args.is_number(0) || args.number(0) > k_dac_max_millivolts) co_return AtError::dac_voltage;
  context.state().peripherals().set_dac(static_cast<std::uint32_t>(args.number(0)));
  co_return AtError::none;
}

// AT+S.ADC=<0|1|16>: "AT-S.Value:<millivolts>"; a channel whose GPIO the module drives high
// reads 3300, everything else 0 (nothing external is connected).
asio::awaitable<AtError> adc(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const int channel = args.keyword_index(0, {"0", "1", "16"});
  if (channel < 0) co_return AtError::invalid_arguments;
  const Peripherals& peripherals = context.state().peripherals();
  const bool driven_high = channel < 2 && peripherals.read(static_cast<unsigned>(channel));
  context.result(label::value, std::to_string(driven_high ? k_adc_high_millivolts : 0));
  co_return AtError::none;
}

// AT+S.PWM=<2|4>,<0|frequency>[,duty_cycle]: 7 for another GPIO or a non-numeric field,
// 29 to stop a PWM that is not running, 27 above 100 kHz, 28 above 100 %.
asio::awaitable<AtError> pwm(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 3); error != AtError::none) co_return error;
  const int output = args.keyword_index(0, {"2", "4"});
  if (output < 0 || !args.is_number(1)) co_return AtError::invalid_arguments;
  if (args.count() == 3 && !args.is_number(2)) co_return AtError::invalid_arguments;
  const unsigned gpio = output == 0 ? 2 : 4;
  Peripherals& peripherals = context.state().peripherals();
  const std::uint64_t frequency = args.number(1);
  if (frequency == 0) {
    if (!peripherals.pwm(gpio).running) co_return AtError::pwm_not_running;
    peripherals.stop_pwm(gpio);
    co_return AtError::none;
  }
  if (frequency > k_pwm_max_frequency) co_return AtError::pwm_frequency;
  const std::uint64_t duty_cycle = args.count() == 3 ? args.number(2) : k_pwm_default_duty_cycle;
  if (duty_cycle > k_pwm_max_duty_cycle) co_return AtError::pwm_duty_cycle;
  peripherals.start_pwm(gpio, static_cast<std::uint32_t>(frequency),
                        static_cast<std::uint32_t>(duty_cycle));
  co_return AtError::none;
}

// AT+S.WPS=<0|1|2> (spec §3.17, §9 Q43): station mode only (67); mode 1 needs a 7-digit stored
// PIN (39). OK, +WIND:81, and, with no registrar to answer, +WIND:82 after wifi_wps_walk_time.
asio::awaitable<AtError> wps(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const int mode = args.keyword_index(0, {"0", "1", "2"});
  if (mode < 0) co_return AtError::invalid_arguments;
  const auto& config = context.state().config();
  if (config.get_uint("wifi_mode") != k_wifi_mode_station) co_return AtError::wps_sta_only;
  if (mode == 1 && std::to_string(config.get_uint("wifi_wps_pin")).size() != k_wps_pin_digits) {
    co_return AtError::wps_pin_digits;
  }
  if (mode == 2) {
    // Its own draw, so the status variable random_number keeps what AT+S.RANDOM drew.
    const auto pin = random::between(k_wps_random_pin_floor, k_wps_pin_limit - 1);
    log::info("AT+S.WPS=2: random PIN " + std::to_string(pin));
  }
  Session& session = context.session();
  session.indicate(Wind::wps_generating_dh_keyset);
  const std::chrono::seconds walk_time{config.get_uint("wifi_wps_walk_time")};
  session.indicate_after(walk_time, Wind::wps_timed_out);
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
