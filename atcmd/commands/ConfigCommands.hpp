#pragma once
// Configuration commands (spec §3.3): GCFG, SCFG, WCFG, FCFG and their AT&V/AT&W/AT&F aliases.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

boost::asio::awaitable<AtError> get_config(CommandContext& context);
boost::asio::awaitable<AtError> set_config(CommandContext& context);
boost::asio::awaitable<AtError> write_config(CommandContext& context);
boost::asio::awaitable<AtError> factory_config(CommandContext& context);

}  // namespace spwf::atcmd::commands
