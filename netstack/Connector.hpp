#pragma once
// Opening a connection the way the module does: map the name (--connect-to, --resolve), refuse
// a name the rules refuse before any lookup, resolve it (an IP literal or a --resolve rule
// without asking anyone; other names with the host's resolver unless --no-host-dns), check
// --allow/--deny on the address really connected to, then connect (TCP) or bind a connected UDP
// socket. Resolving and connecting share one deadline. Every step is traced. The fault rules
// (config/FaultRules) are chosen here for every connection the module opens: the
// connection-level ones answer before any lookup, the others wrap the stream (FaultyStream).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "config/FaultRules.hpp"
#include "netstack/HostMapper.hpp"
#include "netstack/NetError.hpp"
#include "netstack/PlainStreams.hpp"

namespace spwf::net {

/// A connected stream and the peer address the module reports.
struct Connection {
  std::unique_ptr<Stream> stream;
  std::string peer_address;
};

/// The fault rules a new connection is matched against (none: no faults), the kind and id it
/// is matched by, and its name in the fault trace ("socket 0", "http", "mqtt 1").
struct FaultScope {
  config::FaultRules* rules = nullptr;
  config::ConnectionKind kind = config::ConnectionKind::tcp;
  std::optional<unsigned> id;
  std::string name;
};

/// How long a lookup may take when the caller gives no timeout (the module's DNS timeout).
inline constexpr std::chrono::milliseconds default_resolve_timeout{5000};

/// Maps and resolves a name as the module would (for the address only), as the effective
/// address (see HostMapper); nullopt: not resolved within `timeout`, or refused by a name rule
/// before it could be looked up.
boost::asio::awaitable<std::optional<boost::asio::ip::address>> resolve_name(
    boost::asio::any_io_executor executor, const HostMapper& mapper, std::string host,
    std::uint16_t port, std::chrono::milliseconds timeout = default_resolve_timeout);

/// Maps, resolves and checks a destination as connect_to does, without opening anything: the
/// address and port the module would reach (a UDP exchange that answers from other ports, such as
/// TFTP, sends from its own socket). Fails with name_not_resolved, or connect_failed when the rules
/// refuse it.
boost::asio::awaitable<std::variant<boost::asio::ip::udp::endpoint, NetError>> resolve_destination(
    boost::asio::any_io_executor executor, const HostMapper& mapper, std::string host,
    std::uint16_t port, std::chrono::milliseconds timeout);

/// Resolves and connects within `timeout`; TCP for StreamKind::tcp and tls (the caller wraps
/// TLS), UDP for udp. Fails with name_not_resolved, or connect_failed (also for a destination
/// the rules refuse). The rules of `faults` that match apply to the connection. `faults` is a
/// reference the caller keeps while it awaits: g++ 12 relocated the std::string of a braced
/// FaultScope argument copied into the coroutine frame (free() of an invalid pointer later), and
/// a defaulted `= {}` temporary did the same; callers without rules pass `no_faults`.
boost::asio::awaitable<std::variant<Connection, NetError>> connect_to(
    boost::asio::any_io_executor executor, const HostMapper& mapper, std::string host,
    std::uint16_t port, StreamKind kind, std::chrono::milliseconds timeout,
    const FaultScope& faults);

/// No fault rules (a named object, for connect_to's reference).
inline const FaultScope no_faults{};

/// An accepted connection from `host` (the client's address) to the module's `port`, with the
/// rules of `faults` that match it; nullptr when one refuses it (the stream is closed).
std::unique_ptr<Stream> accepted_with_faults(boost::asio::any_io_executor executor,
                                             std::unique_ptr<Stream> stream,
                                             const std::string& host, std::uint16_t port,
                                             const FaultScope& faults);

}  // namespace spwf::net
