#pragma once
// Every string the module puts on the wire lives in the tables behind this header (Wire.cpp):
// error numbers and texts (spec §4), +WIND numbers and texts (§5), response labels (§2.6),
// and the boot identity strings. A correction to the spec is a one-line change in Wire.cpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace spwf::atcmd {

/// How sure the spec is of an entry (✔ fact, ≈ inferred, ? guess).
enum class Confidence { fact, inferred, guess };

/// The module's error numbers (spec §4); `none` means success.
enum class AtError : std::uint8_t {
  none = 0,
  command_not_found = 1,
  missing_arguments = 2,
  variable_not_found = 4,
  too_many_arguments = 6,
  invalid_arguments = 7,
  invalid_value = 8,
  cannot_switch_to_python = 16,
  radio_enabled = 17,
  radio_not_running = 18,
  gpio_direction = 19,
  gpio_number = 20,
  gpio6_sleep = 21,
  gpio_interrupt_wps = 22,
  gpio10_blink = 23,
  gpio_spi = 24,
  gpio_interrupt_set = 25,
  dac_voltage = 26,
  pwm_frequency = 27,
  pwm_duty_cycle = 28,
  pwm_not_running = 29,
  argument_too_large = 32,
  argument_zero = 33,
  wps_pin_digits = 39,
  scan_in_progress = 40,
  scan_failed = 41,
  hardware_busy = 42,
  hardware_starting = 43,
  wait_for_connection_up = 44,
  pwm_setting = 45,
  adc_failed = 46,
  filesystem_access = 50,
  file_open = 51,
  file_seek = 52,
  file_read = 53,
  file_close = 54,
  file_rename = 55,
  file_delete = 56,
  directory_open = 57,
  directory_read = 58,
  volume_mount = 59,
  ip_not_ready = 60,
  cannot_renew = 61,
  renew_failed = 62,
  dns_busy = 63,
  dns_start_failed = 64,
  dns_address_failure = 65,
  cannot_update_datetime = 66,
  wps_sta_only = 67,
  closing_socket = 71,
  closed_socket = 72,
  port_already_opened = 73,
  failed_to_open_socket = 74,
  too_many_sockets = 75,
  illegal_socket_id = 76,
  pending_data = 77,
  socket_not_connected = 78,
  write_failed = 79,
  http_no_instance = 80,
  http_busy = 81,
  http_release_failed = 82,
  low_memory = 91,
  scan_aborted = 99,
  flash_read_failed = 100,
  flash_write_failed = 101,
  request_failed = 111,
};

/// The exact text of an error number ("Command not found"); empty for `none`.
std::string_view error_text(AtError error);
/// All error numbers the firmware can print, for docs and tests.
struct ErrorEntry {
  AtError error;
  std::string_view text;
  Confidence confidence;  ///< of the "when" column
};
std::span<const ErrorEntry> error_table();

/// +WIND numbers the emulator raises or the spec names (spec §5).
enum class Wind : std::uint8_t {
  console_active = 0,
  poweron = 1,
  reset = 2,
  watchdog_running = 3,
  low_memory = 4,
  hardware_failure = 5,
  configuration_failure = 7,
  hard_fault = 8,
  copyright = 13,
  bss_regained = 14,
  signal_low = 15,
  signal_ok = 16,
  join = 19,
  join_failed = 20,
  scanning = 21,
  wifi_up = 24,
  association_successful = 25,
  started_ap = 26,
  station_associated = 28,
  dhcp_reply = 29,
  bss_lost = 30,
  hardware_started = 32,
  network_lost = 33,
  scan_complete = 35,
  powered_down = 38,
  deauthentication = 40,
  disassociation = 41,
  wpa_crunching_psk = 46,
  wpa_terminated = 49,
  wpa_handshake_complete = 51,
  gpio_interrupt = 52,
  pending_data = 55,
  socket_closed = 58,
  incoming_socket_client = 61,
  socket_client_gone = 62,
  socket_dropping_data = 63,
  factory_reset = 65,
  low_power_mode = 66,
  going_into_standby = 67,
  resuming_from_standby = 68,
  station_disassociated = 72,
  system_configuration_updated = 73,
  wps_generating_dh_keyset = 81,
  wps_timed_out = 82,
  sockd_dropping_client = 83,
  ntp_delivery = 84,
  mqtt_published = 86,
  mqtt_closed = 87,
  websocket_data = 88,
  websocket_closed = 89,
  file_received = 90,
};

/// The exact text of an indication ("Console active").
std::string_view wind_text(Wind wind);

/// Response labels (the part after "AT-S."), spec §2.6 and the command sections.
namespace label {
inline constexpr std::string_view ok = "OK";
inline constexpr std::string_view error = "ERROR";
inline constexpr std::string_view var = "Var";
inline constexpr std::string_view command = "Command";
inline constexpr std::string_view time = "Time";
inline constexpr std::string_view on = "On";
inline constexpr std::string_view query = "Query";
inline constexpr std::string_view list = "List";
inline constexpr std::string_view reading = "Reading";
inline constexpr std::string_view read_cap = "Read Cap";
inline constexpr std::string_view empty = "Empty";
inline constexpr std::string_view parsing_networks = "Parsing Networks";
inline constexpr std::string_view loading = "Loading";
inline constexpr std::string_view skip_ca = "Skip CA";
inline constexpr std::string_view certificate_error = "Certificate Error";
inline constexpr std::string_view subject_key_id = "SubjectKeyId";
inline constexpr std::string_view no_subject_key_id = "No SubjectKeyId";
inline constexpr std::string_view clean = "Clean";
inline constexpr std::string_view ca = "CA";
inline constexpr std::string_view cert = "Cert";
inline constexpr std::string_view key = "Key";
inline constexpr std::string_view id = "Id";
inline constexpr std::string_view http_status = "Http Server Status Code";
inline constexpr std::string_view http_client_error = "Http Client Error";
inline constexpr std::string_view http_server_error = "Http Server Error";
inline constexpr std::string_view file = "File";
inline constexpr std::string_view free_ram_disk = "Free RAM Disk";
inline constexpr std::string_view free_vol_disk = "Free VOL Disk";
inline constexpr std::string_view free_ext_disk = "Free EXT Disk";
/// AT+S.HASH result labels, by algorithm number 0..3 (spec §3.9, ? adopted).
inline constexpr std::string_view sha1 = "SHA1";
inline constexpr std::string_view sha224 = "SHA224";
inline constexpr std::string_view sha256 = "SHA256";
inline constexpr std::string_view md5 = "MD5";
inline constexpr std::string_view ping_start = "Start";
inline constexpr std::string_view ping_reply = "Reply";
inline constexpr std::string_view ping_timeout = "Timeout";
inline constexpr std::string_view ping_stop = "Stop";
inline constexpr std::string_view request_error = "Request Error";
/// AT+S.SMTP: the server refused the mail (a 4xx/5xx reply; spec §3.12 ?, an I line without
/// fields). The other SMTP failures print request_error.
inline constexpr std::string_view server_error = "Server Error";
/// WSOCKON failures other than DNS and TLS (spec §3.11 ?, an I line without fields).
inline constexpr std::string_view websocket_client_error = "WebSocket Client Error";
/// AT+S.GPIOR and AT+S.ADC results (spec §3.15, §9 Q41).
inline constexpr std::string_view value = "Value";
/// AT+S.FWUPDATE/FSUPDATE failure lines (spec §3.14: labels present in the firmware, all I
/// lines; ? when each is printed is adopted, see wire::update).
inline constexpr std::string_view write_chunk = "Write chunk";
inline constexpr std::string_view update_timeout = "Timeout";
inline constexpr std::string_view disconnected = "Disconnected";
}  // namespace label

/// Why the HTTP client gave up (spec §3.8); each has the number printed in
/// "AT-S.Http Client Error:<n>".
enum class HttpClientFailure {
  connect_failed,  ///< refused, unreachable, connect timeout, denied
  tls_failed,      ///< the TLS handshake failed (with or without a certificate verdict)
  send_failed,     ///< the request could not be written
  no_response,     ///< the connection ended before a complete response head
  bad_response,    ///< the response head was malformed or too large
  read_failed,     ///< the connection failed during the body
  timed_out,       ///< the server was silent for the idle timeout
};
/// The number of a failure and how sure the spec is of it.
struct HttpClientErrorEntry {
  HttpClientFailure failure;
  unsigned number;
  Confidence confidence;
};
/// The number printed for `failure` ("AT-S.Http Client Error:1" when the connection is refused).
unsigned http_client_error_number(HttpClientFailure failure);
/// The whole table, for docs and tests.
std::span<const HttpClientErrorEntry> http_client_error_table();
/// A response status from this value on adds "AT-S.Http Server Error:<status>" and ends the
/// command with 111 instead of OK (spec §3.8).
inline constexpr unsigned http_error_status = 400;

/// What the MQTT commands answer for each kind of failure (spec §3.10, §9 Q38; the module's
/// choices are not known: each is the adopted reading).
namespace wire::mqtt {
/// ? A third MQTT/WebSocket client: no free instance. 75 is what the module answers when its
/// socket ids run out, and WSOCKON, which shares the instances, lists it (§3.1).
inline constexpr AtError no_free_instance = AtError::too_many_sockets;
/// ≈ The broker's TCP connection failed (refused, unreachable, timed out, denied): §3.1 lists 74.
inline constexpr AtError connect_failed = AtError::failed_to_open_socket;
/// ? TLS handshake failure (after its Certificate Error line), CONNACK refused or missing, a
/// refused SUBSCRIBE, no acknowledgement, the connection gone (§3.10: "Failures ... 111").
inline constexpr AtError request_failed = AtError::request_failed;
/// ? MQTTCONN with a <path> (MQTT over WebSocket) whose server refused the WebSocket upgrade.
inline constexpr AtError websocket_refused = AtError::request_failed;
}  // namespace wire::mqtt

/// What AT+S.SMTP answers for each kind of failure (spec §3.12, §9 Q38; ? the module's choices
/// are not known: each is the adopted reading, unverified). The message the emulator writes has
/// the headers From, To and Subject only, in that order (? unverified; see net::SmtpClient).
namespace wire::smtp {
/// ≈ The server's name does not resolve: 65, as HTTP (§3.8).
inline constexpr AtError name_not_resolved = AtError::dns_address_failure;
/// ? The server answered 4xx/5xx: I "Server Error", then 111. Anything else (refused, closed,
/// silent, malformed, TLS after its Certificate Error line): I "Request Error", then 111.
inline constexpr AtError request_failed = AtError::request_failed;
}  // namespace wire::smtp
/// What the TFTP commands answer for each kind of failure (spec §3.13, §9 Q38; the module's
/// choices beyond "failures → 111, 51 for a missing local file" are not known). No information
/// line precedes the error: the module's text for it is not known (the server's ERROR packet,
/// its code and message, go to the log and the trace).
namespace wire::tftp {
/// ≈ The server's name did not resolve: 65, as for HTTP and SOCKON (§4).
inline constexpr AtError name_not_resolved = AtError::dns_address_failure;
/// ? No answer after every retry, an ERROR packet from the server (file not found, access
/// violation ...), a destination --allow/--deny refuse, a broken exchange (§3.13: "Failures →
/// 111").
inline constexpr AtError request_failed = AtError::request_failed;
/// ≈ TFTPPUT's <UpFile> does not exist (§3.13: 51).
inline constexpr AtError missing_local_file = AtError::file_open;
/// ? An empty <host> or remote file name, or a port above 65535.
inline constexpr AtError bad_parameter = AtError::invalid_arguments;
}  // namespace wire::tftp
/// What AT+S.FWUPDATE and AT+S.FSUPDATE answer (spec §3.14, §9 Q39). ? Adopted: no I line on
/// success; every failure ends with 111 after its I line: the HTTP client's own failures as
/// HTTPGET prints them ("Http Client Error:<n>", after "Certificate Error:<n>" for TLS), a status
/// from 400 on "Http Server Error:<status>" (no status-code line), a silent server "Timeout", a
/// connection lost or a body cut short of its announced length "Disconnected", an image the
/// update area cannot hold (or a flash write failure) "Write chunk".
namespace wire::update {
inline constexpr AtError failed = AtError::request_failed;  // ? unverified
/// ? An encrypted firmware image (a name ending in this suffix) while aes128_key is still the
/// factory all-zero key: refused before any connection with 111 and no I line (unverified).
inline constexpr std::string_view encrypted_suffix = ".sfota";
inline constexpr AtError missing_key = AtError::request_failed;  // ? unverified
/// The first field: FWUPDATE knows only 'e'; FSUPDATE 'i' (internal), 'e' (external), 'x' (?).
inline constexpr std::string_view firmware_targets = "e";
inline constexpr std::string_view filesystem_targets = "iex";
}  // namespace wire::update

/// AT+S.SCAN result lines (spec §3.4.3). The firmware's format is
/// "%u:\t%s%s %m CHAN: %02d RSSI: %03d SSID: '%s' CAPS: %04x %s%s%s"; its %m (the BSSID) is
/// passed here as an already formatted %s, since %m means something else to the C library.
namespace scan {
inline constexpr char line_format[] =
    "%u:\t%s%s %s CHAN: %02u RSSI: %03d SSID: '%s' CAPS: %04x %s%s%s";
inline constexpr std::string_view hidden_network = "Hidden-Network";
inline constexpr std::string_view infrastructure = " BSS";
inline constexpr std::string_view flag_wps = "WPS ";
inline constexpr std::string_view flag_wpa = "WPA ";
inline constexpr std::string_view flag_wpa2 = "WPA2 ";
}  // namespace scan

/// AT+S.FSL file lines (spec §3.9): the firmware's format, volume digit, size and name (✔ format,
/// ? meaning of the first field).
namespace file_list {
inline constexpr char line_format[] = "%c\t%d\t%s";
}  // namespace file_list

/// Names printed in "AT-S.Var:" lines by commands other than GCFG/STS.
namespace var_name {
inline constexpr std::string_view ssidtxt = "ssidtxt";  ///< AT+S.SSIDTXT without argument
/// AT+S.PEERS variables, in the order they are listed (spec §3.4.4, §9 Q21).
inline constexpr std::string_view peer_link_id = "link_id";
inline constexpr std::string_view peer_state = "state";
inline constexpr std::string_view peer_addr = "addr";
inline constexpr std::string_view peer_last_rx = "last_rx";
inline constexpr std::string_view peer_rx_rssi = "rx_rssi";
}  // namespace var_name

/// Identity strings of firmware 1.1.0 (spec §2.9, §5).
namespace firmware {
inline constexpr std::string_view build = "171117-0328fe3-SPWF04S";  ///< +WIND:1 field
inline constexpr std::string_view version = "1.1.0";                 ///< fw_version
inline constexpr std::string_view boot_version = "1.0";              ///< boot_version
inline constexpr std::string_view watchdog_seconds = "20";           ///< +WIND:3 field
}  // namespace firmware

/// Prefix of every module line and of indications.
inline constexpr std::string_view line_prefix = "AT-S.";
inline constexpr std::string_view wind_prefix = "+WIND";
inline constexpr std::string_view line_end = "\r\n";
/// Lines are built in a 128-byte buffer (spec §2.6): longer content is cut to fit.
inline constexpr std::size_t line_buffer_size = 128;

}  // namespace spwf::atcmd
