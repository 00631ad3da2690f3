#pragma once
// The emulator's diagnostic log: leveled lines on stderr (or --log-file) for the person running it.

#include <filesystem>
#include <string>
#include <string_view>

namespace spwf::log {

/// Severity of a log line; lines below the configured level are not written.
enum class Level { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 };

/// Sends the log to `path` (appended) instead of stderr; false with a reason when it cannot.
bool open_file(const std::filesystem::path& path, std::string& reason);
/// Closes the log file; later lines go to stderr again.
void close_file();
/// True when lines of `level` are written (to skip building text nobody reads).
inline bool enabled(Level level);
/// Sets the lowest level that is written (default: info).
void set_level(Level level);
/// Returns the lowest level that is written.
Level level();
/// Parses "trace|debug|info|warn|error|off"; returns false on an unknown name.
bool parse_level(std::string_view name, Level& out);
/// Writes one line "spwf04emu: <level>: <text>" to stderr (or the log file) if the level is
/// enabled.
void write(Level level, std::string_view text);

inline bool enabled(Level level) {
  return level >= spwf::log::level() && level != Level::off;
}

inline void trace(std::string_view text) {
  write(Level::trace, text);
}
inline void debug(std::string_view text) {
  write(Level::debug, text);
}
inline void info(std::string_view text) {
  write(Level::info, text);
}
inline void warn(std::string_view text) {
  write(Level::warn, text);
}
inline void error(std::string_view text) {
  write(Level::error, text);
}

}  // namespace spwf::log
