#pragma once
// Byte strings in the JSON files of the module's flash. The module's strings are bytes (spec
// §3.3), JSON strings are Unicode: a value that is valid UTF-8 is stored as a JSON string, so the
// file stays readable, and any other byte string as {"hex": "<two hex digits per byte>"}. Both
// forms read back to exactly the bytes written.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace spwf::config {

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
/// U+10FFFF), the strings nlohmann::json can write.
bool is_valid_utf8(std::string_view text);
/// The JSON form of a byte string: a string when valid UTF-8, else {"hex": "..."}.
nlohmann::json bytes_to_json(std::string_view bytes);
/// The bytes of either form; nullopt for anything else (a wrong type, bad hex digits).
std::optional<std::string> bytes_from_json(const nlohmann::json& value);

}  // namespace spwf::config
