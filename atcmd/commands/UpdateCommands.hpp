#pragma once
// Firmware and file-system downloads and the web server's input text (spec §3.14): FWUPDATE,
// FSUPDATE and INPUTSSI.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.FWUPDATE=e,<host>,<path>,<port>,<TLS>,<usn>,<pwd>
boost::asio::awaitable<AtError> firmware_update(CommandContext& context);
/// AT+S.FSUPDATE=<i|e|x>,<host>,<path>,<port>,<TLS>,<usn>,<pwd>
boost::asio::awaitable<AtError> filesystem_update(CommandContext& context);
/// AT+S.INPUTSSI=<0|length><CR><data>
boost::asio::awaitable<AtError> input_ssi(CommandContext& context);

}  // namespace spwf::atcmd::commands
