#include "atcmd/ModuleState.hpp"

#include <cstdio>
#include <map>

#include "atcmd/Wire.hpp"
#include "support/Log.hpp"

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
      {"var_version", "1"},          {"system_sleeptime", "0"},     {"reset_reason", "0"},
      {"startup", "0"},              {"uart_errors", "0"},          {"gpio_enable", "0"},
      {"system_clock", "120000000"}, {"lsifreq", "32000"},          {"app_fs", "1"},
      {"ram_fs", "1"},               {"user_fs", "1"},              {"extvol_fs", "0"},
      {"nv_wdog_resets", "0"},       {"wifi_aid", "0"},             {"wifi_max_tx_power", "18"},
      {"wifi_gf_mode", "0"},         {"wifi_reg_country", "EU"},    {"wifi_dtim_period", "1"},
      {"wifi_sleeping", "0"},        {"wifi_num_assoc", "0"},       {"wifi_num_input_bufs", "16"},
      {"wifi_max_buf_size", "1600"}, {"wifi_hardware_id", "2"},     {"wifi_hardware_subid", "1"},
      {"wifi_minpowerlevel", "0"},   {"wifi_maxpowerlevel", "18"},  {"wifi_irqs", "0"},
      {"wifi_pm_mode", "0"},         {"wifi_enc_headroom", "24"},   {"wifi_enc_tailroom", "8"},
      {"wifi_cert_len_ca", "0"},     {"wifi_cert_len_cert", "0"},   {"wifi_cert_len_key", "0"},
      {"wifi_cert_len_dhp", "0"},    {"ip_from_AutoIP", "0"},       {"ip_cert_len_ca", "0"},
      {"ip_cert_len_cert", "0"},     {"ip_cert_len_key", "0"},      {"ip_cert_len_dhp", "0"},
      {"ip_linklocal", "0:0:0:0:0:0:0:0"},
  };
  return values;
}

}  // namespace

ModuleState::ModuleState(config::EmulatorConfig settings, config::FlashStore& flash)
    : m_settings(std::move(settings)), m_flash(flash), m_config(m_settings.identity) {}

std::optional<std::string> ModuleState::power_on() {
  ++m_power_cycles;
  m_clock.power_on();
  m_wifi_state = 0;
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
  m_random_number = static_cast<std::uint32_t>(m_random());
  return m_random_number;
}

std::uint32_t ModuleState::free_heap() const { return 61440; }

std::optional<std::string> ModuleState::status_value(std::string_view name) const {
  if (name == "fw_version") return std::string{firmware::version};
  if (name == "boot_version") return std::string{firmware::boot_version};
  if (name == "free_heap") return std::to_string(free_heap());
  if (name == "min_heap") return std::to_string(free_heap() - 4096);
  if (name == "system_time") return std::to_string(m_clock.now());
  if (name == "system_uptime") return std::to_string(m_clock.uptime());
  if (name == "random_number") return std::to_string(m_random_number);
  if (name == "nv_power_cycles" || name == "nv_reset_cycles") {
    return std::to_string(m_power_cycles);
  }
  if (name == "wifi_state") return std::to_string(m_wifi_state);
  if (name == "wifi_own_macaddr") return m_config.get("nv_wifi_macaddr");
  if (name == "wifi_bssid") return std::string{"00:00:00:00:00:00"};
  if (name == "wifi_channelnum") return m_config.get("wifi_channelnum");
  if (name == "wifi_sup_rate_mask") return m_config.get("wifi_opr_rate_mask");
  if (name == "wifi_bas_rate_mask") return m_config.get("wifi_bas_rate_mask");
  if (name == "wifi_chan_activity") return hex32(0);
  if (name == "ip_ipaddr" || name == "ip_netmask" || name == "ip_gw" || name == "ip_dns1" ||
      name == "ip_dns2") {
    return m_config.get(name);
  }
  if (name == "ip_local" || name == "ip_dns1v6" || name == "ip_dns2v6") return m_config.get(name);
  const auto& fixed = fixed_status_values();
  if (auto found = fixed.find(name); found != fixed.end()) return std::string{found->second};
  return std::nullopt;
}

}  // namespace spwf::atcmd
