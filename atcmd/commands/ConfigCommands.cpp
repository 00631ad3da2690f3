#include "atcmd/commands/ConfigCommands.hpp"

#include <string>

#include "atcmd/CommandContext.hpp"
#include "config/VariableTable.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

// AT+S.GCFG[=<name>] and AT&V: every listed configuration variable, or one by name (hidden
// ones readable by name; spec §3.3, §9 Q11).
asio::awaitable<AtError> get_config(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(0, 1); error != AtError::none) co_return error;
  const config::ConfigStore& store = context.state().config();
  if (args.empty()) {
    for (const config::VariableSpec& variable : config::configuration_variables()) {
      if (variable.visibility == config::Visibility::hidden) continue;
      context.result(label::var,
                     std::string{variable.name} + "=" +
                         config::printed_value(variable, store.get(variable.name).value_or("")));
    }
    co_return AtError::none;
  }
  const auto value = store.get(args.text(0));
  const config::VariableSpec* variable = config::find_configuration_variable(args.text(0));
  if (!value || variable == nullptr) co_return AtError::variable_not_found;
  context.result(label::var,
                 std::string{args.text(0)} + "=" + config::printed_value(*variable, *value));
  co_return AtError::none;
}

// AT+S.SCFG=<name>,<value>: exactly two parameters; the value is checked by the variable's type.
asio::awaitable<AtError> set_config(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  switch (context.state().config().set(args.text(0), args.text(1))) {
    case config::SetResult::ok:
      co_return AtError::none;
    case config::SetResult::not_found:
      co_return AtError::variable_not_found;
    case config::SetResult::invalid_value:
      co_return AtError::invalid_value;
    case config::SetResult::too_long:
      co_return AtError::argument_too_large;
  }
  co_return AtError::invalid_value;
}

// AT+S.WCFG and AT&W: saves the RAM configuration to the flash (atomically).
asio::awaitable<AtError> write_config(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (const auto failure = state.flash().save_config(state.config().to_json())) {
    log::error("saving " + state.flash().config_path().string() + " failed: " + failure.message());
    co_return AtError::flash_write_failed;
  }
  co_return AtError::none;
}

// AT+S.FCFG and AT&F: factory values in RAM (not saved until WCFG; nv_* untouched).
asio::awaitable<AtError> factory_config(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  context.state().config().reset_to_factory();
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
