#pragma once
// Where the emulated module's connections really go: curl-style --resolve and --connect-to
// mappings, and the --allow/--deny rules. Applies to every name the module resolves (SOCKON,
// later HTTP, TLS, ...). TLS name checks keep using the name the firmware gave.

#include <boost/asio/ip/address.hpp>
#include <cstdint>
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
  std::optional<boost::asio::ip::address> fixed_address;  ///< from a --resolve rule
  std::string description;  ///< for the trace: "name:port -> host:port (rule)"
};

/// Applies --connect-to, --resolve, --allow and --deny.
class HostMapper {
 public:
  explicit HostMapper(const config::EmulatorConfig& settings);
  /// Maps the name and port the firmware gave.
  MappedTarget map(std::string_view host, std::uint16_t port) const;
  /// True when the module may connect to this address (reached through `name`). Deny rules win;
  /// with allow rules present, only matching destinations are allowed.
  bool allowed(std::string_view name, const boost::asio::ip::address& address) const;

 private:
  std::vector<config::ResolveRule> m_resolve;
  std::vector<config::ConnectToRule> m_connect_to;
  std::vector<std::string> m_allow;
  std::vector<std::string> m_deny;
};

/// True when `pattern` (a host name, an address, or an address/prefix CIDR) matches.
bool matches_pattern(std::string_view pattern, std::string_view name,
                     const boost::asio::ip::address& address);

}  // namespace spwf::net
