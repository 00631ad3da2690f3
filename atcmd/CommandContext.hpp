#pragma once
// What a command handler sees: its arguments, the module state, and the ways to answer (R and I
// lines, raw bytes, payload reading). Only the Session writes the final OK/ERROR line.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "atcmd/Arguments.hpp"
#include "atcmd/ModuleState.hpp"
#include "support/Limits.hpp"

namespace spwf::atcmd {

class Session;

/// The handler's view of one command execution.
class CommandContext {
 public:
  CommandContext(Session& session, Arguments arguments, bool has_arguments);

  const Arguments& args() const { return m_arguments; }
  /// True when the line had an '=' (even with nothing after it).
  bool has_arguments() const { return m_has_arguments; }
  ModuleState& state();
  Session& session() { return m_session; }

  /// R line "AT-S.<label>:<fields>".
  void result(std::string_view label, std::string_view fields = {});
  /// I line, hidden when console_verbose=0.
  void info(std::string_view label, std::string_view fields = {});
  /// Raw bytes, never hidden.
  void raw(std::string_view bytes);
  /// Reads the whole payload that follows the CR, for commands that must hold it (at most `most`
  /// bytes: limits::held_payload, or a bound the command has checked, such as a volume's free
  /// space). A longer announced length is consumed and dropped piece by piece, never allocated,
  /// and gives nullopt, as does a transport that ends first.
  boost::asio::awaitable<std::optional<std::string>> read_payload(
      std::uint64_t length, std::uint64_t most = limits::held_payload);
  /// Consumes and drops a payload of `length` bytes; false if the transport ended first.
  boost::asio::awaitable<bool> discard_payload(std::uint64_t length);
  /// The next piece of a payload being streamed (see Session::read_payload_piece).
  boost::asio::awaitable<std::optional<std::string_view>> read_payload_piece(
      std::uint64_t remaining);

 private:
  Session& m_session;
  Arguments m_arguments;
  bool m_has_arguments;
};

}  // namespace spwf::atcmd
