#pragma once
// Command overrides (the control interface, Renode's one-shot responses): the next command lines
// that match a pattern are answered with a given error, or with given lines and OK, instead of
// running; or they run after a delay. Each override applies once or N times, then is gone.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atcmd/Wire.hpp"

namespace spwf::atcmd {

/// One override.
struct CommandOverride {
  unsigned id = 0;
  std::string pattern;                 ///< shell glob over the command line, case-insensitive
  std::optional<AtError> error;        ///< answer AT-S.ERROR:<n>:<text> instead of running
  std::vector<std::string> lines;      ///< or print these lines (each + CR LF), then AT-S.OK
  std::chrono::milliseconds delay{0};  ///< wait first (then run, when no error and no lines)
  unsigned remaining = 1;              ///< how many more lines it answers
  /// True when the command is not run at all.
  bool replaces() const { return error.has_value() || !lines.empty(); }
};

/// The overrides in force, first added first matched.
class CommandOverrides {
 public:
  /// Adds an override; returns its id.
  unsigned add(CommandOverride entry);
  bool remove(unsigned id);
  void clear() { m_entries.clear(); }
  const std::vector<CommandOverride>& entries() const { return m_entries; }
  /// The override for this command line, if one matches (counting it used).
  std::optional<CommandOverride> take(std::string_view line);
  /// The error of a number the firmware can print, or nullopt.
  static std::optional<AtError> error_numbered(unsigned number);

 private:
  std::vector<CommandOverride> m_entries;
  unsigned m_next_id = 1;
};

}  // namespace spwf::atcmd
