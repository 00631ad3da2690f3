#pragma once
// What a command handler sees: its arguments, the module state, and the ways to answer (R and I
// lines, raw bytes, payload reading). Only the Session writes the final OK/ERROR line.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "atcmd/Arguments.hpp"
#include "atcmd/ModuleState.hpp"

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
  /// Reads the payload that follows the CR (see Session::read_payload).
  boost::asio::awaitable<std::optional<std::string>> read_payload(std::size_t length);

 private:
  Session& m_session;
  Arguments m_arguments;
  bool m_has_arguments;
};

}  // namespace spwf::atcmd
