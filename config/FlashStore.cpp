// The emulated flash: a state directory with config.json (the WCFG image) and blobs for later
// slots. A saved file that cannot be used stops the start-up with a message that names the file
// and the way out (--factory-reset); it is never overwritten silently.

#include "config/FlashStore.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "support/Log.hpp"

namespace spwf::config {
namespace {

constexpr std::string_view k_format_tag = "spwf04emu-flash";
constexpr int k_format_version = 1;
constexpr std::string_view k_config_file = "config.json";

[[noreturn]] void throw_unusable(const std::filesystem::path& path, const std::string& problem) {
  throw StartupError(path.string() + ": " + problem +
                     "; start with --factory-reset to discard the saved configuration");
}

// Where the TLS slots live (the earlier temporaries beside them are cleaned up at start).
constexpr std::string_view k_tls_directory = "tls";

}  // namespace

FlashStore::FlashStore(std::filesystem::path state_dir) : m_state(std::move(state_dir)) {
  m_state.remove_legacy_temporaries({});
  m_state.remove_legacy_temporaries(std::string(k_tls_directory));
}

std::filesystem::path FlashStore::config_path() const {
  return m_state.root() / k_config_file;
}

std::optional<nlohmann::json> FlashStore::load_config() const {
  const auto path = config_path();
  std::string text;
  if (auto error = m_state.read(std::string(k_config_file), text)) {
    if (error == std::errc::no_such_file_or_directory) return std::nullopt;
    throw_unusable(path, "cannot be read: " + error.message());
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
  std::string text;
  try {
    // Strings reach here in the byte-exact form of JsonBytes.hpp, so dump cannot meet invalid
    // UTF-8; should it ever, WCFG fails (error 101) instead of ending the process.
    text = document.dump(2) + "\n";
  } catch (const nlohmann::json::exception& failure) {
    log::error(config_path().string() + ": cannot be written: " + failure.what());
    return std::make_error_code(std::errc::illegal_byte_sequence);
  }
  return m_state.write(std::string(k_config_file), text);
}

std::error_code FlashStore::erase_config() {
  const auto error = m_state.remove(std::string(k_config_file));
  if (error == std::errc::no_such_file_or_directory) return {};  // nothing saved: not an error
  return error;
}

std::error_code FlashStore::write_blob(const std::filesystem::path& relative,
                                       std::string_view content) {
  if (relative.has_parent_path()) {
    if (auto error = m_state.create_directories(relative.parent_path())) return error;
  }
  return m_state.write(relative, content);
}

std::optional<std::string> FlashStore::read_blob(const std::filesystem::path& relative) const {
  std::string content;
  if (m_state.read(relative, content)) return std::nullopt;
  return content;
}

std::error_code FlashStore::remove_blob(const std::filesystem::path& relative) {
  return m_state.remove(relative);
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
