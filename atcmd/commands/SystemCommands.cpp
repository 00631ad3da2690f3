#include "atcmd/commands/SystemCommands.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "atcmd/Session.hpp"
#include "config/VariableTable.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

bool contains_case_insensitive(std::string_view text, std::string_view keyword) {
  const auto found =
      std::search(text.begin(), text.end(), keyword.begin(), keyword.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      });
  return found != text.end();
}

}  // namespace

asio::awaitable<AtError> at(CommandContext& context) {
  co_return context.args().check_count(0, 0);
}

// AT+S.HELP[=<keyword>]: one "AT-S.Command:<name><syntax> -- <description>" line per listed
// command that the emulator implements (spec §3.1.1, §9 Q16).
asio::awaitable<AtError> help(CommandContext& context) {
  if (auto error = context.args().check_count(0, 1); error != AtError::none) co_return error;
  const std::string_view keyword = context.args().text(0);
  for (const CommandSpec& command : command_table()) {
    if (command.listing != Listing::listed || command.handler == nullptr) continue;
    if (!keyword.empty() && !contains_case_insensitive(command.name, keyword)) continue;
    std::string fields{command.name};
    fields += command.syntax;
    fields += " -- ";
    fields += command.description;
    context.result(label::command, fields);
  }
  co_return AtError::none;
}

asio::awaitable<AtError> reset(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  context.session().request_reset();
  co_return AtError::none;
}

// AT+S.STS[=<name>]: status variables in table order, or one by name (spec §3.2, §6.3).
asio::awaitable<AtError> status(CommandContext& context) {
  if (auto error = context.args().check_count(0, 1); error != AtError::none) co_return error;
  const ModuleState& state = context.state();
  if (context.args().empty()) {
    for (const config::StatusSpec& variable : config::status_variables()) {
      const auto value = state.status_value(variable.name);
      context.result(label::var, std::string{variable.name} + "=" + value.value_or(""));
    }
    co_return AtError::none;
  }
  const std::string_view name = context.args().text(0);
  if (config::find_status_variable(name) == nullptr) co_return AtError::variable_not_found;
  const auto value = state.status_value(name);
  context.result(label::var, std::string{name} + "=" + value.value_or(""));
  co_return AtError::none;
}

// AT+S.TIME[=<seconds>]: reads (AT-S.Time:<s>) or sets the module clock; 0 or a value that is
// not a number is refused with 66 (spec §3.2, §9 Q17).
asio::awaitable<AtError> time(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(0, 1); error != AtError::none) co_return error;
  if (args.empty()) {
    context.result(label::time, std::to_string(context.state().clock().now()));
    co_return AtError::none;
  }
  const std::uint64_t seconds = args.number(0);
  if (seconds == 0 || seconds > 0xFFFFFFFFull) co_return AtError::cannot_update_datetime;
  context.state().clock().set(seconds);
  co_return AtError::none;
}

asio::awaitable<AtError> random(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  const std::uint32_t value = context.state().draw_random();
  context.result(label::var, "random_number=" + std::to_string(value));
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
