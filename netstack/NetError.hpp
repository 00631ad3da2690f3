#pragma once
// Outcomes of network operations, mapped by the console to the module's error numbers.

namespace spwf::net {

/// Why a network operation failed (none: it worked).
enum class NetError {
  none,
  link_down,          ///< wifi_state below 10
  name_not_resolved,  ///< the resolver found no address
  connect_failed,     ///< refused, unreachable, timed out, denied by --allow/--deny, TLS failed
  too_many_sockets,   ///< no free id
  illegal_id,         ///< bad or unused id
  pending_data,       ///< close refused: unread data
  not_connected,      ///< the peer has gone
  write_failed,       ///< the host stack refused the bytes
  port_in_use,        ///< a server is already on that port
};

}  // namespace spwf::net
