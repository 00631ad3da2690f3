// The RAM copy of the configuration variables. Every value is kept in its canonical printed form
// (what GCFG prints), so reads are lookups and typed getters parse that one form.

#include "config/ConfigStore.hpp"

#include <cassert>
#include <charconv>
#include <utility>

#include "config/JsonBytes.hpp"

namespace spwf::config {
namespace {

// The nv_* factory area: settable in RAM (§9 Q11) but never saved by WCFG nor reset by FCFG.
bool is_factory_identity(std::string_view name) {
  return name.starts_with("nv_");
}

SetResult to_set_result(ValueError error) {
  switch (error) {
    case ValueError::invalid_value:
      return SetResult::invalid_value;
    case ValueError::too_long:
      return SetResult::too_long;
  }
  return SetResult::invalid_value;
}

// The identity value for an nv_* variable, normalised like an SCFG value. The emulator
// configuration validates the identity; an invalid one here is kept verbatim rather than lost.
std::string identity_value(const VariableSpec& spec, const std::string& raw) {
  auto normalised = normalise_value(spec, raw);
  return normalised.error ? raw : std::move(normalised.text);
}

}  // namespace

ConfigStore::ConfigStore(Identity identity) : m_identity(std::move(identity)) {
  for (const auto& spec : configuration_variables()) {
    m_values.emplace(std::string(spec.name), std::string(spec.factory));
  }
  const std::pair<std::string_view, const std::string*> identities[] = {
      {"nv_manuf", &m_identity.manufacturer},
      {"nv_model", &m_identity.model},
      {"nv_serial", &m_identity.serial},
      {"nv_wifi_macaddr", &m_identity.mac_address},
  };
  for (const auto& [name, value] : identities) {
    const auto* spec = find_configuration_variable(name);
    assert(spec != nullptr);
    m_values.find(name)->second = identity_value(*spec, *value);
  }
}

std::optional<std::string> ConfigStore::get(std::string_view name) const {
  const auto found = m_values.find(name);
  if (found == m_values.end()) return std::nullopt;
  return found->second;
}

SetResult ConfigStore::set(std::string_view name, std::string_view value) {
  const auto* spec = find_configuration_variable(name);
  if (spec == nullptr || spec->visibility == Visibility::hidden) return SetResult::not_found;
  return set_internal(name, value);
}

SetResult ConfigStore::set_internal(std::string_view name, std::string_view value) {
  const auto* spec = find_configuration_variable(name);
  if (spec == nullptr) return SetResult::not_found;
  auto normalised = normalise_value(*spec, value);
  if (normalised.error) return to_set_result(*normalised.error);
  m_values.find(name)->second = std::move(normalised.text);
  return SetResult::ok;
}

std::uint32_t ConfigStore::get_uint(std::string_view name) const {
  const auto found = m_values.find(name);
  assert(found != m_values.end() && "unknown configuration variable");
  if (found == m_values.end()) return 0;
  std::string_view text = found->second;
  int base = 10;
  if (text.starts_with("0x")) {  // hex32 values print as 0x%08X
    text.remove_prefix(2);
    base = 16;
  }
  std::uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, base);
  return value;
}

std::int32_t ConfigStore::get_int(std::string_view name) const {
  const auto found = m_values.find(name);
  assert(found != m_values.end() && "unknown configuration variable");
  if (found == m_values.end()) return 0;
  const std::string& text = found->second;
  std::int32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

char ConfigStore::get_char(std::string_view name) const {
  const auto found = m_values.find(name);
  assert(found != m_values.end() && "unknown configuration variable");
  if (found == m_values.end() || found->second.empty()) return '\0';
  return found->second.front();
}

std::string ConfigStore::get_string(std::string_view name) const {
  const auto found = m_values.find(name);
  assert(found != m_values.end() && "unknown configuration variable");
  if (found == m_values.end()) return {};
  return found->second;
}

std::vector<std::uint8_t> ConfigStore::get_bytes(std::string_view name) const {
  const auto found = m_values.find(name);
  assert(found != m_values.end() && "unknown configuration variable");
  std::vector<std::uint8_t> bytes;
  if (found == m_values.end()) return bytes;
  // Canonical form: "AB:CD:..." — two hex digits per byte, one ':' between bytes.
  const std::string& text = found->second;
  for (std::size_t index = 0; index + 1 < text.size(); index += 3) {
    std::uint8_t value = 0;
    std::from_chars(text.data() + index, text.data() + index + 2, value, 16);
    bytes.push_back(value);
  }
  return bytes;
}

void ConfigStore::reset_to_factory() {
  for (const auto& spec : configuration_variables()) {
    if (is_factory_identity(spec.name)) continue;
    m_values.find(spec.name)->second = std::string(spec.factory);
  }
}

nlohmann::json ConfigStore::to_json() const {
  auto saved = nlohmann::json::object();
  for (const auto& spec : configuration_variables()) {
    if (is_factory_identity(spec.name)) continue;
    saved[std::string(spec.name)] = bytes_to_json(m_values.find(spec.name)->second);
  }
  return saved;
}

std::optional<std::string> ConfigStore::load_json(const nlohmann::json& saved) {
  if (!saved.is_object()) return "the saved variables are not a JSON object";
  // Validate every entry before applying any, so a bad file leaves the store unchanged.
  std::vector<std::pair<std::string, std::string>> accepted;
  for (const auto& [name, value] : saved.items()) {
    const auto* spec = find_configuration_variable(name);
    if (spec == nullptr) return "\"" + name + "\": unknown variable";
    if (is_factory_identity(name)) {
      return "\"" + name + "\": factory identity variables are not saved";
    }
    const auto bytes = bytes_from_json(value);
    if (!bytes) return "\"" + name + "\": value is neither a string nor {\"hex\": \"...\"}";
    auto normalised = normalise_value(*spec, *bytes);
    if (normalised.error) {
      return "\"" + name + "\": invalid value " + bytes_to_json(*bytes).dump() +
             (*normalised.error == ValueError::too_long ? " (too long)" : "");
    }
    accepted.emplace_back(name, std::move(normalised.text));
  }
  reset_to_factory();
  for (auto& [name, text] : accepted) m_values.find(name)->second = std::move(text);
  return std::nullopt;
}

}  // namespace spwf::config
