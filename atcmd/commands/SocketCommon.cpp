#include "atcmd/commands/SocketCommon.hpp"

#include <algorithm>

#include "support/Limits.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

AtError to_at_error(net::NetError error) {
  switch (error) {
    case net::NetError::none:
      return AtError::none;
    case net::NetError::link_down:
      return AtError::wait_for_connection_up;
    case net::NetError::name_not_resolved:
      return AtError::dns_address_failure;
    case net::NetError::connect_failed:
      return AtError::failed_to_open_socket;
    case net::NetError::too_many_sockets:
      return AtError::too_many_sockets;
    case net::NetError::illegal_id:
      return AtError::illegal_socket_id;
    case net::NetError::pending_data:
      return AtError::pending_data;
    case net::NetError::not_connected:
      return AtError::socket_not_connected;
    case net::NetError::write_failed:
      return AtError::write_failed;
    case net::NetError::port_in_use:
      return AtError::port_already_opened;
  }
  return AtError::failed_to_open_socket;
}

std::string kind_number(net::StreamKind kind) {
  return std::to_string(static_cast<unsigned>(kind));
}

void answer_read(CommandContext& context, std::uint64_t requested, std::size_t pending,
                 const std::function<std::string(std::size_t)>& take) {
  if (pending == 0) {
    context.info(label::empty);
    return;
  }
  std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(requested, pending));
  if (requested == 0) {
    length = pending;
  } else if (requested > pending) {
    context.info(label::read_cap, std::to_string(pending));
  }
  context.info(label::reading, std::to_string(length) + ":" + std::to_string(pending));
  context.raw(take(length));
}

asio::awaitable<AtError> write_payload_to_socket(CommandContext& context, std::uint64_t length,
                                                 const SocketWriter& write) {
  std::string chunk;
  net::NetError failure = net::NetError::none;
  while (length > 0) {
    const auto piece = co_await context.read_payload_piece(length);
    if (!piece) co_return AtError::write_failed;  // the host went away mid-payload
    length -= piece->size();
    std::string_view rest = *piece;  // valid while the session does not read: it waits for us
    while (!rest.empty()) {
      const std::size_t take = std::min(rest.size(), limits::socket_write_piece - chunk.size());
      chunk.append(rest.substr(0, take));
      rest.remove_prefix(take);
      const bool last = length == 0 && rest.empty();
      if (chunk.size() < limits::socket_write_piece && !last) continue;
      if (failure == net::NetError::none) failure = co_await write(chunk);
      chunk.clear();
    }
  }
  co_return to_at_error(failure);
}

}  // namespace spwf::atcmd::commands
