#include "support/Log.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace spwf::log {
namespace {
Level g_level = Level::info;
std::FILE* g_file = nullptr;  ///< --log-file; stderr when null
constexpr std::array<std::string_view, 6> k_names = {"trace", "debug", "info",
                                                     "warn",  "error", "off"};
}  // namespace

bool open_file(const std::filesystem::path& path, std::string& reason) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    reason = "--log-file " + path.string() + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  close_file();
  g_file = file;
  return true;
}

void close_file() {
  if (g_file != nullptr) std::fclose(g_file);
  g_file = nullptr;
}

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
  std::FILE* out = g_file != nullptr ? g_file : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

}  // namespace spwf::log
