#pragma once
// The console session: reads host bytes through the line editor, runs commands from the command
// table one at a time, writes their lines and the final OK/ERROR, reads payload bytes for commands
// that carry data after the CR, and writes +WIND indications, held back while a command runs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atcmd/LineReader.hpp"
#include "atcmd/ModuleState.hpp"
#include "atcmd/Transport.hpp"
#include "atcmd/Wire.hpp"

namespace spwf::atcmd {

struct CommandSpec;
class CommandContext;

/// How the boot indications are paced.
enum class BootPacing { instant, real };

/// One AT console over one transport.
class Session {
 public:
  Session(boost::asio::any_io_executor executor, Transport& transport, ModuleState& state,
          BootPacing pacing);

  /// Boots the module and serves the console until the transport ends.
  boost::asio::awaitable<void> run();

  /// Raises an indication: dropped if masked, held while a command line is open, else written.
  /// `fields` is what follows the text's own ':' (e.g. ":0:120:120" for client Pending Data).
  void indicate(Wind wind, std::string_view fields = {});

  // Used by CommandContext while a handler runs.
  /// Writes an R line (always shown).
  void write_result(std::string_view label, std::string_view fields);
  /// Writes an I line (hidden when console_verbose=0).
  void write_info(std::string_view label, std::string_view fields);
  /// Writes raw bytes (payload output: SOCKR data, HTTP bodies, scan result lines).
  void write_raw(std::string_view bytes);
  /// Sends what is buffered to the host now (long-running commands stream their output).
  void flush();
  /// Sends what is buffered and waits until the host has read all but limits::relay_unread
  /// bytes of it: a relay of unbounded length (an HTTP body) goes at the host's pace.
  boost::asio::awaitable<void> flush_and_wait_for_host();
  /// Takes the next piece of the payload that follows the command's CR: at most `remaining`
  /// bytes, those already received or else the next that arrive (never empty); nullopt if the
  /// transport ended first. The view is valid until the session reads again. Waits as long as
  /// it takes, as the module does; memory stays bounded whatever the announced length.
  boost::asio::awaitable<std::optional<std::string_view>> read_payload_piece(
      std::uint64_t remaining);
  /// Asks for a reboot once the current command's final line is out (AT+S.RESET).
  void request_reset() { m_reset_requested = true; }
  /// Asks for standby once the current command's final line is out (AT+S.PMS=3): the module
  /// ignores input and prints nothing for `seconds`, then raises +WIND:68 and boots again.
  void request_standby(std::uint32_t seconds) { m_standby_seconds = seconds; }
  /// Power-cycles the module as a pulse on its reset line would (--power-cycle-on-attach): RAM
  /// state is reloaded and the boot indications come again. Waits for a running command or boot
  /// to end; ignored in standby, which ends in a boot anyway.
  void power_cycle();
  /// Raises `wind` after `delay` unless the module reboots first (the WPS walk time). One such
  /// indication is pending at a time: a new one replaces it.
  void indicate_after(std::chrono::milliseconds delay, Wind wind, std::string fields = {});
  boost::asio::any_io_executor executor() const { return m_executor; }
  ModuleState& state() { return m_state; }

 private:
  boost::asio::awaitable<void> boot();
  /// Boots again while power_cycle() has asked for it (input is dropped meanwhile).
  boost::asio::awaitable<void> cycle_power();
  /// More host bytes into m_input: those already there, else (after sending what is buffered)
  /// the next that come. False when the transport has ended.
  boost::asio::awaitable<bool> more_input();
  boost::asio::awaitable<bool> fill_input();
  void take_input(std::size_t count);
  boost::asio::awaitable<void> execute(std::string line);
  /// Runs one handler; an exception that escapes it becomes the command's error and a log line.
  boost::asio::awaitable<AtError> run_handler(const CommandSpec& command, CommandContext& context);
  /// What a command answers when its handler fails unexpectedly (not an allocation failure).
  static constexpr AtError k_handler_failure = AtError::request_failed;
  boost::asio::awaitable<void> pause(std::uint32_t milliseconds);
  /// Sleeps for the standby time, then reboots (runs beside run(), which drops input meanwhile).
  boost::asio::awaitable<void> standby(std::uint32_t seconds);
  /// Forgets what was scheduled before a reboot.
  void cancel_delayed_indication();
  void finish(AtError result);
  /// Takes console_echo and console_repeater from the configuration (after every command and
  /// every boot: only commands change them), so the per-byte loop looks nothing up.
  void read_line_settings();
  /// Sends what is buffered once the session next waits (for input, the network or a timer),
  /// so the answers to a run of commands already received go out in one write.
  void flush_when_idle();
  void release_held_indications();
  bool holding_indications() const { return m_executing || m_reader.in_line(); }
  void emit(std::string_view bytes) { m_output += bytes; }

  boost::asio::any_io_executor m_executor;
  Transport& m_transport;
  ModuleState& m_state;
  BootPacing m_pacing;
  LineReader m_reader;
  struct LineSettings {
    bool echo = true;
    char repeater = '!';
  };
  LineSettings m_line_settings;
  /// What one read from the transport may bring: a host that sends ahead (as the UART's
  /// receive buffer allows) gets many commands handled per wake-up.
  std::vector<char> m_read_buffer = std::vector<char>(65536);
  std::string m_input;
  std::size_t m_input_position = 0;
  std::string m_output;
  bool m_flush_posted = false;
  /// more_input() takes bytes without waiting at most this many times in a row.
  static constexpr unsigned k_reads_without_wait_limit = 16;
  /// Answers are held for the session's next pause only while there are fewer bytes than this.
  static constexpr std::size_t k_held_output_limit = 4096;
  unsigned m_reads_without_wait = 0;
  std::deque<std::string> m_held;
  bool m_held_overflow = false;
  bool m_executing = false;
  bool m_reset_requested = false;
  bool m_power_cycle_requested = false;
  std::optional<std::uint32_t> m_standby_seconds;
  /// Awake, asleep in standby (no output, input dropped), or booting out of it (input dropped).
  enum class Power { awake, standby, waking };
  Power m_power = Power::awake;
  boost::asio::steady_timer m_delayed_timer;
  std::uint64_t m_delayed_generation = 0;
};

}  // namespace spwf::atcmd
