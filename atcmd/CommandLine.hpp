#pragma once
// Splitting a command line into its name and positional parameters (spec §2.4). Pure.

#include <string>
#include <string_view>
#include <vector>

namespace spwf::atcmd {

/// A parsed command line: the name (everything up to the first '=') and the parameters.
struct CommandLine {
  std::string name;
  bool has_arguments = false;       ///< an '=' was present
  std::vector<std::string> params;  ///< N delimiters give N+1 params; "X=" gives one empty param
};

/// Splits a line on the first '=' and then on `delimiter`. No trimming, NULL is not special.
CommandLine parse_command_line(std::string_view line, char delimiter);

}  // namespace spwf::atcmd
