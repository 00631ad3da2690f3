// Typed access to parameters with the module's conversions (spec §2.4).

#include "atcmd/Arguments.hpp"

#include <limits>

namespace spwf::atcmd {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII-only comparison: the console compares bytes, it has no notion of locales.
bool equal_ignoring_case(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (to_lower(left[i]) != to_lower(right[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view Arguments::text(std::size_t i) const {
  if (i >= m_params.size()) return {};
  return m_params[i];
}

std::uint64_t Arguments::number(std::size_t i) const {
  // Like strtoul on the leading digits only: no sign and no leading blanks are accepted, so
  // " 5" and "-1" read as 0 rather than 5 or a wrapped huge value (hosts never send either).
  // Overflow saturates, so handlers can range-check any value without wrap-around surprises.
  constexpr std::uint64_t maximum = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  for (const char c : text(i)) {
    if (!is_digit(c)) break;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (maximum - digit) / 10) return maximum;
    value = value * 10 + digit;
  }
  return value;
}

bool Arguments::is_number(std::size_t i) const {
  const std::string_view field = text(i);
  if (field.empty()) return false;
  for (const char c : field) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool Arguments::is_keyword(std::size_t i, std::string_view keyword) const {
  return i < m_params.size() && equal_ignoring_case(m_params[i], keyword);
}

int Arguments::keyword_index(std::size_t i,
                             std::initializer_list<std::string_view> keywords) const {
  int index = 0;
  for (const std::string_view keyword : keywords) {
    if (is_keyword(i, keyword)) return index;
    ++index;
  }
  return -1;
}

AtError Arguments::check_count(std::size_t minimum, std::size_t maximum) const {
  if (m_params.size() < minimum) return AtError::missing_arguments;
  if (m_params.size() > maximum) return AtError::too_many_arguments;
  return AtError::none;
}

}  // namespace spwf::atcmd
