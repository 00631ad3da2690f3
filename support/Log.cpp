#include "support/Log.hpp"

#include <array>
#include <cstdio>

namespace spwf::log {
namespace {
Level g_level = Level::info;
constexpr std::array<std::string_view, 6> k_names = {"trace", "debug", "info",
                                                     "warn",  "error", "off"};
}  // namespace

void set_level(Level level) {
  g_level = level;
}
Level level() {
  return g_level;
}

bool parse_level(std::string_view name, Level& out) {
  for (std::size_t i = 0; i < k_names.size(); ++i) {
    if (k_names[i] == name) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void write(Level level, std::string_view text) {
  if (level < g_level || level == Level::off) return;
  std::string line = "spwf04emu: ";
  line += k_names[static_cast<std::size_t>(level)];
  line += ": ";
  line += text;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace spwf::log
