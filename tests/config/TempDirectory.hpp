#pragma once
// A fresh directory under GoogleTest's temp dir for one test, removed (with its contents) when the
// test ends.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace spwf::config::testing_support {

/// Owns a mkdtemp directory and removes it on destruction.
class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "spwf-config-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  ~TempDirectory() {
    std::error_code ignored;
    // Restore write permission first so a test that made a subdirectory read-only still cleans up.
    for (auto entry = std::filesystem::recursive_directory_iterator(m_path, ignored);
         !ignored && entry != std::filesystem::recursive_directory_iterator();
         entry.increment(ignored)) {
      if (entry->is_directory(ignored)) {
        std::filesystem::permissions(entry->path(), std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ignored);
      }
    }
    std::filesystem::remove_all(m_path, ignored);
  }

  /// The directory's path.
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

}  // namespace spwf::config::testing_support
