// The module's MQTT client commands over net::MqttClient (spec §3.10, §9 Q38). Empty fields take
// the defaults (X-CUBE sends MQTTCONN=<host>,<port>,,,,,,,,,, and MQTTPUB=<id>,<topic>,,,<len>):
// port 1883 (8883 with TLS), no TLS, no credentials, a client id made from the module's model,
// MAC and instance, keep-alive limits::mqtt_default_keep_alive_seconds, no will, QoS 0.
// MQTTCONN's order of checks: parameter count (2/6), wifi_state (44), <TLS> and will QoS (7),
// a free instance (wire::mqtt::no_free_instance), the name (65), the connection (74), TLS and
// the MQTT exchange (I lines, then 111). The answer is "AT-S.On:<id>" (≈). MQTTSUB, MQTTPUB,
// MQTTUNSUB and MQTTDISC check the id (76) and their fields (7) first; MQTTPUB reads its payload
// after those checks (§2.5, §9 Q7) and answers after PUBACK (QoS 1) or once queued (QoS 0).
// A non-empty <path> runs MQTT over WebSocket (binary messages, subprotocol "mqtt", §3.10).

#include "atcmd/commands/MqttCommands.hpp"

#include <algorithm>
#include <memory>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/commands/TlsClientSettings.hpp"
#include "netstack/Connector.hpp"
#include "netstack/MqttClient.hpp"
#include "netstack/TlsStream.hpp"
#include "netstack/WebSocketClient.hpp"
#include "netstack/WebSocketStream.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

// Field positions of MQTTCONN.
namespace field {
constexpr std::size_t host = 0, port = 1, path = 2, tls = 3, user = 4, password = 5, id = 6,
                      keep_alive = 7, will_retain = 8, will_qos = 9, will_topic = 10,
                      will_message = 11, count = 12;
}  // namespace field

constexpr std::uint16_t default_port = 1883;
constexpr std::uint16_t default_tls_port = 8883;

// The connected MQTT client named by parameter `index`, or nullptr (76).
std::shared_ptr<net::MqttClient> client_of(CommandContext& context, std::size_t index) {
  const Arguments& args = context.args();
  if (!args.is_number(index) || args.number(index) >= limits::application_clients) return nullptr;
  return context.state().mqtt_clients().find(static_cast<unsigned>(args.number(index)));
}

// A QoS field: empty is 0; 0 and 1 are supported, anything else is refused.
std::optional<unsigned> qos_of(const Arguments& args, std::size_t index) {
  const std::uint64_t qos = args.number(index);
  if (qos > 1 || (!args.text(index).empty() && !args.is_number(index))) return std::nullopt;
  return static_cast<unsigned>(qos);
}

// The client id when <ID> is empty: the model, the MAC's last three bytes, the instance
// ("SPWF04SA-4FB13F-0"), so both instances of one module and several modules differ.
std::string default_client_id(const ModuleState& state, unsigned instance) {
  std::string mac;
  for (const char c : state.config().get_string("nv_wifi_macaddr")) {
    if (c != ':') mac += c;
  }
  const std::string tail = mac.size() > 6 ? mac.substr(mac.size() - 6) : mac;
  return state.config().get_string("nv_model") + "-" + tail + "-" + std::to_string(instance);
}

// Everything MQTTCONN reads from its fields; nullopt when a field is refused (7).
std::optional<net::mqtt::ConnectOptions> connect_options(const Arguments& args) {
  net::mqtt::ConnectOptions options;
  options.user = std::string{args.text(field::user)};
  options.password = std::string{args.text(field::password)};
  options.client_id = std::string{args.text(field::id)};
  options.keep_alive_seconds = static_cast<std::uint16_t>(
      args.text(field::keep_alive).empty()
          ? limits::mqtt_default_keep_alive_seconds
          : std::min<std::uint64_t>(args.number(field::keep_alive), 65535));
  if (!args.text(field::will_topic).empty()) {
    const std::uint64_t qos = args.number(field::will_qos);
    if (qos > 2) return std::nullopt;  // the broker delivers the will: QoS 2 is fine here
    options.will = net::mqtt::Will{
        std::string{args.text(field::will_topic)}, std::string{args.text(field::will_message)},
        static_cast<unsigned>(qos), args.number(field::will_retain) != 0};
  }
  return options;
}

// MQTT over WebSocket (a non-empty <path>, spec §3.10): binary messages on <path> with the
// subprotocol "mqtt", TLS as for TCP. Failures as for TCP: 65, 74 for the connection, 111 for
// TLS and a refused upgrade.
asio::awaitable<std::variant<std::unique_ptr<net::Stream>, AtError>> open_websocket(
    CommandContext& context, const std::string& host, std::uint16_t port, bool use_tls,
    std::string_view path, const net::FaultScope& faults) {
  ModuleState& state = context.state();
  net::WebSocketRequest request;
  request.host = host;
  request.port = port;
  request.path = std::string{path};
  request.protocol = "mqtt";
  request.faults = faults;
  net::StreamWrapper wrap;
  if (use_tls) {
    wrap = host_tls_wrapper(context, host);
  }
  auto outcome =
      co_await net::WebSocketClient::connect(state.executor(), state.mapper(), std::move(request),
                                             std::move(wrap), state.settings().connect_timeout);
  if (const auto* failure = std::get_if<net::WebSocketError>(&outcome)) {
    switch (*failure) {
      case net::WebSocketError::name_not_resolved:
        co_return AtError::dns_address_failure;
      case net::WebSocketError::connect_failed:
        co_return wire::mqtt::connect_failed;
      case net::WebSocketError::tls_failed:
        co_return wire::mqtt::request_failed;
      case net::WebSocketError::handshake_failed:
        break;
    }
    co_return wire::mqtt::websocket_refused;  // the server refused the upgrade
  }
  co_return std::unique_ptr<net::Stream>(std::make_unique<net::WebSocketStream>(
      std::get<std::shared_ptr<net::WebSocketClient>>(std::move(outcome))));
}

// Connects the stream MQTTCONN's client runs over: TCP, wrapped in TLS when asked, or WebSocket
// when <path> is set.
asio::awaitable<std::variant<std::unique_ptr<net::Stream>, AtError>> open_stream(
    CommandContext& context, const std::string& host, std::uint16_t port, bool use_tls,
    std::string_view path, unsigned instance) {
  ModuleState& state = context.state();
  net::FaultScope faults{&state.faults(), config::ConnectionKind::mqtt, instance,
                         "mqtt " + std::to_string(instance)};
  if (!path.empty()) {
    co_return co_await open_websocket(context, host, port, use_tls, path, faults);
  }
  // Made before the connect: lookup, connect and handshake share the one open timeout.
  net::StreamWrapper wrap;
  if (use_tls) {
    // The name is <host>: sent as SNI and compared with the leaf's CN (spec §3.5.4).
    wrap = host_tls_wrapper(context, host);
  }
  auto connected = co_await net::connect_to(state.executor(), state.mapper(), host, port,
                                            use_tls ? net::StreamKind::tls : net::StreamKind::tcp,
                                            state.settings().connect_timeout, faults);
  if (const auto* failure = std::get_if<net::NetError>(&connected)) {
    co_return *failure == net::NetError::name_not_resolved ? AtError::dns_address_failure
                                                           : wire::mqtt::connect_failed;
  }
  std::unique_ptr<net::Stream> stream = std::move(std::get<net::Connection>(connected).stream);
  if (wrap) {
    stream = co_await wrap(std::move(stream));
    if (!stream) co_return wire::mqtt::request_failed;
  }
  co_return std::move(stream);
}

}  // namespace

asio::awaitable<AtError> mqtt_connect(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, field::count); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  if (state.wifi_state() < 10) co_return AtError::wait_for_connection_up;
  const std::uint64_t tls_mode = args.number(field::tls);
  auto options = connect_options(args);
  if (tls_mode > 2 || !options) co_return AtError::invalid_arguments;
  const bool use_tls = tls_mode != 0;
  const std::string host{args.text(field::host)};
  const auto given_port = static_cast<std::uint16_t>(args.number(field::port) & 0xFFFF);
  const std::uint16_t port = given_port != 0 ? given_port
                             : use_tls       ? default_tls_port
                                             : default_port;
  auto& clients = state.mqtt_clients();
  const auto instance = clients.reserve();
  if (!instance) co_return wire::mqtt::no_free_instance;
  if (host.empty()) {
    clients.release(*instance);
    co_return AtError::dns_address_failure;
  }
  if (options->client_id.empty()) options->client_id = default_client_id(state, *instance);
  // The client's buffers (and a TLS session) come from the module's heap like a socket's; a TLS
  // session beyond the module's two fails as a handshake does (111).
  auto hold = hold_client(context, "MQTTCONN", HeapUser::application_client, *instance,
                          limits::application_client_buffer, use_tls, wire::mqtt::request_failed);
  if (const auto* error = std::get_if<AtError>(&hold)) {
    clients.release(*instance);
    co_return *error;
  }
  auto held = std::make_shared<ClientHold>(std::move(std::get<ClientHold>(hold)));

  auto opened =
      co_await open_stream(context, host, port, use_tls, args.text(field::path), *instance);
  if (auto* failure = std::get_if<AtError>(&opened)) {
    clients.release(*instance);
    co_return *failure;
  }
  Session& session = context.session();
  net::MqttClientSettings settings;
  settings.id = *instance;
  settings.name = "mqtt " + std::to_string(*instance) + " " + host + ":" + std::to_string(port);
  settings.answer_timeout = limits::mqtt_answer_timeout;
  settings.sink = [&state](const net::NetEvent& event) { state.raise(event); };
  settings.host_ready = [&session]() { return session.flush_and_wait_for_host(); };
  // The heap and the TLS session go back with the instance.
  settings.on_closed = [&clients, id = *instance, held] { clients.release(id); };
  auto client = std::make_shared<net::MqttClient>(state.executor(), std::move(settings));
  clients.attach(*instance, client);
  const auto result =
      co_await client->start(std::move(std::get<std::unique_ptr<net::Stream>>(opened)), *options);
  if (result != net::MqttError::none) co_return wire::mqtt::request_failed;
  context.result(label::on, std::to_string(*instance));
  co_return AtError::none;
}

asio::awaitable<AtError> mqtt_subscribe(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 3); error != AtError::none) co_return error;
  auto client = client_of(context, 0);
  if (!client) co_return AtError::illegal_socket_id;
  const auto qos = qos_of(args, 2);
  if (!qos || args.text(1).empty()) co_return AtError::invalid_arguments;
  const auto result = co_await client->subscribe(args.text(1), *qos);
  co_return result == net::MqttError::none ? AtError::none : wire::mqtt::request_failed;
}

asio::awaitable<AtError> mqtt_unsubscribe(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  auto client = client_of(context, 0);
  if (!client) co_return AtError::illegal_socket_id;
  if (args.text(1).empty()) co_return AtError::invalid_arguments;
  const auto result = co_await client->unsubscribe(args.text(1));
  co_return result == net::MqttError::none ? AtError::none : wire::mqtt::request_failed;
}

asio::awaitable<AtError> mqtt_publish(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(5, 5); error != AtError::none) co_return error;
  auto client = client_of(context, 0);
  if (!client) co_return AtError::illegal_socket_id;
  const auto qos = qos_of(args, 2);
  if (!qos || args.text(1).empty() || args.number(3) > 1) co_return AtError::invalid_arguments;
  const std::uint64_t length = args.number(4);
  if (length > limits::held_payload) co_return AtError::argument_too_large;
  auto payload = co_await context.read_payload(length);
  if (!payload) co_return AtError::argument_too_large;
  // The broker may have closed while the payload came in.
  if (!client->connected()) co_return wire::mqtt::request_failed;
  net::mqtt::Publish message;
  message.topic = std::string{args.text(1)};
  message.payload = std::move(*payload);
  message.qos = *qos;
  message.retain = args.number(3) != 0;
  const auto result = co_await client->publish(std::move(message));
  co_return result == net::MqttError::none ? AtError::none : wire::mqtt::request_failed;
}

asio::awaitable<AtError> mqtt_disconnect(CommandContext& context) {
  if (auto error = context.args().check_count(1, 1); error != AtError::none) co_return error;
  auto client = client_of(context, 0);
  if (!client) co_return AtError::illegal_socket_id;
  client->disconnect();
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
