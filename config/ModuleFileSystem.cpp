// The module's volumes: an in-memory index per volume (lower-case name -> spelling and size), the
// RAM disk's contents in memory, the flash volumes' contents in flat directories. Names are
// validated before any path is built, and a path is only ever <volume dir>/<validated name>.dat.

#include "config/ModuleFileSystem.hpp"

#include <algorithm>
#include <utility>

#include "support/Limits.hpp"

namespace spwf::config {
namespace {

constexpr std::string_view k_data_suffix = ".dat";

class FileErrorCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "module-file-system"; }
  std::string message(int value) const override {
    switch (static_cast<FileError>(value)) {
      case FileError::unknown_volume:
        return "no such volume";
      case FileError::not_mounted:
        return "volume not mounted";
      case FileError::invalid_name:
        return "invalid file name";
      case FileError::read_only:
        return "read-only volume";
      case FileError::not_found:
        return "no such file";
      case FileError::already_exists:
        return "file exists";
      case FileError::no_space:
        return "no space left on the volume";
      case FileError::directory_full:
        return "the volume's directory is full";
      case FileError::storage_failure:
        return "host storage failure";
    }
    return "unknown file-system error";
  }
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower_case(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), lower);
  return result;
}

// FAT's rules for a long file name, plus no path separators at all: the volumes are flat.
bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > ModuleFileSystem::max_name_length) return false;
  if (name.find_first_not_of('.') == std::string_view::npos) return false;  // ".", "..", ...
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos) return false;
  }
  return true;
}

// The volume a module name selects and the rest of the name, with one leading '/' dropped.
struct SplitName {
  std::optional<unsigned> volume;  // nullopt: no prefix
  std::string_view rest;
};

SplitName split(std::string_view name) {
  SplitName result;
  if (name.size() >= 2 && name[0] >= '0' && name[0] <= '9' && name[1] == ':') {
    result.volume = static_cast<unsigned>(name[0] - '0');
    name.remove_prefix(2);
  }
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  result.rest = name;
  return result;
}

std::error_code storage_failure() {
  return make_error_code(FileError::storage_failure);
}

}  // namespace

const std::error_category& file_error_category() {
  static const FileErrorCategory category;
  return category;
}

std::error_code make_error_code(FileError error) {
  return {static_cast<int>(error), file_error_category()};
}

ModuleFileSystem::ModuleFileSystem(StateDirectory state, const std::filesystem::path& base,
                                   FileSystemLimits limits)
    : m_state(std::move(state)), m_limits(limits) {
  m_volumes[application_volume].read_only = true;
  m_volumes[user_volume].directory = base / "user";
  m_volumes[user_volume].capacity = m_limits.user_bytes;
  m_volumes[external_volume].directory = base / "ext";
  m_volumes[external_volume].capacity = m_limits.external_bytes;
  for (Volume& volume : m_volumes) {
    if (!volume.directory) continue;
    if (auto error = m_state.create_directories(*volume.directory)) {
      throw StartupError((m_state.root() / *volume.directory).string() +
                         ": cannot use the file-system volume: " + error.message());
    }
    m_state.remove_legacy_temporaries(*volume.directory);
    rescan(volume);
  }
}

void ModuleFileSystem::power_on(std::uint64_t ram_disk_bytes) {
  for (Volume& volume : m_volumes) {
    volume.mounted = true;
    if (volume.directory) rescan(volume);
  }
  Volume& ram = m_volumes[ram_volume];
  ram.files.clear();
  ram.capacity = ram_disk_bytes;
}

// Reads a persistent volume's index from its directory. Only regular files named "<valid>.dat"
// count; anything else (put there by hand, a link, a directory) is ignored, as is a second
// spelling of a name already seen.
void ModuleFileSystem::rescan(Volume& volume) {
  volume.files.clear();
  std::vector<StateFile> stored;
  m_state.list_files(*volume.directory, stored);
  for (const auto& file : stored) {
    if (!file.name.ends_with(k_data_suffix)) continue;
    const std::string name = file.name.substr(0, file.name.size() - k_data_suffix.size());
    if (!is_valid_name(name)) continue;
    volume.files.try_emplace(lower_case(name), StoredFile{name, file.size, {}});
  }
}

std::filesystem::path ModuleFileSystem::data_path(const Volume& volume,
                                                  const std::string& spelling) const {
  return *volume.directory / (spelling + std::string(k_data_suffix));
}

std::error_code ModuleFileSystem::locate(std::string_view name, Location& location) const {
  const SplitName parts = split(name);
  const unsigned volume = parts.volume.value_or(user_volume);
  if (volume >= volume_count) return make_error_code(FileError::unknown_volume);
  if (!m_volumes[volume].mounted) return make_error_code(FileError::not_mounted);
  if (!is_valid_name(parts.rest)) return make_error_code(FileError::invalid_name);
  location.volume = volume;
  location.name = std::string(parts.rest);
  location.key = lower_case(parts.rest);
  return {};
}

std::uint64_t ModuleFileSystem::used_bytes(const Volume& volume) const {
  std::uint64_t used = 0;
  for (const auto& [key, file] : volume.files) used += file.size;
  return used;
}

std::uint64_t ModuleFileSystem::free_bytes(unsigned volume) const {
  if (volume >= volume_count || !m_volumes[volume].mounted) return 0;
  const Volume& chosen = m_volumes[volume];
  const std::uint64_t used = used_bytes(chosen);
  return used >= chosen.capacity ? 0 : chosen.capacity - used;
}

bool ModuleFileSystem::is_mounted(unsigned volume) const {
  return volume < volume_count && m_volumes[volume].mounted;
}

std::error_code ModuleFileSystem::check_append(std::string_view name, std::uint64_t length) const {
  Location location;
  if (auto error = locate(name, location)) return error;
  const Volume& volume = m_volumes[location.volume];
  if (volume.read_only) return make_error_code(FileError::read_only);
  if (length > free_bytes(location.volume)) return make_error_code(FileError::no_space);
  if (!volume.files.contains(location.key) && volume.files.size() >= limits::volume_files) {
    return make_error_code(FileError::directory_full);
  }
  return {};
}

std::error_code ModuleFileSystem::append(std::string_view name, std::string_view data) {
  if (auto error = check_append(name, data.size())) return error;
  Location location;
  locate(name, location);
  Volume& volume = m_volumes[location.volume];
  const auto existing = volume.files.find(location.key);
  const std::string spelling =
      existing != volume.files.end() ? existing->second.spelling : location.name;
  if (!volume.directory) {
    StoredFile& file = volume.files[location.key];
    file.spelling = spelling;
    file.content.append(data);
    file.size = file.content.size();
    return {};
  }
  std::string content;
  const auto path = data_path(volume, spelling);
  if (existing != volume.files.end() && m_state.read(path, content)) return storage_failure();
  content.append(data);
  if (auto error = m_state.write(path, content)) {
    // A full host disk is, as far as the module can tell, a volume out of room (spec §3.9: 32).
    if (error == std::errc::no_space_on_device) return make_error_code(FileError::no_space);
    return storage_failure();
  }
  volume.files[location.key] = StoredFile{spelling, content.size(), {}};
  return {};
}

std::error_code ModuleFileSystem::read(std::string_view name, std::string& content) const {
  Location location;
  if (auto error = locate(name, location)) return error;
  const Volume& volume = m_volumes[location.volume];
  const auto found = volume.files.find(location.key);
  if (found == volume.files.end()) return make_error_code(FileError::not_found);
  if (!volume.directory) {
    content = found->second.content;
    return {};
  }
  if (m_state.read(data_path(volume, found->second.spelling), content)) return storage_failure();
  return {};
}

std::optional<std::string> ModuleFileSystem::read(std::string_view name) const {
  std::string content;
  if (read(name, content)) return std::nullopt;
  return content;
}

std::error_code ModuleFileSystem::remove(std::string_view name) {
  Location location;
  if (auto error = locate(name, location)) return error;
  Volume& volume = m_volumes[location.volume];
  if (volume.read_only) return make_error_code(FileError::read_only);
  const auto found = volume.files.find(location.key);
  if (found == volume.files.end()) return make_error_code(FileError::not_found);
  if (volume.directory) {
    if (m_state.remove(data_path(volume, found->second.spelling))) return storage_failure();
  }
  volume.files.erase(found);
  return {};
}

std::error_code ModuleFileSystem::rename(std::string_view from, std::string_view to) {
  Location source;
  if (auto error = locate(from, source)) return error;
  // The new name stays on the old name's volume; a prefix naming another volume is refused.
  const SplitName target_parts = split(to);
  if (target_parts.volume && *target_parts.volume != source.volume) {
    return make_error_code(FileError::invalid_name);
  }
  if (!is_valid_name(target_parts.rest)) return make_error_code(FileError::invalid_name);
  Volume& volume = m_volumes[source.volume];
  if (volume.read_only) return make_error_code(FileError::read_only);
  const auto found = volume.files.find(source.key);
  if (found == volume.files.end()) return make_error_code(FileError::not_found);
  const std::string target_name(target_parts.rest);
  const std::string target_key = lower_case(target_name);
  // Renaming to another spelling of the same name only changes the spelling.
  if (target_key != source.key && volume.files.contains(target_key)) {
    return make_error_code(FileError::already_exists);
  }
  StoredFile file = std::move(found->second);
  if (volume.directory) {
    if (m_state.rename(data_path(volume, file.spelling), data_path(volume, target_name))) {
      found->second = std::move(file);
      return storage_failure();
    }
  }
  volume.files.erase(found);
  file.spelling = target_name;
  volume.files[target_key] = std::move(file);
  return {};
}

std::vector<FileEntry> ModuleFileSystem::list() const {
  std::vector<FileEntry> entries;
  for (unsigned index = 0; index < volume_count; ++index) {
    const Volume& volume = m_volumes[index];
    if (!volume.mounted) continue;
    for (const auto& [key, file] : volume.files) {
      entries.push_back(FileEntry{index, file.spelling, file.size});
    }
  }
  return entries;
}

std::error_code ModuleFileSystem::list(std::string_view name,
                                       std::vector<FileEntry>& entries) const {
  entries.clear();
  const SplitName parts = split(name);
  if (parts.volume && parts.rest.empty()) {
    const unsigned index = *parts.volume;
    if (index >= volume_count) return make_error_code(FileError::unknown_volume);
    if (!m_volumes[index].mounted) return make_error_code(FileError::not_mounted);
    for (const auto& [key, file] : m_volumes[index].files) {
      entries.push_back(FileEntry{index, file.spelling, file.size});
    }
    return {};
  }
  Location location;
  if (auto error = locate(name, location)) return error;
  const Volume& volume = m_volumes[location.volume];
  const auto found = volume.files.find(location.key);
  if (found == volume.files.end()) return make_error_code(FileError::not_found);
  entries.push_back(FileEntry{location.volume, found->second.spelling, found->second.size});
  return {};
}

std::error_code ModuleFileSystem::mount(unsigned volume) {
  if (volume >= volume_count) return make_error_code(FileError::unknown_volume);
  Volume& chosen = m_volumes[volume];
  if (!chosen.mounted && chosen.directory) rescan(chosen);
  chosen.mounted = true;
  return {};
}

std::error_code ModuleFileSystem::unmount(unsigned volume, UnmountMode mode) {
  if (volume >= volume_count) return make_error_code(FileError::unknown_volume);
  Volume& chosen = m_volumes[volume];
  if (mode == UnmountMode::erase) {
    if (chosen.read_only) return make_error_code(FileError::read_only);
    if (chosen.directory) {
      // Read the directory afresh so files changed behind our back are erased too.
      if (!chosen.mounted) rescan(chosen);
      for (auto it = chosen.files.begin(); it != chosen.files.end();) {
        if (m_state.remove(data_path(chosen, it->second.spelling))) return storage_failure();
        it = chosen.files.erase(it);
      }
    }
    chosen.files.clear();
  }
  chosen.mounted = false;
  return {};
}

}  // namespace spwf::config
