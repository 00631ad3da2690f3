#pragma once
// The module's variables: every configuration variable of spec §6.1 (GCFG/SCFG/WCFG/FCFG) and
// every status variable of §6.3 (STS), one table row each, in the firmware's order.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace spwf::config {

/// Value type of a variable, which decides how SCFG parses and GCFG/STS print it (spec §6.1).
enum class VarType { uint_value, int_value, char_value, hex32, hex_bytes, string, ip, u16_pair };

/// Whether GCFG without argument lists the variable; hidden ones are readable by name only and
/// cannot be set (spec §9 Q11).
enum class Visibility { listed, hidden };

/// How sure the spec is of a row (✔ fact, ≈ inferred, ? guess).
enum class Confidence { fact, inferred, guess };

/// One configuration variable: name, type, storage size in bytes (the length limit for strings
/// and hex bytes), factory value in printed form, and visibility.
struct VariableSpec {
  std::string_view name;
  VarType type;
  std::size_t size;
  std::string_view factory;
  Visibility visibility;
};

/// One status variable (read-only, values computed at run time).
struct StatusSpec {
  std::string_view name;
  VarType type;
};

/// Why SCFG refused a value.
enum class ValueError {
  invalid_value,  ///< AT-S.ERROR:8 — wrong form for the type
  too_long,       ///< AT-S.ERROR:32 — longer than the variable's size
};

/// All configuration variables in GCFG order (hidden ones included).
std::span<const VariableSpec> configuration_variables();
/// All status variables in STS order.
std::span<const StatusSpec> status_variables();
/// Finds a configuration variable by exact name, or nullptr.
const VariableSpec* find_configuration_variable(std::string_view name);
/// Finds a status variable by exact name, or nullptr.
const StatusSpec* find_status_variable(std::string_view name);

/// Parses a value given to SCFG for a variable of this spec and returns its canonical form (what
/// the store holds; printed_value() turns it into what GCFG prints), or the error SCFG answers.
/// Pure; never throws. Examples: uint "0x10" -> "16"; hex32 "0x3fffcf" -> "0x003FFFCF"; hex bytes
/// "0:80:e1" padded as the spec requires; char "0x2C" or "," -> ","; string longer than size ->
/// too_long.
struct NormalisedValue {
  std::string text;
  std::optional<ValueError> error;
};
NormalisedValue normalise_value(const VariableSpec& spec, std::string_view input);

/// What GCFG, AT&V and the full listing print for a value in canonical form: a char as `0x` and
/// two upper-case hex digits (`console_delimiter=0x2C`, spec §2.6 ≈), any other type as held.
std::string printed_value(const VariableSpec& spec, std::string_view held);

}  // namespace spwf::config
