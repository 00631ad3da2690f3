// Covers config/AtomicFile: whole-file replacement through a temporary beside the target, the
// state after a crash between write and rename, failures reported as error codes with the
// original left intact and no temporary left behind, and read_file.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "config/AtomicFile.hpp"
#include "tests/config/TempDirectory.hpp"

namespace spwf::config {
namespace {

using testing_support::TempDirectory;

void write_plain(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string read_or_fail(const std::filesystem::path& path) {
  std::string content;
  const auto error = read_file(path, content);
  EXPECT_FALSE(error) << path << ": " << error.message();
  return content;
}

std::size_t count_entries(const std::filesystem::path& directory) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++count;
  return count;
}

TEST(AtomicFileTest, CreatesAndReplacesTheTarget) {
  const TempDirectory directory;
  const auto target = directory.path() / "config.json";
  ASSERT_FALSE(atomic_write(target, "first"));
  EXPECT_EQ(read_or_fail(target), "first");
  ASSERT_FALSE(atomic_write(target, std::string("second\0with nul", 15)));
  EXPECT_EQ(read_or_fail(target), std::string("second\0with nul", 15));
  ASSERT_FALSE(atomic_write(target, ""));
  EXPECT_EQ(read_or_fail(target), "");
  EXPECT_EQ(count_entries(directory.path()), 1u) << "a temporary file was left behind";
}

TEST(AtomicFileTest, LargeContentIsWrittenCompletely) {
  const TempDirectory directory;
  const auto target = directory.path() / "blob";
  std::string content;
  for (int index = 0; index < 200000; ++index) content += static_cast<char>(index % 251);
  ASSERT_FALSE(atomic_write(target, content));
  EXPECT_EQ(read_or_fail(target), content);
}

TEST(AtomicFileTest, CrashBetweenWriteAndRenameLeavesTheOriginal) {
  // What a crash leaves: the complete original and a stray temporary with the new content.
  const TempDirectory directory;
  const auto target = directory.path() / "config.json";
  ASSERT_FALSE(atomic_write(target, "original"));
  write_plain(directory.path() / "config.json.tmp-99999-0", "half-writ");
  EXPECT_EQ(read_or_fail(target), "original");
  // A later write still works and does not trip over the stray file.
  ASSERT_FALSE(atomic_write(target, "next"));
  EXPECT_EQ(read_or_fail(target), "next");
}

TEST(AtomicFileTest, MissingDirectoryFailsWithAnErrorCode) {
  const TempDirectory directory;
  const auto error = atomic_write(directory.path() / "absent" / "file", "x");
  EXPECT_EQ(error, std::errc::no_such_file_or_directory) << error.message();
}

TEST(AtomicFileTest, FailedRenameRemovesTheTemporary) {
  // A non-empty directory as the target cannot be replaced by a file, even by root.
  const TempDirectory directory;
  const auto target = directory.path() / "occupied";
  std::filesystem::create_directory(target);
  write_plain(target / "keep", "kept");
  const auto error = atomic_write(target, "x");
  EXPECT_TRUE(error);
  EXPECT_TRUE(std::filesystem::is_directory(target));
  EXPECT_EQ(read_or_fail(target / "keep"), "kept");
  EXPECT_EQ(count_entries(directory.path()), 1u) << "the temporary was not removed";
}

// Runs atomic_write into a directory the writer may not modify. Root ignores permission bits, so
// as root the write runs in a child that has dropped to "nobody"; the returned errno is what
// atomic_write reported (0 = it succeeded).
int write_into_read_only_directory(const std::filesystem::path& target) {
  if (::geteuid() != 0) {
    std::filesystem::permissions(target.parent_path(), std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_exec);
    return atomic_write(target, "replacement").value();
  }
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(255);
    const auto error = atomic_write(target, "replacement");
    ::_exit(error ? (error.value() & 0x7F) : 0);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

TEST(AtomicFileTest, ReadOnlyDirectoryFailsAndLeavesTheOriginal) {
  const TempDirectory directory;
  const auto protected_directory = directory.path() / "protected";
  std::filesystem::create_directory(protected_directory);
  const auto target = protected_directory / "config.json";
  ASSERT_FALSE(atomic_write(target, "original"));
  // The directory chain must be traversable by the unprivileged child.
  std::filesystem::permissions(directory.path(), std::filesystem::perms::all,
                               std::filesystem::perm_options::add);

  const int error = write_into_read_only_directory(target);
  ASSERT_NE(error, -1) << "could not run the write without privileges";
  EXPECT_TRUE(error == EACCES || error == EPERM || error == EROFS) << "errno " << error;
  EXPECT_EQ(read_or_fail(target), "original");
  EXPECT_EQ(count_entries(protected_directory), 1u);
}

TEST(AtomicFileTest, ReadFileReportsMissingFiles) {
  const TempDirectory directory;
  std::string content = "unchanged";
  const auto error = read_file(directory.path() / "missing", content);
  EXPECT_EQ(error, std::errc::no_such_file_or_directory);
  EXPECT_EQ(content, "unchanged");
}

TEST(AtomicFileTest, ReadFileRefusesADirectory) {
  const TempDirectory directory;
  std::string content;
  EXPECT_TRUE(read_file(directory.path(), content));
}

}  // namespace
}  // namespace spwf::config
