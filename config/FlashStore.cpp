// The emulated flash: a state directory with config.json (the WCFG image) and blobs for later
// slots. A saved file that cannot be used stops the start-up with a message that names the file
// and the way out (--factory-reset); it is never overwritten silently.

#include "config/FlashStore.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "config/AtomicFile.hpp"

namespace spwf::config {
namespace {

constexpr std::string_view k_format_tag = "spwf04emu-flash";
constexpr int k_format_version = 1;
constexpr std::string_view k_config_file = "config.json";

[[noreturn]] void throw_unusable(const std::filesystem::path& path, const std::string& problem) {
  throw StartupError(path.string() + ": " + problem +
                     "; start with --factory-reset to discard the saved configuration");
}

// Leftovers of atomic_write from a crash between write and rename ("config.json.tmp-<pid>-<n>").
// They never replaced the target, so they hold nothing worth keeping.
void remove_stale_temporaries(const std::filesystem::path& directory) {
  std::error_code error;
  const std::string prefix = std::string(k_config_file) + ".tmp-";
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    if (entry->path().filename().string().starts_with(prefix)) {
      std::error_code ignored;
      std::filesystem::remove(entry->path(), ignored);
    }
  }
}

// A blob path must stay below the state directory.
bool is_contained(const std::filesystem::path& relative) {
  if (relative.empty() || relative.is_absolute()) return false;
  for (const auto& part : relative) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

FlashStore::FlashStore(std::filesystem::path state_dir) : m_dir(std::move(state_dir)) {
  std::error_code error;
  std::filesystem::create_directories(m_dir, error);
  if (!error && !std::filesystem::is_directory(m_dir, error) && !error) {
    error = std::make_error_code(std::errc::not_a_directory);
  }
  if (error) {
    throw StartupError(m_dir.string() + ": cannot use the state directory: " + error.message());
  }
  remove_stale_temporaries(m_dir);
}

std::filesystem::path FlashStore::config_path() const {
  return m_dir / k_config_file;
}

std::optional<nlohmann::json> FlashStore::load_config() const {
  const auto path = config_path();
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) throw_unusable(path, "cannot be checked: " + error.message());
  if (!exists) return std::nullopt;

  std::string text;
  if (auto read_error = read_file(path, text)) {
    throw_unusable(path, "cannot be read: " + read_error.message());
  }
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw_unusable(path, std::string("is not valid JSON (") + error.what() + ")");
  }
  if (!document.is_object()) throw_unusable(path, "is not a JSON object");
  const auto format = document.find("format");
  if (format == document.end() || !format->is_string() || *format != k_format_tag) {
    throw_unusable(path, "is not a saved configuration (expected \"format\": \"" +
                             std::string(k_format_tag) + "\")");
  }
  const auto version = document.find("version");
  if (version == document.end() || !version->is_number_integer() || *version != k_format_version) {
    throw_unusable(
        path, "has an unsupported \"version\" (expected " + std::to_string(k_format_version) + ")");
  }
  const auto variables = document.find("variables");
  if (variables == document.end() || !variables->is_object()) {
    throw_unusable(path, "has no \"variables\" object");
  }
  return std::move(*variables);
}

std::error_code FlashStore::save_config(const nlohmann::json& values) {
  const nlohmann::json document = {
      {"format", k_format_tag},
      {"version", k_format_version},
      {"variables", values},
  };
  return atomic_write(config_path(), document.dump(2) + "\n");
}

std::error_code FlashStore::erase_config() {
  std::error_code error;
  std::filesystem::remove(config_path(), error);  // a missing file is not an error
  if (!error) remove_stale_temporaries(m_dir);
  return error;
}

std::error_code FlashStore::write_blob(const std::filesystem::path& relative,
                                       std::string_view content) {
  if (!is_contained(relative)) return std::make_error_code(std::errc::invalid_argument);
  const auto path = m_dir / relative;
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return error;
  return atomic_write(path, content);
}

std::optional<std::string> FlashStore::read_blob(const std::filesystem::path& relative) const {
  if (!is_contained(relative)) return std::nullopt;
  std::string content;
  if (read_file(m_dir / relative, content)) return std::nullopt;
  return content;
}

std::error_code FlashStore::remove_blob(const std::filesystem::path& relative) {
  if (!is_contained(relative)) return std::make_error_code(std::errc::invalid_argument);
  std::error_code error;
  if (!std::filesystem::remove(m_dir / relative, error) && !error) {
    error = std::make_error_code(std::errc::no_such_file_or_directory);
  }
  return error;
}

std::filesystem::path default_state_directory() {
  // XDG Base Directory: relative values are invalid and must be ignored.
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && state[0] == '/') {
    return std::filesystem::path(state) / "spwf04emu";
  }
  std::filesystem::path home;
  if (const char* value = std::getenv("HOME"); value != nullptr && value[0] != '\0') {
    home = value;
  } else if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr) {
    home = entry->pw_dir;
  } else {
    home = ".";
  }
  return home / ".local" / "state" / "spwf04emu";
}

}  // namespace spwf::config
