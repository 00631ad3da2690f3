#include "atcmd/CommandOverrides.hpp"

#include <fnmatch.h>

namespace spwf::atcmd {

unsigned CommandOverrides::add(CommandOverride entry) {
  entry.id = m_next_id++;
  if (entry.remaining == 0) entry.remaining = 1;
  m_entries.push_back(std::move(entry));
  return m_entries.back().id;
}

bool CommandOverrides::remove(unsigned id) {
  const auto before = m_entries.size();
  std::erase_if(m_entries, [id](const CommandOverride& entry) { return entry.id == id; });
  return m_entries.size() != before;
}

std::optional<CommandOverride> CommandOverrides::take(std::string_view line) {
  if (m_entries.empty()) return std::nullopt;
  const std::string text{line};
  for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
    if (::fnmatch(it->pattern.c_str(), text.c_str(), FNM_CASEFOLD) != 0) continue;
    CommandOverride used = *it;
    if (--it->remaining == 0) m_entries.erase(it);
    return used;
  }
  return std::nullopt;
}

std::optional<AtError> CommandOverrides::error_numbered(unsigned number) {
  for (const auto& entry : error_table()) {
    if (static_cast<unsigned>(entry.error) == number && entry.error != AtError::none) {
      return entry.error;
    }
  }
  return std::nullopt;
}

}  // namespace spwf::atcmd
