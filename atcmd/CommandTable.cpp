// The command table of FW 1.1.0 (spec §3.1), one row per command in the firmware's order: name,
// exact argument-syntax string (what AT+S.HELP prints), the emulator's own description, whether
// HELP lists it (the "H" column, ≈ as a whole, §9 Q48) and the handler (nullptr: not emulated).

#include "atcmd/CommandTable.hpp"

#include <iterator>

#include "atcmd/commands/ConfigCommands.hpp"
#include "atcmd/commands/DeviceCommands.hpp"
#include "atcmd/commands/FileCommands.hpp"
#include "atcmd/commands/HttpCommands.hpp"
#include "atcmd/commands/MqttCommands.hpp"
#include "atcmd/commands/ServerCommands.hpp"
#include "atcmd/commands/SmtpCommands.hpp"
#include "atcmd/commands/SocketCommands.hpp"
#include "atcmd/commands/SystemCommands.hpp"
#include "atcmd/commands/TftpCommands.hpp"
#include "atcmd/commands/TlsCommands.hpp"
#include "atcmd/commands/UpdateCommands.hpp"
#include "atcmd/commands/WebSocketCommands.hpp"
#include "atcmd/commands/WifiCommands.hpp"

namespace spwf::atcmd {

namespace {

constexpr Listing listed = Listing::listed;
constexpr Listing hidden = Listing::hidden;

// clang-format off
constexpr CommandSpec command_rows[] = {
    {"AT", "", "does nothing; checks the console is alive", listed, &commands::at},
    {"AT+S.HELP", "[=<keyword>]", "lists commands with their syntax, optionally only matching ones", listed, &commands::help},
    {"AT+S.RESET", "", "reboots the module", listed, &commands::reset},
    {"AT+S.PMS", "=<0|1|2|3>", "selects the power mode (active, power save, stop, standby)", listed, &commands::power_mode},
    {"AT+S.STS", "[=<sts_var>]", "prints one or all status variables", listed, &commands::status},
    {"AT+S.PYTHON", "[=<filename>]", "switches the console to the MicroPython shell, optionally running a script", listed, &commands::python},
    {"AT+S.GCFG", "[=<cfg_var>]", "prints one or all configuration variables", listed, &commands::get_config},
    {"AT+S.SCFG", "=<key>,<value>", "sets a configuration variable (in RAM)", listed, &commands::set_config},
    {"AT+S.WCFG", "", "saves the configuration variables to flash", listed, &commands::write_config},
    {"AT+S.FCFG", "", "reloads the factory configuration values (in RAM)", listed, &commands::factory_config},
    {"AT+S.NVW", "=<magic>", "production use: writes the factory (nv_*) area", hidden, &commands::nv_write},
    {"AT+S.MFGTEST", "=<magic>,<low|high|HSI|SYS>", "production self-tests", hidden, &commands::manufacturing_test},
    {"AT+S.TIME", "[=<time>]", "reads or sets the module clock in seconds", listed, &commands::time},
    {"AT+S.RANDOM", "", "draws a new random number", listed, &commands::random},
    {"AT+S.GPIOC", "=<num>,<in|out>,<r|f|b>", "sets a GPIO's direction and interrupt edge", listed, &commands::gpio_configure},
    {"AT+S.GPIOR", "=<num>", "reads a GPIO", listed, &commands::gpio_read},
    {"AT+S.GPIOW", "=<num>,<val>", "drives an output GPIO", listed, &commands::gpio_write},
    {"AT+S.DAC", "=<0|value>", "DAC output on GPIO15 (0 turns it off)", listed, &commands::dac},
    {"AT+S.ADC", "=<0|1|16>", "samples the ADC on GPIO0, GPIO1 or GPIO16", listed, &commands::adc},
    {"AT+S.PWM", "=<2|4>,<0|frequency>[,duty_cycle]", "PWM on GPIO2 or GPIO4 (frequency 0 stops it)", listed, &commands::pwm},
    {"AT+S.FSM", "=<volume>", "mounts a file-system volume", listed, &commands::file_mount},
    {"AT+S.FSU", "=<volume>,<0|1>", "unmounts a volume (1: also erases it)", listed, &commands::file_unmount},
    {"AT+S.FSC", "=<filename>,<datalen><CR><data>", "creates a file or appends the payload to it", listed, &commands::file_create},
    {"AT+S.FSD", "=<filename>", "deletes a file", listed, &commands::file_delete},
    {"AT+S.FSR", "=<old_filename>,<new_filename>", "renames a file", listed, &commands::file_rename},
    {"AT+S.FSL", "[=<filename>]", "lists files", listed, &commands::file_list},
    {"AT+S.FSP", "=<filename>,<offset>,<length>", "prints (part of) a file", listed, &commands::file_print},
    {"AT+S.HASH", "=<0|1|2|3>,<filename>", "digest of a file: 0 SHA-1, 1 SHA-224, 2 SHA-256, 3 MD5", listed, &commands::file_hash},
    {"AT+S.WPAECERT", "=<ca|cert|key|content>,<length|option>", "stores/checks/clears WPA-Enterprise certificates and key", listed, &commands::wpa_certificate},
    {"AT+S.TLSCERT", "=<ca|cert|key|content>,<length|option>", "stores/checks/clears the TLS CA, client certificate and key", listed, &commands::tls_certificate},
    {"AT+S.CMDREQ", "=<length><CR><data>", "internal: raw radio command", hidden, &commands::command_request},
    {"AT+S.BYPASS", "=<length><CR><frame>", "internal: injects a raw TCP/IP frame", hidden, &commands::bypass},
    {"AT+S.WIFI", "=<0|1>", "switches the radio off or on", listed, &commands::wifi},
    {"AT+S.SCAN", "=<d|s|m>,<filename>", "scans for networks", listed, &commands::scan},
    {"AT+S.SSIDTXT", "[=<ssidtxt>]", "sets (or shows) the SSID as text", listed, &commands::ssid_text},
    {"AT+S.PEERS", "[=,<peer_number>[,<peer_var>]]", "dumps the peer table (AP or associated stations)", listed, &commands::peers},
    {"AT+S.WPS", "=<0|1|2>", "starts WPS: push button, stored PIN, random PIN", listed, &commands::wps},
    {"AT+S.RENEW", "", "asks the DHCP server to renew the IPv4 lease", hidden, &commands::renew},
    {"AT+S.NTP", "", "forces an NTP time query", hidden, &commands::ntp},
    {"AT+S.PING", "=<count>,<size>,<host>", "sends ICMP echo requests", listed, &commands::ping},
    {"AT+S.SOCKON", "=<host>,<port>,,<t|u|s|TLS Server Domain Name>", "opens a TCP, UDP or TLS client socket", listed, &commands::socket_open},
    {"AT+S.SOCKQ", "=<id>", "bytes waiting on a client socket", listed, &commands::socket_query},
    {"AT+S.SOCKC", "=<id>", "closes a client socket", listed, &commands::socket_close},
    {"AT+S.SOCKW", "=<id>,<len><CR><data>", "sends the payload on a client socket", listed, &commands::socket_write},
    {"AT+S.SOCKR", "=<id>,<len>", "reads received bytes from a client socket", listed, &commands::socket_read},
    {"AT+S.SOCKL", "", "lists the open client sockets", listed, &commands::socket_list},
    {"AT+S.SOCKDON", "=<port>,<t|u|s1|s2>", "opens a TCP, UDP or TLS listening server", listed, &commands::server_open},
    {"AT+S.SOCKDQ", "=<sid>,<cid>", "bytes waiting from one client of a server", listed, &commands::server_query},
    {"AT+S.SOCKDC", "=<sid>[,<cid>]", "closes a server, or drops one of its clients", listed, &commands::server_close},
    {"AT+S.SOCKDW", "=<sid>,<cid>,<len><CR><data>", "sends the payload to one client of a server", listed, &commands::server_write},
    {"AT+S.SOCKDR", "=<sid>,<cid>,<len>", "reads bytes from one client of a server", listed, &commands::server_read},
    {"AT+S.SOCKDL", "[=<sid>]", "lists the clients of the servers", listed, &commands::server_list},
    {"AT+S.SELFTEST", "=<magic>,<ip>,<port>,,<t|u|s|TLS Server Domain Name>,<loops>,<size>", "production loop-back test", hidden, &commands::self_test},
    {"AT+S.TFTPGET", "=<host>,<port>,<DownFile>,<LocalFile>", "downloads a file from a TFTP server", listed, &commands::tftp_get},
    {"AT+S.TFTPPUT", "=<host>,<port>,<UpFile>", "uploads a file to a TFTP server", listed, &commands::tftp_put},
    {"AT+S.SMTP", "=<host>,<port>,<TLS>,<usn>,<pwd>,<ID>,<from>,<to>,,,<subject>,,<length><CR><body>", "sends an e-mail", listed, &commands::smtp_send},
    {"AT+S.HTTPGET", "=<host>,<path>,<port>,<TLS>,<usn>,<pwd>,<DownFile>,<UpFile>", "HTTP(S) GET", listed, &commands::http_get},
    {"AT+S.HTTPPOST", "=<host>,<path>,<port>,<TLS>,<usn>,<pwd>,<DownFile>,<UpFile>", "HTTP(S) POST", listed, &commands::http_post},
    {"AT+S.FWUPDATE", "=e,<host>,<path>,<port>,<TLS>,<usn>,<pwd>", "downloads a firmware image over HTTP(S)", listed, &commands::firmware_update},
    {"AT+S.FSUPDATE", "=<i|e|x>,<host>,<path>,<port>,<TLS>,<usn>,<pwd>", "downloads a file-system image over HTTP(S)", listed, &commands::filesystem_update},
    {"AT+S.INPUTSSI", "=<0|length><CR><data>", "sets (or, with 0, clears) the text the web server shows for its input tag", listed, &commands::input_ssi},
    {"AT+S.MQTTCONN", "=<host>,<port>,<path>,<TLS>,<usn>,<pwd>,<ID>,<KA>,<Retr>,<QoS>,<Name>,<Msg>", "connects to an MQTT broker", listed, &commands::mqtt_connect},
    {"AT+S.MQTTSUB", "=<id>,<topic>,<QoS>", "subscribes to a topic", listed, &commands::mqtt_subscribe},
    {"AT+S.MQTTPUB", "=<id>,<topic>,<QoS>,<retained>,<length><CR><message>", "publishes a message", listed, &commands::mqtt_publish},
    {"AT+S.MQTTUNSUB", "=<id>,<topic>", "unsubscribes", listed, &commands::mqtt_unsubscribe},
    {"AT+S.MQTTDISC", "=<id>", "disconnects from the broker", listed, &commands::mqtt_disconnect},
    {"AT+S.WSOCKON", "=<host>,<port>,<path>,<TLS>,<usn>,<pwd>,<origin>,<prot>,<ext>", "opens a WebSocket client", listed, &commands::websocket_open},
    {"AT+S.WSOCKQ", "=<id>", "bytes waiting on a WebSocket", listed, &commands::websocket_query},
    {"AT+S.WSOCKC", "=<id>,<status>", "closes a WebSocket with a close status", listed, &commands::websocket_close},
    {"AT+S.WSOCKW", "=<id>,<lastFrame>,<lastFrag>,<binary>,<len><CR><data>", "sends a WebSocket frame or fragment", listed, &commands::websocket_write},
    {"AT+S.WSOCKR", "=<id>,<len>", "reads received WebSocket data", listed, &commands::websocket_read},
    {"AT+S.WSOCKL", "", "lists the open WebSockets", listed, &commands::websocket_list},
    {"AT&V", "", "old alias of AT+S.GCFG without argument", hidden, &commands::get_config},
    {"AT&W", "", "old alias of AT+S.WCFG", hidden, &commands::write_config},
    {"AT&F", "", "old alias of AT+S.FCFG", hidden, &commands::factory_config},
};
// clang-format on
static_assert(std::size(command_rows) == 75, "spec §3.1 lists 75 commands");

// ASCII-only: command names are plain ASCII and the console compares bytes.
char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool equal_ignoring_case(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (to_upper(left[i]) != to_upper(right[i])) return false;
  }
  return true;
}

}  // namespace

std::span<const CommandSpec> command_table() {
  return command_rows;
}

const CommandSpec* find_command(std::string_view name) {
  // 75 rows: a linear scan is cheaper than keeping a second, sorted copy of the table in sync.
  for (const CommandSpec& command : command_rows) {
    if (equal_ignoring_case(command.name, name)) return &command;
  }
  return nullptr;
}

}  // namespace spwf::atcmd
