#pragma once
// Opening a connection the way the module does: map the name (--connect-to, --resolve), resolve
// it with the host's resolver, check --allow/--deny, then connect (TCP, with a timeout) or bind
// a connected UDP socket. Every step is traced.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "netstack/HostMapper.hpp"
#include "netstack/NetError.hpp"
#include "netstack/PlainStreams.hpp"

namespace spwf::net {

/// A connected stream and the peer address the module reports.
struct Connection {
  std::unique_ptr<Stream> stream;
  std::string peer_address;
};

/// Maps and resolves a name as the module would (for the address only); nullopt: not resolved.
boost::asio::awaitable<std::optional<boost::asio::ip::address>> resolve_name(
    boost::asio::any_io_executor executor, const HostMapper& mapper, std::string host,
    std::uint16_t port);

/// Resolves and connects; TCP for StreamKind::tcp and tls (the caller wraps TLS), UDP for udp.
/// Fails with name_not_resolved or connect_failed.
boost::asio::awaitable<std::variant<Connection, NetError>> connect_to(
    boost::asio::any_io_executor executor, const HostMapper& mapper, std::string host,
    std::uint16_t port, StreamKind kind, std::chrono::milliseconds timeout);

}  // namespace spwf::net
