// Write-temp-then-rename with POSIX calls, so every failure is an errno we can hand back as a
// std::error_code and the fsync points are explicit.

#include "config/AtomicFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace spwf::config {
namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

// Closes a descriptor on every path out of a scope unless released first.
class FileDescriptor {
 public:
  explicit FileDescriptor(int descriptor) : m_descriptor(descriptor) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (m_descriptor >= 0) ::close(m_descriptor);
  }

  int get() const { return m_descriptor; }
  bool valid() const { return m_descriptor >= 0; }
  /// Closes now and reports the result (close can report a delayed write error).
  std::error_code close() {
    const int descriptor = m_descriptor;
    m_descriptor = -1;
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

// Makes the rename itself durable.
std::error_code sync_directory(const std::filesystem::path& directory) {
  FileDescriptor descriptor(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!descriptor.valid()) return last_error();
  if (::fsync(descriptor.get()) != 0) return last_error();
  return descriptor.close();
}

// A name beside the target that no other writer in this or another process picks.
std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  auto name = path.filename().string();
  name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return path.parent_path() / name;
}

std::error_code write_temporary(const std::filesystem::path& temporary, std::string_view content) {
  FileDescriptor descriptor(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!descriptor.valid()) return last_error();
  if (auto error = write_all(descriptor.get(), content)) return error;
  if (::fsync(descriptor.get()) != 0) return last_error();
  return descriptor.close();
}

}  // namespace

std::error_code atomic_write(const std::filesystem::path& path, std::string_view content) {
  const auto temporary = temporary_path_for(path);
  auto error = write_temporary(temporary, content);
  if (!error && ::rename(temporary.c_str(), path.c_str()) != 0) error = last_error();
  if (error) {
    ::unlink(temporary.c_str());  // may not exist if open failed; nothing more to do then
    return error;
  }
  const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  return sync_directory(directory);
}

std::error_code read_file(const std::filesystem::path& path, std::string& content) {
  FileDescriptor descriptor(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!descriptor.valid()) return last_error();
  std::string result;
  char buffer[8192];
  while (true) {
    const ssize_t count = ::read(descriptor.get(), buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (count == 0) break;
    result.append(buffer, static_cast<std::size_t>(count));
  }
  content = std::move(result);
  return {};
}

}  // namespace spwf::config
