#pragma once
// Pieces the client (SOCKx) and server (SOCKDx) socket commands share: the mapping of network
// outcomes to the module's error numbers, the SOCKR/SOCKDR answer framing and SOCKL kind numbers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

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

}  // namespace spwf::atcmd::commands
