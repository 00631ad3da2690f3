#pragma once
// The module's file system (spec §3.9, adopted model of §9 Q37), without any AT knowledge.
//
// Volumes, selected by a "<n>:" prefix on a name:
//   0: the application volume — read-only, empty in the emulator (writes fail as "cannot open").
//   1: the user flash volume — every name without a prefix; persistent under <base>/user/ of the
//      state directory, capacity 1 MiB by default.
//   2: the RAM disk — in memory only, capacity ramdisk_memsize KB, emptied at every power-on.
//   3: the external volume — persistent under <base>/ext/, capacity 4 MiB by default.
//
// Names: after the optional prefix one leading '/' is dropped ("/a", "a" and "1:/a" are the same
// file). What remains must be 1..64 bytes, must not be made of dots only, and must not contain
// control bytes (NUL included), '/', '\\' or any other character FAT refuses (":*?\"<>|"): the
// module's volumes are flat, so no name can ever reach a directory other than its volume's.
// Matching ignores ASCII case, as FAT does; a file keeps the spelling it was created with.
//
// Persistent files are stored as "<name>.dat" in the volume's directory, every access goes
// through the StateDirectory (no link is followed or listed, temporaries live elsewhere) and every
// change is atomic (write-temp-then-rename, or a rename). Capacity is counted in bytes of file
// content (no cluster rounding).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "config/StateDirectory.hpp"

namespace spwf::config {

/// Why a file-system operation failed.
enum class FileError {
  unknown_volume = 1,  ///< the "<n>:" prefix names no volume
  not_mounted,         ///< the volume is unmounted (FSU)
  invalid_name,        ///< the name is empty, too long or has a forbidden character
  read_only,           ///< the application volume
  not_found,           ///< no such file
  already_exists,      ///< rename target exists
  no_space,            ///< the volume's capacity would be exceeded
  directory_full,      ///< a new file beyond limits::volume_files
  storage_failure,     ///< the host file system refused (see the log)
};

/// The error category of FileError.
const std::error_category& file_error_category();
/// Makes FileError usable as a std::error_code.
std::error_code make_error_code(FileError error);

/// Capacities of the volumes that do not depend on configuration variables.
struct FileSystemLimits {
  std::uint64_t user_bytes = 1024 * 1024;      ///< volume 1
  std::uint64_t external_bytes = 4096 * 1024;  ///< volume 3
};

/// One row of a listing.
struct FileEntry {
  unsigned volume;   ///< 0..3
  std::string name;  ///< as first spelt, without prefix or leading '/'
  std::uint64_t size;
};

/// Whether unmounting also erases the volume's files (AT+S.FSU's second field).
enum class UnmountMode { keep, erase };

/// The module's volumes and files.
class ModuleFileSystem {
 public:
  static constexpr unsigned application_volume = 0;
  static constexpr unsigned user_volume = 1;
  static constexpr unsigned ram_volume = 2;
  static constexpr unsigned external_volume = 3;
  static constexpr unsigned volume_count = 4;
  /// Longest accepted name (without prefix and leading '/').
  static constexpr std::size_t max_name_length = 64;

  /// Uses (creating if needed) <base>/user and <base>/ext of the state directory. Throws
  /// StartupError if it cannot.
  ModuleFileSystem(StateDirectory state, const std::filesystem::path& base,
                   FileSystemLimits limits = {});

  /// Power-on or reset: every volume mounted, the RAM disk emptied and resized, the persistent
  /// volumes read again from their directories.
  void power_on(std::uint64_t ram_disk_bytes);

  /// Checks everything an append of `length` bytes needs except the data (FSC before its payload).
  std::error_code check_append(std::string_view name, std::uint64_t length) const;
  /// Creates the file if needed and appends `data` (atomically for persistent volumes).
  std::error_code append(std::string_view name, std::string_view data);
  /// Reads a whole file.
  std::error_code read(std::string_view name, std::string& content) const;
  /// Reads a whole file; nullopt when it cannot be read (the TLS store's file lookup).
  std::optional<std::string> read(std::string_view name) const;
  /// Deletes a file.
  std::error_code remove(std::string_view name);
  /// Renames a file within its volume (the new name may carry the same prefix or none).
  std::error_code rename(std::string_view from, std::string_view to);
  /// Every file of every mounted volume, by volume, then by name ignoring case.
  std::vector<FileEntry> list() const;
  /// One file, or every file of one volume when `name` is only a prefix ("2:" or "2:/").
  std::error_code list(std::string_view name, std::vector<FileEntry>& entries) const;
  /// Free bytes of a volume (0 when unmounted or unknown).
  std::uint64_t free_bytes(unsigned volume) const;
  /// Whether a volume is mounted (false for an unknown volume).
  bool is_mounted(unsigned volume) const;
  /// Mounts a volume (no effect when mounted).
  std::error_code mount(unsigned volume);
  /// Unmounts a volume, optionally erasing its files first.
  std::error_code unmount(unsigned volume, UnmountMode mode);

 private:
  struct StoredFile {
    std::string spelling;
    std::uint64_t size = 0;
    std::string content;  // RAM disk only
  };
  struct Volume {
    std::optional<std::filesystem::path> directory;  // below the state directory; nullopt: RAM
    std::uint64_t capacity = 0;
    bool read_only = false;
    bool mounted = true;
    std::map<std::string, StoredFile> files;  // by lower-case name
  };
  struct Location {
    unsigned volume;
    std::string name;  // validated, as given
    std::string key;   // lower case
  };

  /// Splits and validates a module name; the volume must exist and be mounted.
  std::error_code locate(std::string_view name, Location& location) const;
  std::uint64_t used_bytes(const Volume& volume) const;
  void rescan(Volume& volume);
  std::filesystem::path data_path(const Volume& volume, const std::string& spelling) const;

  StateDirectory m_state;
  FileSystemLimits m_limits;
  Volume m_volumes[volume_count];
};

}  // namespace spwf::config

template <>
struct std::is_error_code_enum<spwf::config::FileError> : std::true_type {};
