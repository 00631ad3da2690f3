#pragma once
// What the network side reports to the console (which turns it into +WIND lines). netstack never
// formats AT text; atcmd maps each event to its indication.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

namespace spwf::net {

/// The radio was switched on (+WIND:32).
struct RadioStarted {};
/// The radio was switched off (+WIND:38).
struct RadioStopped {};
/// The WPA supplicant task ended (+WIND:49 "WPA Terminated:<status>"); the module reports it,
/// with status 0, whenever AT+S.WIFI=0 switches a running radio off (spec §3.4.1).
struct SupplicantTerminated {
  int status = 0;
};
/// A join attempt started scanning (+WIND:21) / finished the scan (+WIND:35).
struct ScanStarted {};
struct ScanCompleted {};
/// Joining the access point with this BSSID (+WIND:19).
struct JoinStarted {
  std::string bssid;
};
/// 802.11 association done (+WIND:25).
struct Associated {
  std::string ssid;
};
/// WPA 4-way handshake done (+WIND:51).
struct HandshakeCompleted {};
/// Deauthenticated, e.g. wrong passphrase (+WIND:40).
struct Deauthenticated {
  unsigned reason = 0;
};
/// The miniAP is up (+WIND:26).
struct AccessPointStarted {
  std::string ssid;
};
/// An IPv4 (+WIND:24 ":0:<ip>") or IPv6 (+WIND:24 "::<ip>") address is ready.
struct LinkUp {
  std::string address;
  bool ipv6 = false;
};
/// The link was lost (+WIND:33).
struct LinkLost {};
/// The joined access point's signal fell below wifi_rssi_thresh (+WIND:15, the RSSI) or came
/// back above it (+WIND:16).
struct SignalLow {
  int rssi = 0;
};
struct SignalOk {};
/// Data arrived on a client socket (+WIND:55 client form).
struct SocketData {
  unsigned id = 0;
  std::size_t received = 0;
  std::size_t total = 0;
};
/// The peer closed a client socket (+WIND:58); reason 0 orderly, 1 reset or error.
struct SocketClosed {
  unsigned id = 0;
  unsigned reason = 0;
};
/// Data that did not fit were dropped (+WIND:63 client form).
struct SocketDropped {
  unsigned id = 0;
  std::size_t bytes = 0;
};
/// A client arrived at a server (+WIND:61).
struct ServerClientArrived {
  unsigned server = 0;
  unsigned client = 0;
  std::string address;
  std::uint16_t port = 0;
};
/// A server's client left (+WIND:62).
struct ServerClientGone {
  unsigned server = 0;
  unsigned client = 0;
  std::string address;
  std::uint16_t port = 0;
  unsigned reason = 0;
};
/// Data arrived from a server's client (+WIND:55 server form).
struct ServerData {
  unsigned server = 0;
  unsigned client = 0;
  std::size_t received = 0;
  std::size_t total = 0;
};
/// A server's client data were dropped (+WIND:63 server form).
struct ServerDropped {
  unsigned server = 0;
  unsigned client = 0;
  std::size_t bytes = 0;
};
/// A server refused a client because it had no free slot (+WIND:83).
struct ServerClientRefused {
  unsigned server = 0;
};

/// The NTP query delivered the time (+WIND:84); seconds since 1970, UTC.
struct TimeDelivered {
  std::uint64_t seconds = 0;
};

/// One chunk of a message the MQTT broker delivered (+WIND:86): at most limits::mqtt_wind_chunk
/// payload bytes, in order; `message_length` is the whole payload's size (spec §3.10).
struct MqttPublished {
  unsigned id = 0;
  std::string topic;
  unsigned qos = 0;
  bool retained = false;
  bool duplicate = false;
  std::size_t message_length = 0;
  std::string chunk;
};
/// The broker closed the connection or stopped answering (+WIND:87); reason 0 orderly, 1 error.
struct MqttClosed {
  unsigned id = 0;
  unsigned reason = 0;
};
/// A piece of a WebSocket message arrived (+WIND:88): the flags a WSOCKW would carry to send
/// the same piece, the bytes just received and the total waiting.
struct WebSocketData {
  unsigned id = 0;
  unsigned last_frame = 0;
  unsigned last_fragment = 0;
  std::size_t received = 0;
  std::size_t total = 0;
};
/// The server closed a WebSocket, or its connection failed (+WIND:89).
struct WebSocketClosed {
  unsigned id = 0;
};

/// The module's TFTP server stored a file a client sent (+WIND:90 "File Received::<name>").
struct FileReceived {
  std::string name;
};

/// Every event the network side can report.
using NetEvent =
    std::variant<RadioStarted, RadioStopped, SupplicantTerminated, ScanStarted, ScanCompleted,
                 JoinStarted, Associated, HandshakeCompleted, Deauthenticated, AccessPointStarted,
                 LinkUp, LinkLost, SignalLow, SignalOk, SocketData, SocketClosed, SocketDropped,
                 ServerClientArrived, ServerClientGone, ServerData, ServerDropped,
                 ServerClientRefused, TimeDelivered, MqttPublished, MqttClosed, WebSocketData,
                 WebSocketClosed, FileReceived>;

/// Receives events; set by the console when it starts.
using NetEventSink = std::function<void(const NetEvent&)>;

}  // namespace spwf::net
