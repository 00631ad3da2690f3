#pragma once
// TFTP client commands (spec §3.13): TFTPGET and TFTPPUT.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.TFTPGET=<host>,<port>,<DownFile>,<LocalFile>
boost::asio::awaitable<AtError> tftp_get(CommandContext& context);
/// AT+S.TFTPPUT=<host>,<port>,<UpFile>
boost::asio::awaitable<AtError> tftp_put(CommandContext& context);

}  // namespace spwf::atcmd::commands
