// The WebSocket client commands over net::WebSocketClients (spec §3.11, §9 Q38 adopted):
//   WSOCKON: parameter count (2/6), wifi_state (44), <TLS> (7: only 0, 1, 2), a free shared
//   instance (75), then connect: DNS failure 65; a TLS failure prints the handshake's
//   "Certificate Error:<n>" and gives 74; any other failure (refused, denied, no upgrade) prints
//   the I line "WebSocket Client Error" and gives 74. Success: R "On:<id>".
//   WSOCKW: count, id (76), length 0 (33), the payload (at most limits::held_payload, else 32
//   once it is consumed), then one frame; peer gone 78, send failure 79.
//   WSOCKR/WSOCKQ answer like SOCKR/SOCKQ; WSOCKC sends the close status (0 normal closure 1000,
//   1 going away 1001) and frees the id at once, without an indication; WSOCKL lists
//   "List:<id>:<host>:<port>".

#include "atcmd/commands/WebSocketCommands.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "atcmd/commands/SocketCommon.hpp"
#include "atcmd/commands/TlsClientSettings.hpp"
#include "netstack/TlsStream.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// Field positions of WSOCKON.
namespace field {
constexpr std::size_t host = 0, port = 1, path = 2, tls = 3, user = 4, password = 5, origin = 6,
                      protocol = 7, extensions = 8, count = 9;
}  // namespace field

// A WebSocket id parameter: decimal and an open WebSocket, else 76.
std::optional<unsigned> websocket_id(CommandContext& context, std::size_t index) {
  const Arguments& args = context.args();
  if (!args.is_number(index) || args.number(index) >= limits::application_clients) {
    return std::nullopt;
  }
  const auto id = static_cast<unsigned>(args.number(index));
  if (!context.state().websockets().in_use(id)) return std::nullopt;
  return id;
}

// WSOCKW's flags (spec §3.11 ?): X-CUBE sends 0,0 for a whole message, so a write ends its
// message unless <lastFrame> is set without <lastFrag>: that is a fragment with more to follow,
// and a later write with <lastFrag> set (or 0,0) ends the message. WIND 88 reports the flags the
// same way.
net::FrameEnd frame_end(std::uint64_t last_frame, std::uint64_t last_fragment) {
  return last_frame != 0 && last_fragment == 0 ? net::FrameEnd::more : net::FrameEnd::last;
}

// WSOCKC's <status> as a close code (spec §3.11 ✔ comment: 0 normal closure, 1 going away).
std::optional<std::uint16_t> close_code(std::uint64_t status) {
  if (status == 0) return 1000;
  if (status == 1) return 1001;
  return std::nullopt;
}

AtError open_failure(CommandContext& context, net::WebSocketOpenError failure) {
  switch (failure) {
    case net::WebSocketOpenError::no_instance:
      return wire::mqtt::no_free_instance;  // shared with MQTTCONN (? adopted 75)
    case net::WebSocketOpenError::name_not_resolved:
      return AtError::dns_address_failure;
    case net::WebSocketOpenError::tls_failed:
      return AtError::failed_to_open_socket;  // after the handshake's own I lines
    case net::WebSocketOpenError::connect_failed:
    case net::WebSocketOpenError::handshake_failed:
      break;
  }
  context.info(label::websocket_client_error);
  return AtError::failed_to_open_socket;
}

}  // namespace

asio::awaitable<AtError> websocket_open(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(field::count, field::count); error != AtError::none) {
    co_return error;
  }
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  // <TLS>: 0 (or empty) plain, 1 and 2 TLS, as for HTTP (spec §3.10 ?).
  const std::uint64_t tls_mode = args.number(field::tls);
  if (tls_mode > 2) co_return AtError::invalid_arguments;
  const bool use_tls = tls_mode != 0;

  net::WebSocketRequest request;
  request.host = std::string{args.text(field::host)};
  const auto port = static_cast<std::uint16_t>(args.number(field::port) & 0xFFFF);
  request.port = port != 0 ? port : (use_tls ? 443 : 80);
  request.path = args.text(field::path).empty() ? "/" : std::string{args.text(field::path)};
  request.user = std::string{args.text(field::user)};
  request.password = std::string{args.text(field::password)};
  request.origin = std::string{args.text(field::origin)};
  request.protocol = std::string{args.text(field::protocol)};
  request.extensions = std::string{args.text(field::extensions)};
  request.faults = {&state.faults(), config::ConnectionKind::ws, {}, {}};  // id: at open

  // With TLS the name is <host> (spec §3.5.4 item 1), checked against the leaf's CN only.
  net::StreamWrapper wrap;
  if (use_tls) wrap = host_tls_wrapper(context, request.host);
  const std::size_t capacity =
      std::max<std::size_t>(1, state.config().get_uint("ip_sock_memsize")) *
      limits::websocket_buffer_unit;
  // The client's buffer (and a TLS session) come from the module's heap like a socket's, under
  // the instance it will take; a TLS session beyond the module's two fails as a handshake does.
  const auto instance = state.client_instances().next_free();
  if (!instance) co_return open_failure(context, net::WebSocketOpenError::no_instance);
  auto hold = hold_client(context, "WSOCKON", HeapUser::application_client,
                          static_cast<unsigned>(*instance), capacity, use_tls,
                          AtError::failed_to_open_socket);
  if (const auto* error = std::get_if<AtError>(&hold)) co_return *error;
  auto& held = std::get<ClientHold>(hold);
  const std::string target = request.host + ":" + std::to_string(request.port);
  auto outcome = co_await state.websockets().open(std::move(request), std::move(wrap), capacity,
                                                  std::make_shared<ClientHold>(std::move(held)));
  if (const auto* failure = std::get_if<net::WebSocketOpenError>(&outcome)) {
    log::info("WSOCKON " + target + " failed");
    co_return open_failure(context, *failure);
  }
  context.result(label::on, std::to_string(std::get<unsigned>(outcome)));
  co_return AtError::none;
}

asio::awaitable<AtError> websocket_query(CommandContext& context) {
  if (auto error = context.args().check_count(1, 1); error != AtError::none) co_return error;
  const auto id = websocket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  context.result(label::query, std::to_string(*context.state().websockets().pending(*id)));
  co_return AtError::none;
}

asio::awaitable<AtError> websocket_close(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const auto id = websocket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  const auto code = close_code(args.number(1));
  if (!code) co_return AtError::invalid_arguments;
  context.state().websockets().close(*id, *code);
  co_return AtError::none;
}

asio::awaitable<AtError> websocket_write(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(5, 5); error != AtError::none) co_return error;
  const auto id = websocket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  const std::uint64_t length = args.number(4);
  if (length == 0) co_return AtError::argument_zero;
  const auto payload = co_await context.read_payload(length);
  if (!payload) co_return AtError::argument_too_large;
  const auto type = args.number(3) != 0 ? net::MessageType::binary : net::MessageType::text;
  const auto error = co_await context.state().websockets().write(
      *id, *payload, type, frame_end(args.number(1), args.number(2)));
  // The id was open before the payload: gone now means the peer closed meanwhile.
  if (error == net::NetError::illegal_id) co_return AtError::socket_not_connected;
  co_return to_at_error(error);
}

asio::awaitable<AtError> websocket_read(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const auto id = websocket_id(context, 0);
  if (!id) co_return AtError::illegal_socket_id;
  auto& websockets = context.state().websockets();
  answer_read(context, args.number(1), *websockets.pending(*id),
              [&](std::size_t count) { return websockets.read(*id, count); });
  co_return AtError::none;
}

asio::awaitable<AtError> websocket_list(CommandContext& context) {
  if (auto error = context.args().check_count(0, 0); error != AtError::none) co_return error;
  for (const auto& row : context.state().websockets().list()) {
    context.result(label::list,
                   std::to_string(row.id) + ":" + row.host + ":" + std::to_string(row.port));
  }
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
