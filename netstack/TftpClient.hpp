#pragma once
// The module's TFTP client (AT+S.TFTPGET / AT+S.TFTPPUT, spec §3.13): the server's name is
// mapped, resolved and checked against --allow/--deny as every other connection of the module
// (netstack/Connector), then the transfer runs from a UDP socket of its own (TftpTransfer).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "netstack/HostMapper.hpp"
#include "netstack/TftpTransfer.hpp"

namespace spwf::net {

/// Where a transfer goes: the server as the firmware names it, and the file on the server.
struct TftpTarget {
  std::string host;
  std::uint16_t port = tftp::server_port;
  std::string remote_file;
};

/// Downloads `target.remote_file` into `sink` (octet mode). `resolve_timeout` bounds the lookup.
boost::asio::awaitable<TftpOutcome> tftp_get(boost::asio::any_io_executor executor,
                                             const HostMapper& mapper, TftpTarget target,
                                             TftpTiming timing,
                                             std::chrono::milliseconds resolve_timeout,
                                             TftpBlockSink sink);

/// Uploads `content` as `target.remote_file` (octet mode).
boost::asio::awaitable<TftpOutcome> tftp_put(boost::asio::any_io_executor executor,
                                             const HostMapper& mapper, TftpTarget target,
                                             TftpTiming timing,
                                             std::chrono::milliseconds resolve_timeout,
                                             std::string content);

}  // namespace spwf::net
