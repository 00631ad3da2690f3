#pragma once
// The module's configuration variables as they are in RAM: factory values, SCFG changes, and the
// state loaded from / saved to the module's flash.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/VariableTable.hpp"

namespace spwf::config {

/// The per-module factory identity (the nv_* area), from the emulator configuration.
struct Identity {
  std::string manufacturer = "STMicroelectronics Inc.";
  std::string model = "SPWF04SA";
  std::string serial = "17111984";
  std::string mac_address = "00:80:E1:BD:00:39";  ///< printed form, six upper-case hex bytes
};

/// Outcome of ConfigStore::set, mapped by the SCFG handler to the module's errors.
enum class SetResult { ok, not_found, invalid_value, too_long };

/// The RAM copy of every configuration variable, kept in canonical printed form.
class ConfigStore {
 public:
  explicit ConfigStore(Identity identity);

  /// Printed value of a configuration variable (hidden ones too), or nullopt if unknown.
  std::optional<std::string> get(std::string_view name) const;
  /// SCFG semantics: unknown and hidden names -> not_found; the value is validated by type.
  SetResult set(std::string_view name, std::string_view value);
  /// Sets any variable, hidden ones included, from inside the emulator (AT+S.WIFI sets
  /// wifi_enabled, SSIDTXT sets wifi_ssid/wifi_ssid_len). The value must be valid.
  SetResult set_internal(std::string_view name, std::string_view value);

  /// Typed reads of known variables (the name must exist; a wrong name is a programming error).
  std::uint32_t get_uint(std::string_view name) const;
  std::int32_t get_int(std::string_view name) const;
  char get_char(std::string_view name) const;
  std::string get_string(std::string_view name) const;
  std::vector<std::uint8_t> get_bytes(std::string_view name) const;

  /// FCFG: every variable back to its factory value except the nv_* identity.
  void reset_to_factory();
  /// The variables WCFG saves (everything except nv_*), as a JSON object name -> printed value
  /// (in the byte-exact form of config/JsonBytes.hpp).
  nlohmann::json to_json() const;
  /// Loads saved values over the factory values. Returns an error text naming the first bad
  /// entry (unknown name, wrong type, invalid value) and leaves the store unchanged then.
  std::optional<std::string> load_json(const nlohmann::json& saved);

 private:
  Identity m_identity;
  std::map<std::string, std::string, std::less<>> m_values;
};

}  // namespace spwf::config
