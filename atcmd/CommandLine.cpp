// Splitting a command line (spec §2.4): the name is everything up to the first '=', and the
// rest is split on console_delimiter. Nothing is trimmed (§9 Q5) and NULL is not special (§9 Q6).

#include "atcmd/CommandLine.hpp"

namespace spwf::atcmd {

CommandLine parse_command_line(std::string_view line, char delimiter) {
  CommandLine result;
  const std::size_t equals = line.find('=');
  result.name = std::string(line.substr(0, equals));
  if (equals == std::string_view::npos) return result;

  result.has_arguments = true;
  // N delimiters give N+1 parameters, so "X=" gives one empty parameter (§9 Q4) and a trailing
  // delimiter adds an empty last one. A later '=' is an ordinary character.
  std::string_view rest = line.substr(equals + 1);
  for (;;) {
    const std::size_t split = rest.find(delimiter);
    result.params.emplace_back(rest.substr(0, split));
    if (split == std::string_view::npos) break;
    rest.remove_prefix(split + 1);
  }
  return result;
}

}  // namespace spwf::atcmd
