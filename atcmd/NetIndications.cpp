#include "atcmd/NetIndications.hpp"

#include <cstdio>
#include <ctime>
#include <type_traits>

namespace spwf::atcmd {
namespace {

std::string join(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += ':';
    out += part;
  }
  return out;
}

std::string number(std::size_t value) {
  return std::to_string(value);
}

}  // namespace

std::string ntp_fields(std::uint64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char fields[64];
  std::snprintf(fields, sizeof fields, "%u.%u.%u:%u:%u.%u.%u", static_cast<unsigned>(utc.tm_mday),
                static_cast<unsigned>(utc.tm_mon + 1), static_cast<unsigned>(utc.tm_year + 1900),
                static_cast<unsigned>(utc.tm_hour), static_cast<unsigned>(utc.tm_min),
                static_cast<unsigned>(utc.tm_sec), 0u);
  return fields;
}

std::pair<Wind, std::string> to_indication(const net::NetEvent& event) {
  return std::visit(
      [](const auto& e) -> std::pair<Wind, std::string> {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, net::RadioStarted>) return {Wind::hardware_started, {}};
        if constexpr (std::is_same_v<E, net::RadioStopped>) return {Wind::powered_down, {}};
        if constexpr (std::is_same_v<E, net::SupplicantTerminated>) {
          return {Wind::wpa_terminated, std::to_string(e.status)};
        }
        if constexpr (std::is_same_v<E, net::ScanStarted>) return {Wind::scanning, {}};
        if constexpr (std::is_same_v<E, net::ScanCompleted>) return {Wind::scan_complete, "00"};
        if constexpr (std::is_same_v<E, net::JoinStarted>) return {Wind::join, e.bssid};
        if constexpr (std::is_same_v<E, net::Associated>) {
          return {Wind::association_successful, e.ssid};
        }
        if constexpr (std::is_same_v<E, net::HandshakeCompleted>) {
          return {Wind::wpa_handshake_complete, {}};
        }
        if constexpr (std::is_same_v<E, net::Deauthenticated>) {
          return {Wind::deauthentication, number(e.reason)};
        }
        if constexpr (std::is_same_v<E, net::AccessPointStarted>) return {Wind::started_ap, e.ssid};
        if constexpr (std::is_same_v<E, net::LinkUp>) {
          // IPv4 ":%u:%i" with interface 0; IPv6 ":%i" behind an empty field.
          return {Wind::wifi_up, e.ipv6 ? ":" + e.address : "0:" + e.address};
        }
        if constexpr (std::is_same_v<E, net::LinkLost>) return {Wind::network_lost, {}};
        if constexpr (std::is_same_v<E, net::SignalLow>) {
          return {Wind::signal_low, std::to_string(e.rssi)};
        }
        if constexpr (std::is_same_v<E, net::SignalOk>) return {Wind::signal_ok, {}};
        if constexpr (std::is_same_v<E, net::SocketData>) {
          return {Wind::pending_data,
                  ":" + join({number(e.id), number(e.received), number(e.total)})};
        }
        if constexpr (std::is_same_v<E, net::SocketClosed>) {
          return {Wind::socket_closed, join({number(e.id), number(e.reason)})};
        }
        if constexpr (std::is_same_v<E, net::SocketDropped>) {
          return {Wind::socket_dropping_data, ":" + join({number(e.id), number(e.bytes)})};
        }
        if constexpr (std::is_same_v<E, net::ServerClientArrived>) {
          return {Wind::incoming_socket_client,
                  join({e.address, number(e.port), number(e.server), number(e.client)})};
        }
        if constexpr (std::is_same_v<E, net::ServerClientGone>) {
          return {Wind::socket_client_gone, join({e.address, number(e.port), number(e.server),
                                                  number(e.client), number(e.reason)})};
        }
        if constexpr (std::is_same_v<E, net::ServerData>) {
          return {Wind::pending_data,
                  join({number(e.server), number(e.client), number(e.received), number(e.total)})};
        }
        if constexpr (std::is_same_v<E, net::ServerDropped>) {
          return {Wind::socket_dropping_data,
                  join({number(e.server), number(e.client), number(e.bytes)})};
        }
        if constexpr (std::is_same_v<E, net::ServerClientRefused>) {
          return {Wind::sockd_dropping_client, number(e.server)};
        }
        if constexpr (std::is_same_v<E, net::TimeDelivered>) {
          return {Wind::ntp_delivery, ntp_fields(e.seconds)};
        }
        if constexpr (std::is_same_v<E, net::MqttPublished>) {
          // %u:%s:%u:%u:%u:%u:%u:%*s, the chunk's raw bytes last (spec §3.10).
          return {Wind::mqtt_published,
                  join({number(e.id), e.topic, number(e.qos), number(e.retained ? 1 : 0),
                        number(e.duplicate ? 1 : 0), number(e.chunk.size()),
                        number(e.message_length), e.chunk})};
        }
        if constexpr (std::is_same_v<E, net::MqttClosed>) {
          return {Wind::mqtt_closed, join({number(e.id), number(e.reason)})};
        }
        if constexpr (std::is_same_v<E, net::WebSocketData>) {
          return {Wind::websocket_data,
                  join({number(e.id), number(e.last_frame), number(e.last_fragment),
                        number(e.received), number(e.total)})};
        }
        if constexpr (std::is_same_v<E, net::WebSocketClosed>) {
          return {Wind::websocket_closed, number(e.id)};  // ≈ ":%u" (spec §5)
        }
        if constexpr (std::is_same_v<E, net::FileReceived>) {
          return {Wind::file_received, ":" + e.name};  // ≈ "::%s" (spec §5)
        }
      },
      event);
}

}  // namespace spwf::atcmd
