#pragma once
// The module's flash under the state directory: saved configuration (config.json), and later the
// TLS certificate slots and the file-system volumes. Every write is atomic.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>

#include "config/StateDirectory.hpp"

namespace spwf::config {

/// The state directory and the files the emulated flash keeps in it.
class FlashStore {
 public:
  /// Uses (and creates, if missing) the state directory. Throws StartupError if it cannot.
  explicit FlashStore(std::filesystem::path state_dir);

  const std::filesystem::path& directory() const { return m_state.root(); }
  /// Every access to the files of the state directory goes through this.
  const StateDirectory& state() const { return m_state; }
  /// Path of the saved configuration file.
  std::filesystem::path config_path() const;

  /// The saved configuration, or nullopt if never saved. Throws StartupError when the file
  /// exists but cannot be read or parsed.
  std::optional<nlohmann::json> load_config() const;
  /// WCFG: saves atomically. Returns the failure (the handler answers error 101).
  std::error_code save_config(const nlohmann::json& values);
  /// --factory-reset: removes the saved configuration (certificates and files are kept).
  std::error_code erase_config();

  /// Generic helpers for later slots (certificates, files): atomic write and read of a file
  /// below the state directory, named by a relative path the caller has already validated.
  std::error_code write_blob(const std::filesystem::path& relative, std::string_view content);
  std::optional<std::string> read_blob(const std::filesystem::path& relative) const;
  std::error_code remove_blob(const std::filesystem::path& relative);

 private:
  StateDirectory m_state;
};

/// Default state directory: $XDG_STATE_HOME/spwf04emu or ~/.local/state/spwf04emu.
std::filesystem::path default_state_directory();

}  // namespace spwf::config
