#pragma once
// Device commands (spec §3.2 production commands, §3.15 peripherals, §3.16 power, §3.17 WPS,
// §3.19 MicroPython): PMS, PYTHON, NVW, MFGTEST, GPIOC, GPIOR, GPIOW, DAC, ADC, PWM, CMDREQ,
// BYPASS, WPS, SELFTEST.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> power_mode(CommandContext& context);
boost::asio::awaitable<AtError> python(CommandContext& context);
boost::asio::awaitable<AtError> nv_write(CommandContext& context);
boost::asio::awaitable<AtError> manufacturing_test(CommandContext& context);
boost::asio::awaitable<AtError> gpio_configure(CommandContext& context);
boost::asio::awaitable<AtError> gpio_read(CommandContext& context);
boost::asio::awaitable<AtError> gpio_write(CommandContext& context);
boost::asio::awaitable<AtError> dac(CommandContext& context);
boost::asio::awaitable<AtError> adc(CommandContext& context);
boost::asio::awaitable<AtError> pwm(CommandContext& context);
boost::asio::awaitable<AtError> command_request(CommandContext& context);
boost::asio::awaitable<AtError> bypass(CommandContext& context);
boost::asio::awaitable<AtError> wps(CommandContext& context);
boost::asio::awaitable<AtError> self_test(CommandContext& context);

}  // namespace spwf::atcmd::commands
