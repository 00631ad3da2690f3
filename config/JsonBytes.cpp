#include "config/JsonBytes.hpp"

#include <cstdint>

namespace spwf::config {
namespace {

constexpr std::string_view k_hex_key = "hex";
constexpr std::string_view k_hex_digits = "0123456789ABCDEF";

// The length of the UTF-8 sequence starting at `text[index]`, or 0 if it is malformed.
std::size_t sequence_length(std::string_view text, std::size_t index) {
  const auto byte = [&](std::size_t at) { return static_cast<std::uint8_t>(text[at]); };
  const std::uint8_t lead = byte(index);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - index < length) return 0;
  if (byte(index + 1) < low || byte(index + 1) > high) return 0;
  for (std::size_t next = 2; next < length; ++next) {
    if ((byte(index + next) & 0xC0) != 0x80) return 0;
  }
  return length;
}

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t index = 0; index < text.size();) {
    const std::size_t length = sequence_length(text, index);
    if (length == 0) return false;
    index += length;
  }
  return true;
}

nlohmann::json bytes_to_json(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return std::string(bytes);
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto value = static_cast<std::uint8_t>(c);
    hex += k_hex_digits[value >> 4];
    hex += k_hex_digits[value & 0x0F];
  }
  return nlohmann::json{{k_hex_key, std::move(hex)}};
}

std::optional<std::string> bytes_from_json(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_object() || value.size() != 1) return std::nullopt;
  const auto hex = value.find(k_hex_key);
  if (hex == value.end() || !hex->is_string()) return std::nullopt;
  const auto& digits = hex->get_ref<const std::string&>();
  if (digits.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(digits.size() / 2);
  for (std::size_t index = 0; index < digits.size(); index += 2) {
    const int high = hex_value(digits[index]);
    const int low = hex_value(digits[index + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes += static_cast<char>(high * 16 + low);
  }
  return bytes;
}

}  // namespace spwf::config
