// POSIX *at() calls on descriptors, so that no path below the root is ever resolved by the kernel
// in one go: each component is opened with O_NOFOLLOW and every failure is an errno handed back
// as a std::error_code.

#include "config/StateDirectory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <utility>

#include "support/Limits.hpp"

namespace spwf::config {
namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

std::error_code error_of(std::errc code) {
  return std::make_error_code(code);
}

// Closes a descriptor on every path out of a scope unless closed first.
class FileDescriptor {
 public:
  explicit FileDescriptor(int descriptor = -1) : m_descriptor(descriptor) {}
  FileDescriptor(FileDescriptor&& other) noexcept : m_descriptor(other.m_descriptor) {
    other.m_descriptor = -1;
  }
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    std::swap(m_descriptor, other.m_descriptor);
    return *this;
  }
  ~FileDescriptor() {
    if (m_descriptor >= 0) ::close(m_descriptor);
  }

  int get() const { return m_descriptor; }
  bool valid() const { return m_descriptor >= 0; }
  /// Closes now and reports the result (close can report a delayed write error).
  std::error_code close() {
    const int descriptor = std::exchange(m_descriptor, -1);
    if (::close(descriptor) != 0) return last_error();
    return {};
  }

 private:
  int m_descriptor;
};

std::error_code write_all(int descriptor, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(descriptor, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

std::error_code read_all(int descriptor, std::string& content) {
  std::string result;
  char buffer[8192];
  while (true) {
    const ssize_t count = ::read(descriptor, buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (count == 0) break;
    // A planted file (a sparse one costs nothing) must not be read into memory whole.
    if (result.size() + static_cast<std::size_t>(count) > limits::state_file_bytes) {
      return error_of(std::errc::file_too_large);
    }
    result.append(buffer, static_cast<std::size_t>(count));
  }
  content = std::move(result);
  return {};
}

constexpr int k_directory_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// The components of a path below the root: none empty, ".", ".." or absolute. An empty path is
// the root itself.
bool split_relative(const std::filesystem::path& relative, std::vector<std::string>& parts) {
  parts.clear();
  if (relative.is_absolute()) return false;
  for (const auto& part : relative) {
    const std::string text = part.string();
    if (text.empty() || text == "." || text == "..") return false;
    parts.push_back(text);
  }
  return true;
}

// Walks `parts` from the root without following any link, creating missing directories when
// `create` is set.
std::error_code walk(const std::filesystem::path& root, const std::vector<std::string>& parts,
                     bool create, FileDescriptor& directory) {
  FileDescriptor current(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!current.valid()) return last_error();
  for (const auto& part : parts) {
    FileDescriptor next(::openat(current.get(), part.c_str(), k_directory_flags));
    if (!next.valid() && errno == ENOENT && create) {
      if (::mkdirat(current.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
        return last_error();
      }
      next = FileDescriptor(::openat(current.get(), part.c_str(), k_directory_flags));
    }
    if (!next.valid()) return last_error();  // ELOOP/ENOTDIR: a link or a file in the way
    current = std::move(next);
  }
  directory = std::move(current);
  return {};
}

// The directory `relative` (empty: the root).
std::error_code open_directory(const std::filesystem::path& root,
                               const std::filesystem::path& relative, bool create,
                               FileDescriptor& directory) {
  std::vector<std::string> parts;
  if (!split_relative(relative, parts)) return error_of(std::errc::invalid_argument);
  return walk(root, parts, create, directory);
}

// The directory that holds `relative`'s last component; `last` receives that component.
std::error_code open_parent(const std::filesystem::path& root,
                            const std::filesystem::path& relative, FileDescriptor& parent,
                            std::string& last) {
  std::vector<std::string> parts;
  if (!split_relative(relative, parts) || parts.empty()) {
    return error_of(std::errc::invalid_argument);
  }
  last = parts.back();
  parts.pop_back();
  return walk(root, parts, false, parent);
}

// Makes a rename or creation in the directory durable.
std::error_code sync(int directory) {
  if (::fsync(directory) != 0) return last_error();
  return {};
}

// A name in tmp/ that no other writer in this or another process picks: "<pid>-<n>".
std::string temporary_name() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "<digits>-<digits>", the whole of a temporary's name in tmp/.
bool is_temporary_name(std::string_view name) {
  const auto dash = name.find('-');
  return dash != std::string_view::npos && all_digits(name.substr(0, dash)) &&
         all_digits(name.substr(dash + 1));
}

std::error_code write_temporary(int directory, const std::string& name, std::string_view content) {
  FileDescriptor file(::openat(directory, name.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file.valid()) return last_error();
  if (auto error = write_all(file.get(), content)) return error;
  if (::fsync(file.get()) != 0) return last_error();
  return file.close();
}

// Regular files only; O_NONBLOCK keeps a planted FIFO from blocking the open.
std::error_code read_regular(int directory, const std::string& name, std::string& content) {
  FileDescriptor file(
      ::openat(directory, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file.valid()) return last_error();
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return last_error();
  if (S_ISDIR(status.st_mode)) return error_of(std::errc::is_a_directory);
  if (!S_ISREG(status.st_mode)) return error_of(std::errc::operation_not_permitted);
  if (static_cast<std::uint64_t>(status.st_size) > limits::state_file_bytes) {
    return error_of(std::errc::file_too_large);
  }
  return read_all(file.get(), content);
}

}  // namespace

StateDirectory::StateDirectory(std::filesystem::path root) : m_root(std::move(root)) {
  std::error_code error;
  std::filesystem::create_directories(m_root, error);
  if (!error && !std::filesystem::is_directory(m_root, error) && !error) {
    error = error_of(std::errc::not_a_directory);
  }
  if (!error) error = create_directories(std::string(temporary_directory));
  if (error) {
    throw StartupError(m_root.string() + ": cannot use the state directory: " + error.message());
  }
  remove_stale_temporaries();
}

std::error_code StateDirectory::create_directories(const std::filesystem::path& relative) const {
  FileDescriptor directory;
  return open_directory(m_root, relative, true, directory);
}

std::error_code StateDirectory::write(const std::filesystem::path& relative,
                                      std::string_view content) const {
  FileDescriptor parent, temporaries;
  std::string last;
  if (auto error = open_parent(m_root, relative, parent, last)) return error;
  const std::filesystem::path temporary_path(temporary_directory);
  if (auto error = open_directory(m_root, temporary_path, false, temporaries)) return error;
  const std::string name = temporary_name();
  auto error = write_temporary(temporaries.get(), name, content);
  if (!error && ::renameat(temporaries.get(), name.c_str(), parent.get(), last.c_str()) != 0) {
    error = last_error();
  }
  if (error) {
    ::unlinkat(temporaries.get(), name.c_str(), 0);  // may not exist if the open failed
    return error;
  }
  return sync(parent.get());
}

std::error_code StateDirectory::read(const std::filesystem::path& relative,
                                     std::string& content) const {
  FileDescriptor parent;
  std::string last;
  if (auto error = open_parent(m_root, relative, parent, last)) return error;
  return read_regular(parent.get(), last, content);
}

std::error_code StateDirectory::remove(const std::filesystem::path& relative) const {
  FileDescriptor parent;
  std::string last;
  if (auto error = open_parent(m_root, relative, parent, last)) return error;
  if (::unlinkat(parent.get(), last.c_str(), 0) != 0) return last_error();
  return sync(parent.get());
}

std::error_code StateDirectory::rename(const std::filesystem::path& from,
                                       const std::filesystem::path& to) const {
  FileDescriptor source_parent, target_parent;
  std::string source, target;
  if (auto error = open_parent(m_root, from, source_parent, source)) return error;
  if (auto error = open_parent(m_root, to, target_parent, target)) return error;
  if (::renameat(source_parent.get(), source.c_str(), target_parent.get(), target.c_str()) != 0) {
    return last_error();
  }
  return sync(target_parent.get());
}

std::error_code StateDirectory::list_files(const std::filesystem::path& relative,
                                           std::vector<StateFile>& files) const {
  files.clear();
  FileDescriptor listed;
  if (auto error = open_directory(m_root, relative, false, listed)) return error;
  const int descriptor = ::dup(listed.get());
  if (descriptor < 0) return last_error();
  DIR* directory = ::fdopendir(descriptor);  // owns the descriptor from here on
  if (directory == nullptr) {
    const auto error = last_error();
    ::close(descriptor);
    return error;
  }
  while (const dirent* entry = ::readdir(directory)) {
    struct stat status {};
    if (::fstatat(descriptor, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISREG(status.st_mode)) continue;
    files.push_back(StateFile{entry->d_name, static_cast<std::uint64_t>(status.st_size)});
  }
  ::closedir(directory);
  std::sort(files.begin(), files.end(),
            [](const StateFile& left, const StateFile& right) { return left.name < right.name; });
  return {};
}

// Everything in tmp/ named like a temporary is a leftover of a writer that was killed between
// writing and renaming: it never replaced its target and holds nothing worth keeping.
void StateDirectory::remove_stale_temporaries() const {
  std::vector<StateFile> files;
  if (list_files(std::string(temporary_directory), files)) return;
  for (const auto& file : files) {
    if (is_temporary_name(file.name)) {
      remove(std::filesystem::path(temporary_directory) / file.name);
    }
  }
}

void StateDirectory::remove_legacy_temporaries(const std::filesystem::path& relative) const {
  std::vector<StateFile> files;
  if (list_files(relative, files)) return;
  for (const auto& file : files) {
    const auto marker = file.name.rfind(".tmp-");
    if (marker != std::string::npos && marker > 0 &&
        is_temporary_name(std::string_view(file.name).substr(marker + 5))) {
      remove(relative / file.name);
    }
  }
}

std::error_code read_file(const std::filesystem::path& path, std::string& content) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.valid()) return last_error();
  return read_all(file.get(), content);
}

}  // namespace spwf::config
