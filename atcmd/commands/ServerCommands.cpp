#include "atcmd/commands/ServerCommands.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/commands/SocketCommon.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"
#include "tls/ServerSession.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// A server id parameter: decimal and in use, else nullopt (76).
std::optional<unsigned> server_id(CommandContext& context, std::size_t index) {
  const Arguments& args = context.args();
  if (!args.is_number(index) || args.number(index) >= net::ServerSockets::max_servers) {
    return std::nullopt;
  }
  const auto id = static_cast<unsigned>(args.number(index));
  if (!context.state().servers().server_in_use(id)) return std::nullopt;
  return id;
}

// A (server id, client id) pair at `index`, `index + 1`: both decimal and in use, else nullopt.
std::optional<std::pair<unsigned, unsigned>> client_ids(CommandContext& context,
                                                        std::size_t index) {
  const auto server = server_id(context, index);
  const Arguments& args = context.args();
  if (!server || !args.is_number(index + 1) ||
      args.number(index + 1) >= net::ServerSockets::max_clients) {
    return std::nullopt;
  }
  const auto client = static_cast<unsigned>(args.number(index + 1));
  if (!context.state().servers().client_in_use(*server, client)) return std::nullopt;
  return std::pair{*server, client};
}

// The TLS settings of an s1/s2 server: the stored own certificate and key (flash slots, else
// tls.cert / tls.key), and for s2 the CA that client certificates must chain to. nullptr when no
// usable certificate and key are stored (SOCKDON then answers 74, as a TLS client socket without
// its material does; ≈ the adopted reading).
std::shared_ptr<const tls::ServerSettings> tls_server_settings(CommandContext& context,
                                                               unsigned kind_index,
                                                               std::uint16_t port) {
  ModuleState& state = context.state();
  const tls::CertificateStore& store = state.certificates();
  tls::TrustSources trust{store.slot(tls::Slot::ca), store.slot(tls::Slot::cert),
                          store.slot(tls::Slot::key), store.file_lookup()};
  auto identity = tls::load_server_identity(trust);
  if (const auto* problem = std::get_if<std::string>(&identity)) {
    trace::event(trace::Channel::tls,
                 "TLS server on port " + std::to_string(port) + " refused: " + *problem);
    return nullptr;
  }
  auto settings = std::make_shared<tls::ServerSettings>();
  settings->identity = std::get<std::shared_ptr<const tls::ServerIdentity>>(std::move(identity));
  // ? s1 = server authentication only; s2 = the client must also present a certificate that
  // chains to the stored CA (flash slot, else <AKI>.ca). The plausible reading of the kinds
  // (spec §3.6, §9 Q29), not confirmed on a real module.
  settings->client_authentication =
      kind_index == 3 ? tls::ClientAuthentication::required : tls::ClientAuthentication::none;
  settings->trust = std::move(trust);
  settings->module_time = [&state] { return state.clock().now(); };
  settings->trace_name = "TLS server :" + std::to_string(port);
  return settings;
}

}  // namespace

// AT+S.SOCKDON=<port>,<t|u|s1|s2>: "AT-S.On:<sid>" once the listener is up.
asio::awaitable<AtError> server_open(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  net::ServerRequest request;
  const std::uint64_t port = args.number(0);
  if (!args.is_number(0) || port == 0 || port > 0xFFFF) co_return AtError::invalid_arguments;
  request.port = static_cast<std::uint16_t>(port);
  const int kind = args.keyword_index(1, {"t", "u", "s1", "s2"});
  if (kind < 0) co_return AtError::invalid_arguments;
  if (kind >= 2) {
    request.kind = net::StreamKind::tls;
    request.tls = tls_server_settings(context, static_cast<unsigned>(kind), request.port);
    if (!request.tls) co_return AtError::failed_to_open_socket;
    request.handshake_timeout = state.settings().connect_timeout;
  } else {
    request.kind = kind == 0 ? net::StreamKind::tcp : net::StreamKind::udp;
  }
  const auto& config = state.config();
  request.capacity = std::max<std::size_t>(1, config.get_uint("ip_sock_memsize")) * 1500;
  request.threshold = config.get_uint("ip_sock_threshold");
  // The listener and each client take the module's heap (spec §3.5.1 step 3 for sockets; ? the
  // module's answer for a server is assumed the same). A client the heap cannot hold is refused
  // like one beyond the eighth.
  HeapModel& heap = state.heap();
  if (limits::heap_per_socket > heap.free()) co_return AtError::low_memory;
  const std::size_t client_cost =
      HeapModel::socket_cost(request.capacity, request.kind == net::StreamKind::tls);
  request.take_memory = [&heap, client_cost](unsigned server, unsigned client) {
    return heap.hold(HeapUser::server_client, server * net::ServerSockets::max_clients + client,
                     client_cost);
  };
  const auto outcome = state.servers().open(request);
  if (const auto* failure = std::get_if<net::NetError>(&outcome)) co_return to_at_error(*failure);
  const unsigned server = std::get<unsigned>(outcome);
  heap.reserve(HeapUser::server_socket, server, limits::heap_per_socket);
  context.result(label::on, std::to_string(server));
  co_return AtError::none;
}

// AT+S.SOCKDQ=<sid>,<cid>: "AT-S.Query:<pending>".
asio::awaitable<AtError> server_query(CommandContext& context) {
  if (auto error = context.args().check_count(2, 2); error != AtError::none) co_return error;
  const auto ids = client_ids(context, 0);
  if (!ids) co_return AtError::illegal_socket_id;
  const auto pending = context.state().servers().pending(ids->first, ids->second);
  context.result(label::query, std::to_string(*pending));
  co_return AtError::none;
}

// AT+S.SOCKDR=<sid>,<cid>,<len>: framed exactly like SOCKR.
asio::awaitable<AtError> server_read(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(3, 3); error != AtError::none) co_return error;
  const auto ids = client_ids(context, 0);
  if (!ids) co_return AtError::illegal_socket_id;
  auto& servers = context.state().servers();
  const unsigned server = ids->first;
  const unsigned client = ids->second;
  answer_read(context, args.number(2), *servers.pending(server, client),
              [&](std::size_t count) { return servers.read(server, client, count); });
  co_return AtError::none;
}

// AT+S.SOCKDW=<sid>,<cid>,<len><CR><data>: the checks of SOCKW, then the payload to the client.
asio::awaitable<AtError> server_write(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(3, 3); error != AtError::none) co_return error;
  if (context.state().wifi_state() < 10) co_return AtError::wait_for_connection_up;
  const auto ids = client_ids(context, 0);
  if (!ids) co_return AtError::illegal_socket_id;
  const std::uint64_t length = args.number(2);
  if (length == 0) co_return AtError::argument_zero;
  auto& servers = context.state().servers();
  co_return co_await write_payload_to_socket(context, length, [&](std::string_view bytes) {
    return servers.write(ids->first, ids->second, bytes);
  });
}

// AT+S.SOCKDC=<sid>[,<cid>]: drops one client, or closes the server with all its clients.
asio::awaitable<AtError> server_close(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 2); error != AtError::none) co_return error;
  auto& servers = context.state().servers();
  if (args.count() == 1) {
    const auto server = server_id(context, 0);
    if (!server) co_return AtError::illegal_socket_id;
    const auto error = servers.close_server(*server);
    if (error == net::NetError::none)
      context.state().heap().release(HeapUser::server_socket, *server);
    co_return to_at_error(error);
  }
  const auto ids = client_ids(context, 0);
  if (!ids) co_return AtError::illegal_socket_id;
  co_return to_at_error(servers.close_client(ids->first, ids->second));
}

// AT+S.SOCKDL[=<sid>]: "AT-S.List:<sid>:<cid>:<connected>:<kind>:<pending>:<ip>:<port>" per
// client, in (sid, cid) order.
asio::awaitable<AtError> server_list(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(0, 1); error != AtError::none) co_return error;
  std::optional<unsigned> only;
  if (args.count() == 1 && !args.text(0).empty()) {
    only = server_id(context, 0);
    if (!only) co_return AtError::illegal_socket_id;
  }
  for (const auto& row : context.state().servers().list(only)) {
    context.result(label::list, std::to_string(row.server) + ":" + std::to_string(row.client) +
                                    ":" + std::to_string(row.connected ? 1 : 0) + ":" +
                                    kind_number(row.kind) + ":" + std::to_string(row.pending) +
                                    ":" + row.address + ":" + std::to_string(row.port));
  }
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
