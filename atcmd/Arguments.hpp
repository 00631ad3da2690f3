#pragma once
// Typed access to a command's positional parameters, with the module's conversions (spec §2.4):
// numbers like strtoul (leading digits, empty or non-numeric = 0), case-insensitive keywords.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "atcmd/Wire.hpp"

namespace spwf::atcmd {

/// The parameters of one command line.
class Arguments {
 public:
  Arguments() = default;
  explicit Arguments(std::vector<std::string> params) : m_params(std::move(params)) {}

  std::size_t count() const { return m_params.size(); }
  bool empty() const { return m_params.empty(); }
  /// The raw text of parameter i ("" when absent).
  std::string_view text(std::size_t i) const;
  /// Parameter i as the module reads numbers: leading decimal digits, else 0 (saturating).
  std::uint64_t number(std::size_t i) const;
  /// True if parameter i is a non-empty string of decimal digits only.
  bool is_number(std::size_t i) const;
  /// Case-insensitive comparison of parameter i with a keyword.
  bool is_keyword(std::size_t i, std::string_view keyword) const;
  /// Index of the first matching keyword in `keywords`, or -1.
  int keyword_index(std::size_t i, std::initializer_list<std::string_view> keywords) const;
  /// Argument-count check: fewer than `minimum` -> missing_arguments (2), more than `maximum`
  /// -> too_many_arguments (6), else AtError::none.
  AtError check_count(std::size_t minimum, std::size_t maximum) const;

 private:
  std::vector<std::string> m_params;
};

}  // namespace spwf::atcmd
