#pragma once
// Everything the emulated module holds between commands: the RAM configuration, the flash, the
// clock, the random number, and (later) the radio and sockets. Commands reach the rest of the
// emulator only through this object.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "atcmd/CertificateBank.hpp"
#include "atcmd/CommandOverrides.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/Peripherals.hpp"
#include "config/ConfigStore.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "config/ModuleFileSystem.hpp"
#include "config/UpdateImages.hpp"
#include "netstack/ClientInstances.hpp"
#include "netstack/ClientSockets.hpp"
#include "netstack/HostMapper.hpp"
#include "netstack/MqttClients.hpp"
#include "netstack/NetEvents.hpp"
#include "netstack/ServerSockets.hpp"
#include "netstack/TftpServer.hpp"
#include "netstack/WebSocketClients.hpp"
#include "netstack/WifiLink.hpp"
#include "support/ModuleClock.hpp"
#include "tls/CertificateStore.hpp"

namespace spwf::atcmd {

/// The emulated module's state and the services its commands use.
class ModuleState {
 public:
  ModuleState(boost::asio::any_io_executor executor, config::EmulatorConfig settings,
              config::FlashStore& flash, net::LinkPacing pacing);
  ModuleState(const ModuleState&) = delete;
  ModuleState& operator=(const ModuleState&) = delete;

  /// Where network and radio events go (the Session turns them into +WIND lines).
  void set_event_sink(net::NetEventSink sink) { m_sink = std::move(sink); }
  boost::asio::any_io_executor executor() const { return m_executor; }
  net::WifiLink& link() { return m_link; }
  const net::WifiLink& link() const { return m_link; }
  net::ClientSockets& sockets() { return m_sockets; }
  /// The socket servers (SOCKDON ...).
  net::ServerSockets& servers() { return m_servers; }
  /// The instances MQTT and WebSocket clients share (spec §3.10).
  net::ClientInstances& client_instances() { return m_client_instances; }
  /// The MQTT clients on those instances (MQTTCONN ... MQTTDISC).
  net::MqttClients& mqtt_clients() { return m_mqtt_clients; }
  /// Raises a network event as the network side does (MQTT clients report through this).
  void raise(const net::NetEvent& event) { forward(event); }
  /// The WebSocket clients (WSOCKON ..., spec §3.11), on instances from client_instances().
  net::WebSocketClients& websockets() { return m_websockets; }
  const net::HostMapper& mapper() const { return m_mapper; }
  /// The network fault rules (--faults, the control interface); kept across resets.
  config::FaultRules& faults() { return m_faults; }
  /// Command overrides (the control interface); kept across resets.
  CommandOverrides& overrides() { return m_overrides; }
  /// Starts the radio with the configuration variables as they are now (boot, AT+S.WIFI=1).
  void start_radio();
  /// The NTP query (AT+S.NTP, and after WiFi Up with ip_ntp_startup=1): the emulator's time
  /// server is the host's clock; the module clock is set and +WIND:84 raised.
  void synchronise_clock();
  /// True when the link reaches beyond the module (a station joined to an access point; a miniAP
  /// is the network itself and reaches no time server).
  bool has_upstream() const;

  config::ConfigStore& config() { return m_config; }
  const config::ConfigStore& config() const { return m_config; }
  config::FlashStore& flash() { return m_flash; }
  /// The module's file-system volumes (FSC, FSL, ...; the TLS store's file lookup).
  config::ModuleFileSystem& files() { return m_files; }
  const config::ModuleFileSystem& files() const { return m_files; }
  /// The images FWUPDATE/FSUPDATE downloaded (state directory, update/).
  config::UpdateImages& updates() { return m_updates; }
  /// The text AT+S.INPUTSSI set for the web server's input SSI tag (RAM: empty after power-on).
  const std::string& input_ssi() const { return m_input_ssi; }
  void set_input_ssi(std::string text) { m_input_ssi = std::move(text); }
  const config::EmulatorConfig& settings() const { return m_settings; }
  ModuleClock& clock() { return m_clock; }
  /// GPIO, DAC and PWM state (AT+S.GPIOC ... AT+S.PWM); reset at power-on.
  Peripherals& peripherals() { return m_peripherals; }
  /// The TLS certificate store (AT+S.TLSCERT flash slots).
  tls::CertificateStore& certificates() { return m_tls_certificates.store(); }
  const tls::CertificateStore& certificates() const { return m_tls_certificates.store(); }
  /// The TLSCERT slots with their flash copies.
  CertificateBank& tls_certificates() { return m_tls_certificates; }
  /// The WPA-Enterprise supplicant's slots (AT+S.WPAECERT) with their flash copies.
  CertificateBank& wpa_certificates() { return m_wpa_certificates; }

  /// Power-on or reset: RAM configuration = factory values + what WCFG saved; clock at 0;
  /// peripherals back to inputs; every volume mounted and the RAM disk emptied.
  /// A firmware image FWUPDATE left pending is "applied": logged and moved aside, the
  /// firmware's identity unchanged (spec §3.14 ?); the INPUTSSI text is lost.
  /// Returns an error text when the saved configuration could not be used (it is left as is).
  std::optional<std::string> power_on();

  /// AT+S.RANDOM: draws and remembers a new 32-bit random number.
  std::uint32_t draw_random();
  /// The current wifi_state (spec §2.10).
  std::uint32_t wifi_state() const { return m_link.state(); }
  /// The module's heap as modelled (free_heap in STS and the verbose OK line, Low Memory).
  HeapModel& heap() { return m_heap; }
  /// Bytes free in the modelled heap.
  std::uint32_t free_heap() const { return m_heap.free(); }
  /// TLS client sessions open now: SOCKON's TLS sockets and the application clients' sessions.
  unsigned tls_clients() const;
  /// One TLS client session for an application client (HTTP, MQTT, WebSocket), held until the
  /// last copy goes; null when limits::tls_clients are open (spec §3.5). A token from before a
  /// power-on gives back nothing.
  std::shared_ptr<void> take_tls_client();
  /// Closes every client socket, WebSocket and MQTT client without indications and gives their
  /// heap back (radio off).
  void close_client_sockets();
  /// The printed value of a status variable (spec §6.3), or nullopt for an unknown name.
  std::optional<std::string> status_value(std::string_view name) const;

 private:
  /// The configuration part of power_on.
  std::optional<std::string> load_configuration();
  /// The update part of power_on (pending firmware, INPUTSSI text).
  void apply_pending_updates();
  /// Loads the certificate slots from the flash (power-on).
  void restore_certificates();
  void forward(const net::NetEvent& event);
  /// Starts the TFTP server when the IPv4 link comes up with ip_use_tftpd=1; stops it when the
  /// link is down.
  void follow_link_for_tftp(const net::NetEvent& event);
  /// The module's files as the TFTP server uses them (a received file raises +WIND:90).
  net::TftpServerFiles tftp_server_files();

  boost::asio::any_io_executor m_executor;
  config::EmulatorConfig m_settings;
  config::FlashStore& m_flash;
  config::ConfigStore m_config;
  config::ModuleFileSystem m_files;
  config::UpdateImages m_updates{m_flash};
  std::string m_input_ssi;
  ModuleClock m_clock;
  Peripherals m_peripherals;
  HeapModel m_heap;
  CertificateBank m_tls_certificates{m_flash, "tls"};
  CertificateBank m_wpa_certificates{m_flash, "wpae"};
  std::uint32_t m_random_number = 0;
  net::NetEventSink m_sink;
  config::FaultRules m_faults;
  CommandOverrides m_overrides;
  net::HostMapper m_mapper;
  net::WifiLink m_link;
  net::ClientSockets m_sockets;
  net::ServerSockets m_servers;
  net::ClientInstances m_client_instances;
  net::MqttClients m_mqtt_clients{m_client_instances};
  net::WebSocketClients m_websockets;
  net::TftpServer m_tftp_server;
  net::LinkPacing m_pacing;
  boost::asio::steady_timer m_ntp_timer;
  std::uint32_t m_power_cycles = 0;
  unsigned m_tls_tokens = 0;           ///< application clients' TLS sessions
  std::uint64_t m_tls_generation = 0;  ///< counts power-ons, so old tokens free nothing
};

}  // namespace spwf::atcmd
