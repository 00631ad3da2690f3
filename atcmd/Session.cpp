#include "atcmd/Session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <new>
#include <stdexcept>

#include "atcmd/CommandContext.hpp"
#include "atcmd/CommandLine.hpp"
#include "atcmd/CommandTable.hpp"
#include "atcmd/LineFormat.hpp"
#include "atcmd/NetIndications.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::atcmd {
namespace asio = boost::asio;

namespace {

// Pauses between boot lines with --boot real, in milliseconds (spec §2.9: the module needs a few
// hundred milliseconds from Poweron to a started radio).
constexpr std::uint32_t k_after_poweron_ms = 20;
constexpr std::uint32_t k_after_copyright_ms = 200;
constexpr std::uint32_t k_after_console_active_ms = 20;
constexpr std::uint32_t k_before_radio_start_ms = 250;

WindMasks masks_of(const config::ConfigStore& config) {
  return {config.get_uint("console_wind_off_low"), config.get_uint("console_wind_off_medium"),
          config.get_uint("console_wind_off_high")};
}

}  // namespace

Session::Session(asio::any_io_executor executor, Transport& transport, ModuleState& state,
                 BootPacing pacing)
    : m_executor(std::move(executor)),
      m_transport(transport),
      m_state(state),
      m_pacing(pacing),
      m_delayed_timer(m_executor) {
  m_state.set_event_sink([this](const net::NetEvent& event) {
    const auto [wind, fields] = to_indication(event);
    indicate(wind, fields);
  });
}

asio::awaitable<void> Session::run() {
  m_power = Power::waking;
  co_await boot();
  m_power = Power::awake;
  if (m_power_cycle_requested) co_await cycle_power();
  for (;;) {
    if (m_input_position == m_input.size() && !co_await more_input()) co_return;
    const char byte = m_input[m_input_position++];
    // In standby (and while booting out of it) the module does not listen.
    if (m_power != Power::awake) continue;
    const bool was_in_line = m_reader.in_line();
    const LineStep step = m_reader.feed(byte, m_line_settings.repeater);
    if (m_line_settings.echo) emit(step.echo());
    switch (step.action) {
      case LineAction::execute:
        co_await execute(std::string{m_reader.line()});
        break;
      case LineAction::repeat:
        co_await execute(std::string{m_reader.previous()});
        break;
      case LineAction::discarded:
        trace::event(trace::Channel::system, "line longer than 511 characters discarded");
        break;
      case LineAction::none:
        break;
    }
    if (was_in_line && !holding_indications()) release_held_indications();
    if (m_reset_requested) {
      m_reset_requested = false;
      indicate(Wind::reset);
      flush();
      cancel_delayed_indication();
      m_reader.clear();
      m_state.power_on();
      m_power = Power::waking;
      co_await boot();
      m_power = Power::awake;
    }
    if (m_power_cycle_requested) co_await cycle_power();
    if (m_standby_seconds) {
      const std::uint32_t seconds = *m_standby_seconds;
      m_standby_seconds.reset();
      flush();
      cancel_delayed_indication();
      m_power = Power::standby;
      log::info("standby for " + std::to_string(seconds) + " s");
      asio::co_spawn(m_executor, standby(seconds), [](std::exception_ptr failure) {
        if (!failure) return;
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& error) {
          log::error(std::string{"standby: "} + error.what());
        }
      });
    }
  }
}

asio::awaitable<void> Session::standby(std::uint32_t seconds) {
  asio::steady_timer timer{m_executor, std::chrono::seconds(seconds)};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  // Standby ends in a reboot: what the host typed meanwhile is gone, RAM state is reloaded.
  m_power = Power::waking;
  m_reader.clear();
  m_state.power_on();
  indicate(Wind::resuming_from_standby);
  co_await boot();
  m_power = Power::awake;
  if (m_power_cycle_requested) co_await cycle_power();
}

void Session::power_cycle() {
  if (m_power == Power::standby) return;
  const bool idle = !m_power_cycle_requested && !m_executing && m_power == Power::awake;
  m_power_cycle_requested = true;
  if (!idle) return;        // the command's end, or the boot under way, picks the request up
  m_power = Power::waking;  // from now: input is dropped and nothing else starts a boot
  asio::co_spawn(m_executor, cycle_power(), [](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      log::error(std::string{"power cycle: "} + error.what());
    }
  });
}

asio::awaitable<void> Session::cycle_power() {
  m_power = Power::waking;
  while (m_power_cycle_requested) {
    m_power_cycle_requested = false;
    log::info("power cycle: a new host attached");
    cancel_delayed_indication();
    m_reader.clear();
    m_held.clear();
    m_output.clear();
    m_state.power_on();
    co_await boot();
  }
  m_power = Power::awake;
}

void Session::indicate_after(std::chrono::milliseconds delay, Wind wind, std::string fields) {
  m_delayed_timer.expires_after(delay);  // cancels the wait of an earlier one
  const std::uint64_t generation = ++m_delayed_generation;
  m_delayed_timer.async_wait(
      [this, generation, wind, fields = std::move(fields)](const boost::system::error_code& error) {
        if (error || generation != m_delayed_generation) return;
        indicate(wind, fields);
      });
}

void Session::cancel_delayed_indication() {
  ++m_delayed_generation;
  m_delayed_timer.cancel();
}

asio::awaitable<bool> Session::more_input() {
  // A host streaming commands: take what it has already sent without waiting, so the answers
  // and socket writes of many commands go out together. Bounded, so answers are never held
  // back for long and the rest of the loop (sockets, timers) gets its turn.
  if (m_output.size() < k_held_output_limit && m_reads_without_wait < k_reads_without_wait_limit) {
    if (const std::size_t count = m_transport.read_available(m_read_buffer); count > 0) {
      ++m_reads_without_wait;
      take_input(count);
      co_return true;
    }
  }
  m_reads_without_wait = 0;
  flush();
  co_return co_await fill_input();
}

asio::awaitable<bool> Session::fill_input() {
  const std::size_t count = co_await m_transport.read_some(m_read_buffer);
  if (count == 0) co_return false;
  take_input(count);
  co_return true;
}

void Session::take_input(std::size_t count) {
  const std::string_view received{m_read_buffer.data(), count};
  trace::bytes(trace::Channel::host_to_module, received);
  m_input.erase(0, m_input_position);
  m_input_position = 0;
  m_input += received;
}

asio::awaitable<void> Session::pause(std::uint32_t milliseconds) {
  if (m_pacing == BootPacing::instant) co_return;
  flush();
  asio::steady_timer timer{m_executor, std::chrono::milliseconds(milliseconds)};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> Session::boot() {
  read_line_settings();
  log::info("module powered on");
  trace::event(trace::Channel::system, "power on");
  const auto& config = m_state.config();
  indicate(Wind::poweron, firmware::build);
  co_await pause(k_after_poweron_ms);
  indicate(Wind::copyright, config.get_string("nv_model"));
  co_await pause(k_after_copyright_ms);
  indicate(Wind::console_active);
  co_await pause(k_after_console_active_ms);
  indicate(Wind::watchdog_running, firmware::watchdog_seconds);
  if (config.get_uint("wifi_enabled") != 0) {
    co_await pause(k_before_radio_start_ms);
    m_state.start_radio();
  }
  flush();
}

asio::awaitable<void> Session::execute(std::string line) {
  m_executing = true;
  // The echo (and the CR's "\r\n") reach the host before the command runs, as on the module.
  // Without echo there is nothing new to show yet: the answers of earlier commands still in
  // the buffer go out when the session next waits, together.
  if (m_line_settings.echo) {
    flush();
  } else {
    flush_when_idle();
  }
  const auto& config = m_state.config();
  CommandLine parsed = parse_command_line(line, config.get_char("console_delimiter"));
  const CommandSpec* command = find_command(parsed.name);
  if (trace::enabled()) trace::event(trace::Channel::system, "command " + trace::escape(line));
  AtError result = AtError::command_not_found;
  const auto override = m_state.overrides().take(line);
  if (override && override->delay.count() > 0) {
    flush();  // the echo goes out before the wait
    asio::steady_timer timer{m_executor, override->delay};
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (override && override->replaces()) {
    for (const auto& text : override->lines) emit(text + std::string{line_end});
    result = override->error.value_or(AtError::none);
  } else if (command != nullptr && command->handler != nullptr) {
    CommandContext context{*this, Arguments{std::move(parsed.params)}, parsed.has_arguments};
    result = co_await run_handler(*command, context);
  }
  finish(result);
  if (log::enabled(log::Level::debug)) {
    const std::string verdict = result == AtError::none ? "OK" : format_error(result, 2);
    log::debug("command \"" + trace::escape(line) +
               "\": " + verdict.substr(0, verdict.find_last_not_of("\r\n") + 1));
  }
  read_line_settings();
}

asio::awaitable<AtError> Session::run_handler(const CommandSpec& command, CommandContext& context) {
  // The last line of defence: a fault in one handler is that command's error, never the end of
  // the process. Handlers report errors as values; reaching here is a bug, so it is logged.
  try {
    co_return co_await command.handler(context);
  } catch (const std::bad_alloc&) {
    log::error(std::string{command.name} + ": out of memory; answering Low Memory");
  } catch (const std::length_error& error) {
    log::error(std::string{command.name} + ": " + error.what() + "; answering Low Memory");
  } catch (const std::exception& error) {
    log::error(std::string{command.name} + " failed: " + error.what() + "; answering " +
               std::to_string(static_cast<unsigned>(k_handler_failure)));
    co_return k_handler_failure;
  }
  co_return AtError::low_memory;
}

void Session::read_line_settings() {
  const auto& config = m_state.config();
  m_line_settings = {config.get_uint("console_echo") != 0, config.get_char("console_repeater")};
}

void Session::finish(AtError result) {
  const auto& config = m_state.config();
  if (result == AtError::none) {
    emit(format_ok(config.get_uint("console_verbose"), m_state.free_heap(), m_state.wifi_state()));
  } else {
    emit(format_error(result, config.get_uint("console_errs")));
  }
  m_executing = false;
  if (!m_reader.in_line()) release_held_indications();
  // Answers wait for the session's next pause only while they are few.
  if (m_output.size() >= k_held_output_limit) {
    flush();
  } else {
    flush_when_idle();
  }
}

void Session::flush_when_idle() {
  if (m_output.empty() || m_flush_posted) return;
  m_flush_posted = true;
  asio::post(m_executor, [this] {
    m_flush_posted = false;
    flush();
  });
}

void Session::indicate(Wind wind, std::string_view fields) {
  if (m_power == Power::standby) return;  // asleep: nothing reaches the UART
  const auto& config = m_state.config();
  if (is_masked(wind, masks_of(config))) return;
  std::string line = format_wind(wind, config.get_uint("console_winds"), fields);
  if (holding_indications()) {
    // A line left open (a host that never sends the CR) must not let a flood of arrivals
    // grow the queue without bound: past the limit, new indications are lost, as masked ones.
    if (m_held.size() >= limits::held_indications) {
      if (!m_held_overflow) log::warn("indication queue full while a line is open: dropping");
      m_held_overflow = true;
      return;
    }
    m_held.push_back(std::move(line));
    return;
  }
  emit(line);
  flush();
}

void Session::release_held_indications() {
  m_held_overflow = false;
  while (!m_held.empty()) {
    emit(m_held.front());
    m_held.pop_front();
  }
}

void Session::write_result(std::string_view label, std::string_view fields) {
  emit(format_line(label, fields));
}

void Session::write_info(std::string_view label, std::string_view fields) {
  if (m_state.config().get_uint("console_verbose") == 0) return;
  emit(format_line(label, fields));
}

void Session::write_raw(std::string_view bytes) {
  emit(bytes);
}

asio::awaitable<void> Session::flush_and_wait_for_host() {
  flush();
  co_await m_transport.drained(limits::relay_unread);
}

void Session::flush() {
  if (m_output.empty()) return;
  trace::bytes(trace::Channel::module_to_host, m_output);
  m_transport.write(m_output);
  m_output.clear();
}

asio::awaitable<std::optional<std::string_view>> Session::read_payload_piece(
    std::uint64_t remaining) {
  if (remaining == 0) co_return std::string_view{};
  if (m_input_position == m_input.size() && !co_await more_input()) co_return std::nullopt;
  const std::size_t available = m_input.size() - m_input_position;
  const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(available, remaining));
  const std::string_view piece{m_input.data() + m_input_position, take};
  m_input_position += take;
  co_return piece;
}

}  // namespace spwf::atcmd
