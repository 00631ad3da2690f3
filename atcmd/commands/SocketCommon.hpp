#pragma once
// Pieces the client (SOCKx) and server (SOCKDx) socket commands share: the mapping of network
// outcomes to the module's error numbers, the SOCKR/SOCKDR answer framing and SOCKL kind numbers.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "atcmd/CommandContext.hpp"
#include "atcmd/Wire.hpp"
#include "netstack/NetError.hpp"
#include "netstack/Stream.hpp"

namespace spwf::atcmd::commands {

/// The module's error for a network outcome (none -> AtError::none).
AtError to_at_error(net::NetError error);

/// The number SOCKL/SOCKDL print for a socket kind (1 UDP, 2 TCP, 3 TLS).
std::string kind_number(net::StreamKind kind);

/// Answers a read of `requested` bytes (0: everything) from a socket with `pending` bytes
/// waiting, as SOCKR does (spec §3.5.2): Empty, or Read Cap and Reading lines followed by the
/// raw bytes that `take(count)` returns.
void answer_read(CommandContext& context, std::uint64_t requested, std::size_t pending,
                 const std::function<std::string(std::size_t)>& take);

/// Sends bytes on one socket (SOCKW's client socket, SOCKDW's server client).
using SocketWriter = std::function<boost::asio::awaitable<net::NetError>(std::string_view)>;

/// Streams a SOCKW/SOCKDW payload of `length` bytes to `write` as it arrives, in pieces of at
/// most limits::socket_write_piece bytes (so a UDP write up to that size is one datagram), in
/// bounded memory whatever `length` says. After a failed write the rest of the payload is still
/// consumed; the first failure is the answer (spec §2.5: errors that need the data come after it).
boost::asio::awaitable<AtError> write_payload_to_socket(CommandContext& context,
                                                        std::uint64_t length,
                                                        const SocketWriter& write);

}  // namespace spwf::atcmd::commands
