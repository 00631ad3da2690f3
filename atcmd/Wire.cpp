// The wire tables: error numbers and texts (spec §4) and +WIND texts (spec §5). One line per
// entry, so that a correction to the spec is a one-line change here. Rows the spec tags ≈ or ?
// keep that tag as a trailing comment so the uncertain entries can be listed with grep.

#include "atcmd/Wire.hpp"

#include <iterator>

namespace spwf::atcmd {

namespace {

using enum Confidence;

// Spec §4, in the spec's order. The texts are all facts (read from the FW image); the
// confidence is that of the "when" column, which is ≈ unless the spec marks it ✔.
// clang-format off
constexpr ErrorEntry error_entries[] = {
    {AtError::command_not_found, "Command not found", fact},
    {AtError::missing_arguments, "Missing argument(s)", fact},
    {AtError::variable_not_found, "Variable not found", inferred},  // ≈
    {AtError::too_many_arguments, "Too many argument(s)", fact},
    {AtError::invalid_arguments, "Invalid argument(s)", fact},
    {AtError::invalid_value, "Invalid value", guess},  // ?
    {AtError::cannot_switch_to_python, "Cannot switch to Python shell", inferred},  // ≈
    {AtError::radio_enabled, "Radio enabled", inferred},  // ≈
    {AtError::radio_not_running, "Radio not running", fact},
    {AtError::gpio_direction, "Direction must be 'in' or 'out'", inferred},  // ≈
    {AtError::gpio_number, "Invalid GPIO Num (0-15)", inferred},  // ≈
    {AtError::gpio6_sleep, "Cannot use GPIO6 when sleep_enabled", inferred},  // ≈
    {AtError::gpio_interrupt_wps, "Cannot use interrupt. Reserved for WPS feature", inferred},  // ≈
    {AtError::gpio10_blink, "Cannot use GPIO10 when blink_led", inferred},  // ≈
    {AtError::gpio_spi, "Cannot use when SPI", inferred},  // ≈
    {AtError::gpio_interrupt_set, "Interrupt line already set", inferred},  // ≈
    {AtError::dac_voltage, "Output voltage not allowed", inferred},  // ≈
    {AtError::pwm_frequency, "Frequency not supported", inferred},  // ≈
    {AtError::pwm_duty_cycle, "Duty cycle not supported", inferred},  // ≈
    {AtError::pwm_not_running, "PWM not running", inferred},  // ≈
    {AtError::argument_too_large, "Argument exceeds allowed size", inferred},  // ≈
    {AtError::argument_zero, "Argument evaluated to zero", fact},
    {AtError::wps_pin_digits, "PIN needs to be 7 digits", inferred},  // ≈
    {AtError::scan_in_progress, "Scan in Progress", inferred},  // ≈
    {AtError::scan_failed, "Scan Failed", inferred},  // ≈
    {AtError::hardware_busy, "Wait for Hardware Busy", inferred},  // ≈
    {AtError::hardware_starting, "Wait for Hardware Starting", inferred},  // ≈
    {AtError::wait_for_connection_up, "Wait for Connection Up", fact},
    {AtError::pwm_setting, "Unable to complete PWM setting", inferred},  // ≈
    {AtError::adc_failed, "ADC conversion failed", inferred},  // ≈
    {AtError::filesystem_access, "Unable to access filesystem", inferred},  // ≈
    {AtError::file_open, "Unable to open file", inferred},  // ≈
    {AtError::file_seek, "Unable to seek file", inferred},  // ≈
    {AtError::file_read, "Unable to read file", inferred},  // ≈
    {AtError::file_close, "Unable to close file", inferred},  // ≈
    {AtError::file_rename, "Unable to rename file", inferred},  // ≈
    {AtError::file_delete, "Unable to delete file", inferred},  // ≈
    {AtError::directory_open, "Unable to open directory", inferred},  // ≈
    {AtError::directory_read, "Unable to read directory", inferred},  // ≈
    {AtError::volume_mount, "Unable to (un)mount volume", inferred},  // ≈
    {AtError::ip_not_ready, "IP not ready to send", inferred},  // ≈
    {AtError::cannot_renew, "Cannot renew IP address", inferred},  // ≈
    {AtError::renew_failed, "Failed to renew IP address", inferred},  // ≈
    {AtError::dns_busy, "DNS busy", inferred},  // ≈
    {AtError::dns_start_failed, "DNS start failed", inferred},  // ≈
    {AtError::dns_address_failure, "DNS address failure", inferred},  // ≈
    {AtError::cannot_update_datetime, "Cannot update DateTime", inferred},  // ≈
    {AtError::wps_sta_only, "WPS only allowed on STA mode", inferred},  // ≈
    {AtError::closing_socket, "Closing socket", inferred},  // ≈
    {AtError::closed_socket, "Closed socket", inferred},  // ≈
    {AtError::port_already_opened, "Port already opened", inferred},  // ≈
    {AtError::failed_to_open_socket, "Failed to open socket", fact},
    {AtError::too_many_sockets, "Too many sockets", fact},
    {AtError::illegal_socket_id, "Illegal Socket ID", fact},
    {AtError::pending_data, "Pending data", fact},
    {AtError::socket_not_connected, "Socket not connected", fact},
    {AtError::write_failed, "Write failed", inferred},  // ≈
    {AtError::http_no_instance, "No valid HTTP Client Instance ID", inferred},  // ≈
    {AtError::http_busy, "HTTP Client busy", inferred},  // ≈
    {AtError::http_release_failed, "Failed to release HTTP Client Instance", inferred},  // ≈
    {AtError::low_memory, "Low Memory", fact},
    {AtError::scan_aborted, "Scan Aborted", inferred},  // ≈
    {AtError::flash_read_failed, "Failed to read flash", fact},
    {AtError::flash_write_failed, "Failed to write flash", inferred},  // ≈
    {AtError::request_failed, "Request failed", inferred},  // ≈
};
// clang-format on
static_assert(std::size(error_entries) == 65, "spec §4 lists 65 error numbers");

// Spec §3.8: "Http Client Error:<n>". 1 (refused) and 2 (after a TLS verdict) were seen on real
// modules; the other numbers are the emulator's own choice until a log shows the module's.
// clang-format off
constexpr HttpClientErrorEntry http_client_errors[] = {
    {HttpClientFailure::connect_failed, 1, fact},
    {HttpClientFailure::tls_failed, 2, fact},  // ✔ after a certificate verdict; ? without one
    {HttpClientFailure::send_failed, 3, guess},  // ? unverified
    {HttpClientFailure::no_response, 4, guess},  // ? unverified
    {HttpClientFailure::bad_response, 5, guess},  // ? unverified
    {HttpClientFailure::read_failed, 6, guess},  // ? unverified
    {HttpClientFailure::timed_out, 7, guess},  // ? unverified
};
// clang-format on

}  // namespace

unsigned http_client_error_number(HttpClientFailure failure) {
  for (const HttpClientErrorEntry& entry : http_client_errors) {
    if (entry.failure == failure) return entry.number;
  }
  return 0;
}

std::span<const HttpClientErrorEntry> http_client_error_table() {
  return http_client_errors;
}

std::string_view error_text(AtError error) {
  for (const ErrorEntry& entry : error_entries) {
    if (entry.error == error) return entry.text;
  }
  return {};
}

std::span<const ErrorEntry> error_table() {
  return error_entries;
}

std::string_view wind_text(Wind wind) {
  // A switch rather than a table so that -Wswitch flags an enumerator without a text.
  // All texts are facts (spec §5); the trailing tags concern the indication's fields.
  // clang-format off
  switch (wind) {
    case Wind::console_active: return "Console active";
    case Wind::poweron: return "Poweron";
    case Wind::reset: return "Reset";
    case Wind::watchdog_running: return "Watchdog Running";
    case Wind::low_memory: return "Low Memory";
    case Wind::hardware_failure: return "WiFi Hardware Failure";
    case Wind::configuration_failure: return "Configuration Failure";
    case Wind::hard_fault: return "Hard Fault";
    case Wind::copyright: return "Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights Reserved";
    case Wind::bss_regained: return "WiFi BSS Regained";
    case Wind::signal_low: return "WiFi Signal Low";
    case Wind::signal_ok: return "WiFi Signal Ok";
    case Wind::join: return "WiFi Join";
    case Wind::join_failed: return "WiFi Join Failed";  // ? a variant "Join Failed:Setting" exists
    case Wind::scanning: return "WiFi Scanning";
    case Wind::wifi_up: return "WiFi Up";
    case Wind::association_successful: return "WiFi Association successful";
    case Wind::started_ap: return "Started AP";
    case Wind::station_associated: return "Station Associated";
    case Wind::dhcp_reply: return "DHCP Reply";  // ? no space before the address (§9 Q40)
    case Wind::bss_lost: return "WiFi BSS Lost";
    case Wind::hardware_started: return "WiFi Hardware Started";
    case Wind::network_lost: return "WiFi Network Lost";
    case Wind::scan_complete: return "WiFi Scan Complete";
    case Wind::powered_down: return "WiFi Powered Down";
    case Wind::deauthentication: return "WiFi Deauthentication";
    case Wind::disassociation: return "WiFi Disassociation";
    case Wind::wpa_crunching_psk: return "WPA Crunching PSK";
    case Wind::wpa_terminated: return "WPA Terminated";
    case Wind::wpa_handshake_complete: return "WPA Handshake Complete";
    case Wind::gpio_interrupt: return "GPIO Interrupt";
    case Wind::pending_data: return "Pending Data";
    case Wind::socket_closed: return "Socket Closed";
    case Wind::incoming_socket_client: return "Incoming Socket Client";
    case Wind::socket_client_gone: return "Socket Client Gone";
    case Wind::socket_dropping_data: return "Socket Dropping Data";
    case Wind::factory_reset: return "Factory Reset";
    case Wind::low_power_mode: return "Low Power mode";
    case Wind::going_into_standby: return "Going into Standby";
    case Wind::resuming_from_standby: return "Resuming from Standby";
    case Wind::station_disassociated: return "Station Disassociated";
    case Wind::system_configuration_updated: return "System Configuration Updated";
    case Wind::wps_generating_dh_keyset: return "WPS Generating DH keyset";
    case Wind::wps_timed_out: return "WPS enrollment attempt timed out";
    case Wind::sockd_dropping_client: return "Sockd Dropping Client";
    case Wind::ntp_delivery: return "NTP Server delivery";  // ? field order (§3.4.6)
    case Wind::mqtt_published: return "MQTT Published";
    case Wind::mqtt_closed: return "MQTT Closed";
    case Wind::websocket_data: return "WebSocket Data";
    case Wind::websocket_closed: return "WebSocket Closed";
    case Wind::file_received: return "File Received";
  }
  // clang-format on
  // Only reachable through a cast of a number the enum does not name.
  return {};
}

}  // namespace spwf::atcmd
