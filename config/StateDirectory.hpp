#pragma once
// The one way into the state directory (the module's flash). Every state file — config.json, the
// TLS slots, the file-system volumes — is reached through a StateDirectory, which:
//   - walks every path below the root one component at a time with O_NOFOLLOW, so a symbolic
//     link planted anywhere below the root (a file or a directory) is never followed: reading
//     it fails, listing skips it, writing replaces the link itself;
//   - reads and lists regular files only (no FIFOs, devices, directories);
//   - replaces files atomically through a temporary in <root>/tmp/, a directory no module name
//     can reach, so no name the user chooses collides with a temporary; leftovers of a killed
//     emulator there are removed at start.
// The root itself may be a link the user made (--state-dir is the user's choice).

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace spwf::config {

/// Thrown at start-up when the saved state cannot be used; the message names the file and says
/// how to recover. Never thrown after start-up.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A regular file of a listed directory.
struct StateFile {
  std::string name;
  std::uint64_t size = 0;
};

/// The state directory and every access to the files below it.
class StateDirectory {
 public:
  /// Where temporaries live, relative to the root.
  static constexpr std::string_view temporary_directory = "tmp";

  /// Uses (and creates, if missing) the root and its tmp/; removes the emulator's leftover
  /// temporaries there. Throws StartupError if the root cannot be used.
  explicit StateDirectory(std::filesystem::path root);

  const std::filesystem::path& root() const { return m_root; }

  /// Creates the directories of `relative` that are missing (none may be a link).
  std::error_code create_directories(const std::filesystem::path& relative) const;
  /// Replaces the file `relative` with `content` atomically (temporary, fsync, rename, fsync).
  std::error_code write(const std::filesystem::path& relative, std::string_view content) const;
  /// Reads the regular file `relative`; a link, a directory or a device is an error.
  std::error_code read(const std::filesystem::path& relative, std::string& content) const;
  /// Removes the entry `relative` (a link is removed, never its target).
  std::error_code remove(const std::filesystem::path& relative) const;
  /// Renames an entry (both paths below the root).
  std::error_code rename(const std::filesystem::path& from, const std::filesystem::path& to) const;
  /// The regular files directly in the directory `relative`, by name; links are not listed.
  std::error_code list_files(const std::filesystem::path& relative,
                             std::vector<StateFile>& files) const;
  /// Removes leftovers of the earlier temporary scheme ("<name>.tmp-<pid>-<n>" beside the
  /// target) in the directory `relative`; data files (config.json, "<name>.dat", the TLS slots)
  /// never have such a name.
  void remove_legacy_temporaries(const std::filesystem::path& relative) const;

 private:
  void remove_stale_temporaries() const;

  std::filesystem::path m_root;
};

/// Reads a whole file the user names (the emulator configuration): links are followed.
std::error_code read_file(const std::filesystem::path& path, std::string& content);

}  // namespace spwf::config
