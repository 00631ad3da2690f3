#include "atcmd/ModuleState.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "atcmd/Wire.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Random.hpp"

namespace spwf::atcmd {
namespace {

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", value);
  return text;
}

// Values of status variables that the emulator does not model; plausible figures for an
// STM32F4-based module (spec §6.3 marks them ≈/?).
const std::map<std::string_view, std::string_view>& fixed_status_values() {
  static const std::map<std::string_view, std::string_view> values = {
      {"var_version", "1"},
      {"system_sleeptime", "0"},
      {"reset_reason", "0"},
      {"startup", "0"},
      {"uart_errors", "0"},
      {"gpio_enable", "0"},
      {"system_clock", "120000000"},
      {"lsifreq", "32000"},
      {"app_fs", "1"},
      {"ram_fs", "1"},
      {"user_fs", "1"},
      {"extvol_fs", "0"},
      {"nv_wdog_resets", "0"},
      {"wifi_aid", "0"},
      {"wifi_max_tx_power", "18"},
      {"wifi_gf_mode", "0"},
      {"wifi_reg_country", "EU"},
      {"wifi_dtim_period", "1"},
      {"wifi_sleeping", "0"},
      {"wifi_num_assoc", "0"},
      {"wifi_num_input_bufs", "16"},
      {"wifi_max_buf_size", "1600"},
      {"wifi_hardware_id", "2"},
      {"wifi_hardware_subid", "1"},
      {"wifi_minpowerlevel", "0"},
      {"wifi_maxpowerlevel", "18"},
      {"wifi_irqs", "0"},
      {"wifi_pm_mode", "0"},
      {"wifi_enc_headroom", "24"},
      {"wifi_enc_tailroom", "8"},
      {"wifi_cert_len_dhp", "0"},
      {"ip_from_AutoIP", "0"},
      {"ip_cert_len_dhp", "0"},
  };
  return values;
}

}  // namespace

ModuleState::ModuleState(boost::asio::any_io_executor executor, config::EmulatorConfig settings,
                         config::FlashStore& flash, net::LinkPacing pacing)
    : m_executor(executor),
      m_settings(std::move(settings)),
      m_flash(flash),
      m_config(m_settings.identity),
      m_files(m_flash.state(), "fs"),
      m_mapper(m_settings),
      m_link(executor, m_settings, pacing, [this](const net::NetEvent& event) { forward(event); }),
      m_sockets(executor, m_mapper, m_settings.connect_timeout,
                [this](const net::NetEvent& event) { forward(event); }),
      m_servers(executor, m_settings.server_listen_address,
                [this](const net::NetEvent& event) { forward(event); }),
      m_websockets(executor, m_mapper, m_client_instances, m_settings.connect_timeout,
                   [this](const net::NetEvent& event) { forward(event); }),
      m_tftp_server(executor, net::TftpTiming{m_settings.tftp_timeout, limits::tftp_retries},
                    tftp_server_files(), limits::tftp_server_transfers),
      m_pacing(pacing),
      m_ntp_timer(executor) {
  m_sockets.set_faults(&m_faults);
  m_servers.set_faults(&m_faults);
  // The TLS store falls back to <AKI>.ca, tls.cert and tls.key on the module's file system.
  m_tls_certificates.store().set_file_lookup(
      [this](std::string_view name) { return m_files.read(name); });
}

void ModuleState::restore_certificates() {
  m_tls_certificates.restore();
  m_wpa_certificates.restore();
}

void ModuleState::start_radio() {
  const auto& config = m_config;
  net::RadioSettings radio;
  radio.mode = config.get_uint("wifi_mode");
  const auto ssid = config.get_bytes("wifi_ssid");
  const std::size_t length = std::min<std::size_t>(config.get_uint("wifi_ssid_len"), ssid.size());
  radio.ssid.assign(ssid.begin(), ssid.begin() + static_cast<std::ptrdiff_t>(length));
  radio.privacy = config.get_uint("wifi_priv_mode");
  radio.passphrase = config.get_string("wifi_wpa_psk_text");
  radio.dhcp = config.get_uint("ip_use_dhcpc");
  radio.static_address = config.get_string("ip_ipaddr");
  radio.static_netmask = config.get_string("ip_netmask");
  radio.static_gateway = config.get_string("ip_gw");
  radio.static_dns1 = config.get_string("ip_dns1");
  radio.static_dns2 = config.get_string("ip_dns2");
  radio.ipv6 = config.get_uint("ip_use_v6") != 0;
  radio.mac_address = config.get_string("nv_wifi_macaddr");
  const tls::CertificateStore& wpa = m_wpa_certificates.store();
  radio.enterprise.eap_type = config.get_uint("wifi_eap_type");
  radio.enterprise.ca = wpa.slot(tls::Slot::ca);
  radio.enterprise.certificate = wpa.slot(tls::Slot::cert);
  radio.enterprise.key = wpa.slot(tls::Slot::key);
  radio.enterprise.identity = config.get_string("wifi_eap_identity");
  radio.enterprise.password = config.get_string("wifi_eap_passwd");
  radio.enterprise.skip_date_checks = config.get_uint("wifi_eap_skip_datechecks") != 0;
  radio.enterprise.module_time = static_cast<std::int64_t>(m_clock.now());
  m_link.start(radio);
}

std::optional<std::string> ModuleState::power_on() {
  auto problem = load_configuration();
  m_files.power_on(std::uint64_t{m_config.get_uint("ramdisk_memsize")} * 1024);
  apply_pending_updates();
  return problem;
}

net::TftpServerFiles ModuleState::tftp_server_files() {
  net::TftpServerFiles files;
  files.load = [this](const std::string& name) { return m_files.read(name); };
  files.has_room = [this](const std::string& name, std::size_t size) {
    // A file replaced by the upload frees its bytes.
    std::vector<config::FileEntry> old;
    const std::uint64_t old_size = !m_files.list(name, old) && old.size() == 1 ? old[0].size : 0;
    return !m_files.check_append(name, size > old_size ? size - old_size : 0);
  };
  files.store = [this](const std::string& name, const std::string& content) {
    if (auto error = m_files.remove(name); error && error != config::FileError::not_found) {
      return false;
    }
    if (m_files.append(name, content)) return false;
    forward(net::FileReceived{name});
    return true;
  };
  return files;
}

void ModuleState::follow_link_for_tftp(const net::NetEvent& event) {
  const auto* up = std::get_if<net::LinkUp>(&event);
  if (up != nullptr && !up->ipv6 && m_config.get_uint("ip_use_tftpd") != 0) {
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(m_settings.server_listen_address, error);
    if (!error) m_tftp_server.start({address, m_settings.tftp_server_port});
  } else if (m_tftp_server.running() && !m_link.is_up()) {
    m_tftp_server.stop();
  }
}

void ModuleState::apply_pending_updates() {
  if (!m_input_ssi.empty()) {
    log::info("INPUTSSI: the input text (" + std::to_string(m_input_ssi.size()) +
              " bytes) is lost at power-on");
    m_input_ssi.clear();
  }
  // The module's bootloader would write the image over the running firmware; the emulator
  // stays firmware 1.1.0 whatever the image holds (spec §3.14 ?, §9 Q39).
  if (const auto size = m_updates.apply_pending_firmware()) {
    log::info("firmware update: the pending image (" + std::to_string(*size) +
              " bytes) was applied at this power-on and kept as " +
              std::string{config::UpdateImages::applied_firmware} +
              "; the emulated firmware is still " + std::string{firmware::version} + " (" +
              std::string{firmware::build} + ")");
  }
}

void ModuleState::forward(const net::NetEvent& event) {
  if (m_sink) m_sink(event);
  follow_link_for_tftp(event);
  // With ip_ntp_startup=1 the module asks its NTP server once the IPv4 address is up (spec
  // §3.4.6 ≈); the answer comes after the WiFi Up lines, shortly after with --boot real. A
  // miniAP is the network itself: it has no route to a time server, so no answer comes.
  const auto* up = std::get_if<net::LinkUp>(&event);
  if (up == nullptr || up->ipv6 || m_config.get_uint("ip_ntp_startup") == 0) return;
  if (!has_upstream()) return;
  m_ntp_timer.expires_after(m_pacing == net::LinkPacing::real ? std::chrono::milliseconds(500)
                                                              : std::chrono::milliseconds(0));
  m_ntp_timer.async_wait([this](const boost::system::error_code& error) {
    if (!error && m_link.is_up()) synchronise_clock();
  });
}

bool ModuleState::has_upstream() const {
  return m_link.is_up() && m_link.access_point();
}

void ModuleState::synchronise_clock() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  m_clock.set(static_cast<std::uint64_t>(now));
  forward(net::TimeDelivered{static_cast<std::uint64_t>(now)});
}

std::optional<std::string> ModuleState::load_configuration() {
  ++m_power_cycles;
  m_ntp_timer.cancel();
  m_clock.power_on();
  m_peripherals = Peripherals{};
  restore_certificates();
  m_sockets.close_all();
  m_servers.close_all();
  m_mqtt_clients.close_all();
  m_websockets.close_all();
  m_tftp_server.stop();
  m_heap.reset();
  m_tls_tokens = 0;
  ++m_tls_generation;
  m_link.power_off();
  m_config = config::ConfigStore(m_settings.identity);
  std::optional<nlohmann::json> saved;
  try {
    saved = m_flash.load_config();
  } catch (const config::StartupError& failure) {
    // After start-up a damaged file is reported and left untouched; the module runs on factory
    // values rather than overwriting what the user may want to recover.
    log::error(failure.what());
    return failure.what();
  }
  if (saved) {
    if (auto problem = m_config.load_json(*saved)) {
      const std::string text = m_flash.config_path().string() + ": " + *problem;
      log::error(text);
      return text;
    }
  }
  return std::nullopt;
}

std::uint32_t ModuleState::draw_random() {
  m_random_number = static_cast<std::uint32_t>(random::between(0, 0xFFFFFFFFu));
  return m_random_number;
}

unsigned ModuleState::tls_clients() const {
  return static_cast<unsigned>(m_sockets.count(net::StreamKind::tls)) + m_tls_tokens;
}

std::shared_ptr<void> ModuleState::take_tls_client() {
  if (tls_clients() >= limits::tls_clients) return nullptr;
  ++m_tls_tokens;
  return std::shared_ptr<void>(this, [this, generation = m_tls_generation](void*) {
    if (generation == m_tls_generation) --m_tls_tokens;
  });
}

void ModuleState::close_client_sockets() {
  m_sockets.close_all();
  m_websockets.close_all();
  m_mqtt_clients.close_all();
  m_heap.release_all(HeapUser::client_socket);
}

std::optional<std::string> ModuleState::status_value(std::string_view name) const {
  if (name == "fw_version") return std::string{firmware::version};
  if (name == "boot_version") return std::string{firmware::boot_version};
  if (name == "free_heap") return std::to_string(free_heap());
  if (name == "min_heap") return std::to_string(m_heap.lowest_free());
  if (name == "system_time") return std::to_string(m_clock.now());
  if (name == "system_uptime") return std::to_string(m_clock.uptime());
  if (name == "random_number") return std::to_string(m_random_number);
  if (name == "nv_power_cycles" || name == "nv_reset_cycles") {
    return std::to_string(m_power_cycles);
  }
  // The stored sizes of the TLSCERT (ip_) and WPAECERT (wifi_) slots.
  static constexpr std::pair<std::string_view, tls::Slot> slot_names[] = {
      {"cert_len_ca", tls::Slot::ca},
      {"cert_len_cert", tls::Slot::cert},
      {"cert_len_key", tls::Slot::key}};
  for (const auto& [suffix, slot] : slot_names) {
    if (name == "ip_" + std::string{suffix}) {
      return std::to_string(m_tls_certificates.store().slot(slot).size());
    }
    if (name == "wifi_" + std::string{suffix}) {
      return std::to_string(m_wpa_certificates.store().slot(slot).size());
    }
  }
  if (name == "wifi_state") return std::to_string(wifi_state());
  if (name == "wifi_own_macaddr") return m_config.get("nv_wifi_macaddr");
  if (name == "wifi_bssid") {
    const auto* network = m_link.access_point();
    return network ? network->bssid : std::string{"00:00:00:00:00:00"};
  }
  if (name == "wifi_channelnum") return m_config.get("wifi_channelnum");
  if (name == "wifi_sup_rate_mask") return m_config.get("wifi_opr_rate_mask");
  if (name == "wifi_bas_rate_mask") return m_config.get("wifi_bas_rate_mask");
  if (name == "wifi_chan_activity") return hex32(0);
  const net::IpSettings& ip = m_link.ip();
  if (name == "ip_ipaddr") return ip.address;
  if (name == "ip_netmask") return ip.netmask;
  if (name == "ip_gw") return ip.gateway;
  if (name == "ip_dns1") return ip.dns1;
  if (name == "ip_dns2") return ip.dns2;
  if (name == "ip_linklocal") {
    if (!m_link.is_up() || m_config.get_uint("ip_use_v6") == 0) return "0:0:0:0:0:0:0:0";
    return net::WifiLink::link_local_address(m_config.get_string("nv_wifi_macaddr"));
  }
  if (name == "ip_local" || name == "ip_dns1v6" || name == "ip_dns2v6") return m_config.get(name);
  // Volume states follow FSM/FSU: 1 mounted, 0 not.
  if (name == "app_fs" || name == "user_fs" || name == "ram_fs" || name == "extvol_fs") {
    const unsigned volume = name == "app_fs"    ? config::ModuleFileSystem::application_volume
                            : name == "user_fs" ? config::ModuleFileSystem::user_volume
                            : name == "ram_fs"  ? config::ModuleFileSystem::ram_volume
                                                : config::ModuleFileSystem::external_volume;
    return m_files.is_mounted(volume) ? "1" : "0";
  }
  const auto& fixed = fixed_status_values();
  if (auto found = fixed.find(name); found != fixed.end()) return std::string{found->second};
  return std::nullopt;
}

}  // namespace spwf::atcmd
