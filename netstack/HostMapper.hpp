#pragma once
// Where the emulated module's connections really go: curl-style --resolve and --connect-to
// mappings, and the --allow/--deny rules. Applies to every name the module resolves (SOCKON,
// HTTP, PING, TLS, ...). TLS name checks keep using the name the firmware gave.
//
// The rules are decided on the address that is really connected to (effective_address): an
// IPv4-mapped IPv6 address is its IPv4 address, the unspecified address (0.0.0.0, ::) is the
// local host it connects to, and every textual form of an IPv4 literal ("127.1", "0x7f000001",
// "0") is the address it names. Names are checked before any lookup, so a name the rules refuse
// never reaches the host's resolver.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/EmulatorConfig.hpp"

namespace spwf::net {

/// The destination after mapping: the host to resolve (or a fixed address) and the port.
struct MappedTarget {
  std::string host;
  std::uint16_t port = 0;
  std::optional<boost::asio::ip::address> fixed_address;  ///< an IP literal or a --resolve rule
  std::string description;  ///< for the trace: "name:port -> host:port (rule)"
};

/// Looks a name up on the host and calls `done` once, on the executor, with its address (nullopt:
/// none). The caller may have stopped waiting by then (its deadline passed).
using NameLookup = std::function<void(
    boost::asio::any_io_executor executor, const std::string& host, std::uint16_t port,
    std::function<void(std::optional<boost::asio::ip::address>)> done)>;

/// Applies --connect-to, --resolve, --allow, --deny and --no-host-dns.
class HostMapper {
 public:
  /// `lookup` replaces the host's resolver (tests: a resolver that never answers).
  explicit HostMapper(const config::EmulatorConfig& settings, NameLookup lookup = {});
  /// Maps the name and port the firmware gave; an IP literal (any form) becomes fixed_address.
  MappedTarget map(std::string_view host, std::uint16_t port) const;
  /// True when the module may connect to this address (reached through `name`), judged on its
  /// effective_address. Deny rules win; with allow rules present, only matching destinations
  /// are allowed.
  bool allowed(std::string_view name, const boost::asio::ip::address& address) const;
  /// True when the rules refuse `name` whatever address it resolves to: a deny rule names it, or
  /// allow rules exist, all of them names, and none names it. Checked before resolving.
  bool refused_by_name(std::string_view name) const;
  /// False with --no-host-dns: names without a --resolve rule are not looked up.
  bool host_dns() const { return m_host_dns; }
  /// The lookup given at construction; empty: the host's resolver.
  const NameLookup& lookup() const { return m_lookup; }

 private:
  std::vector<config::ResolveRule> m_resolve;
  std::vector<config::ConnectToRule> m_connect_to;
  std::vector<std::string> m_allow;
  std::vector<std::string> m_deny;
  bool m_host_dns = true;
  NameLookup m_lookup;
};

/// The address a connection to `address` really reaches: IPv4-mapped IPv6 is IPv4, and the
/// unspecified address (0.0.0.0 or ::), to which the host's stack connects locally, is loopback.
boost::asio::ip::address effective_address(const boost::asio::ip::address& address);

/// An address as the module prints it (%i, spec §2.7): IPv4-mapped IPv6 in dotted IPv4.
std::string printable_address(const boost::asio::ip::address& address);

/// An IP literal in any form a resolver takes as numeric: IPv6 (brackets allowed) and IPv4 in
/// every inet_aton form ("127.0.0.1", "127.1", "0x7f.1", "2130706433", "0"); nullopt for a name.
std::optional<boost::asio::ip::address> parse_ip_literal(std::string_view text);

/// True when `pattern` (a host name, an address, or an address/prefix CIDR) matches. Addresses
/// on both sides are compared as effective_address (an IPv4-mapped pattern matches IPv4).
bool matches_pattern(std::string_view pattern, std::string_view name,
                     const boost::asio::ip::address& address);

}  // namespace spwf::net
