#include "atcmd/commands/SocketCommands.hpp"

#include <string>

#include "atcmd/CommandContext.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/commands/SocketCommon.hpp"
#include "atcmd/commands/TlsClientSettings.hpp"
#include "netstack/Connector.hpp"
#include "netstack/TlsStream.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"
#include "tls/NamePolicy.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// A socket id parameter: decimal and in use, else 76 (spec §3.5.2).
std::optional<unsigned> socket_id(CommandContext& context, std::size_t index) {
  const Arguments& args = context.args();
  if (!args.is_number(index) || args.number(index) >= net::ClientSockets::max_sockets) {
    return std::nullopt;
  }
  const auto id = static_cast<unsigned>(args.number(index));
  if (!context.state().sockets().in_use(id)) return std::nullopt;
  return id;
}

}  // namespace

// AT+S.SOCKON=<host>,<port>,<3rd>,<t|u|s|name> (spec §3.5.1, in the handler's order of checks).
asio::awaitable<AtError> socket_open(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(4, 4); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  auto& sockets = state.sockets();
  bool free_slot = false;
  for (unsigned id = 0; id < net::ClientSockets::max_sockets; ++id)
    free_slot |= !sockets.in_use(id);
  if (!free_slot) co_return AtError::too_many_sockets;

  const std::string host{args.text(0)};
  const auto port = static_cast<std::uint16_t>(args.number(1) & 0xFFFF);
  const std::string_view kind = args.text(3);
  if (kind.empty()) {
    // The module resolves the name before it looks at the kind.
    const auto address = co_await net::resolve_name(state.executor(), state.mapper(), host, port);
    co_return address ? AtError::invalid_arguments : AtError::dns_address_failure;
  }
  net::OpenRequest request;
  request.host = host;
  request.port = port;
  // ? The third field is kept as the socket's local port, a 16-bit value on the module (lwIP's
  // u16_t), so it is cut like <port> above: SOCKL never shows a port beyond 65535.
  request.local_port = static_cast<std::uint16_t>(args.number(2) & 0xFFFF);
  const auto& config = state.config();
  request.capacity = std::max<std::size_t>(1, config.get_uint("ip_sock_memsize")) * 1500;
  request.threshold = config.get_uint("ip_sock_threshold");
  if (kind == "t" || kind == "T") {
    request.kind = net::StreamKind::tcp;
  } else if (kind == "u" || kind == "U") {
    request.kind = net::StreamKind::udp;
  } else {
    request.kind = net::StreamKind::tls;
  }
  net::StreamWrapper wrap;
  if (request.kind == net::StreamKind::tls) {
    // Firmware 1.1.0 allows two TLS clients at once (HTTP, MQTT and WebSocket sessions count
    // too); a third fails before any TLS line (§9 Q25).
    if (state.tls_clients() >= limits::tls_clients) {
      trace::event(trace::Channel::tls, "SOCKON " + host + ": already " +
                                            std::to_string(limits::tls_clients) +
                                            " TLS clients open");
      co_return AtError::failed_to_open_socket;
    }
    // The module's name rule for SOCKON (spec §3.5.1); the rest is shared with HTTPGET/POST.
    auto settings = tls_client_settings(context, host, tls::sockon_server_name(host, kind));
    wrap = net::tls_client_wrapper(std::move(settings), state.settings().connect_timeout);
  }
  // The receive buffer (and a TLS session) come from the module's heap (spec §3.5.1 step 3; after
  // the TLS client count, §9 Q25).
  const std::size_t heap_cost =
      HeapModel::socket_cost(request.capacity, request.kind == net::StreamKind::tls);
  if (!state.heap().can_take(heap_cost)) {
    log::warn("SOCKON: the module's heap has " + std::to_string(state.heap().free()) +
              " bytes free, the socket needs " + std::to_string(heap_cost) + ": Low Memory");
    co_return AtError::low_memory;
  }
  auto outcome = co_await sockets.open(std::move(request), std::move(wrap));
  if (auto* failure = std::get_if<net::NetError>(&outcome)) co_return to_at_error(*failure);
  const auto& opened = std::get<net::Opened>(outcome);
  state.heap().reserve(HeapUser::client_socket, opened.id, heap_cost);
  context.result(label::on, opened.peer_address + ":" + std::to_string(opened.id));
  co_return AtError::none;
}

asio::awaitable<AtError> socket_query(CommandContext& context) {
  if (auto error = context.args().check_count(1, 1); error != AtError::none) co_return error;
  const auto id = socket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  context.result(label::query, std::to_string(*context.state().sockets().pending(*id)));
  co_return AtError::none;
}

// AT+S.SOCKR=<id>,<len>: Read Cap / Empty / Reading lines, then exactly the raw bytes.
asio::awaitable<AtError> socket_read(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const auto id = socket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  auto& sockets = context.state().sockets();
  answer_read(context, args.number(1), *sockets.pending(*id),
              [&](std::size_t count) { return sockets.read(*id, count); });
  co_return AtError::none;
}

// AT+S.SOCKW=<id>,<len><CR><data>: checks before the payload end the command at once.
asio::awaitable<AtError> socket_write(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  if (context.state().wifi_state() < 10) co_return AtError::wait_for_connection_up;
  const auto id = socket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  const std::uint64_t length = args.number(1);
  if (length == 0) co_return AtError::argument_zero;
  auto& sockets = context.state().sockets();
  co_return co_await write_payload_to_socket(
      context, length, [&](std::string_view bytes) { return sockets.write(*id, bytes); });
}

asio::awaitable<AtError> socket_close(CommandContext& context) {
  if (auto error = context.args().check_count(1, 1); error != AtError::none) co_return error;
  const auto id = socket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  const auto error = context.state().sockets().close(*id);
  if (error == net::NetError::none) context.state().heap().release(HeapUser::client_socket, *id);
  co_return to_at_error(error);
}

// AT+S.SOCKL: "AT-S.List::<id>:<connected>:<kind>:<pending>:<ip>:<port>" per socket.
asio::awaitable<AtError> socket_list(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  for (const auto& row : context.state().sockets().list()) {
    context.result(label::list, ":" + std::to_string(row.id) + ":" +
                                    std::to_string(row.connected ? 1 : 0) + ":" +
                                    kind_number(row.kind) + ":" + std::to_string(row.pending) +
                                    ":" + row.peer_address + ":" + std::to_string(row.local_port));
  }
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
