// Covers config/StateDirectory: whole-file replacement through a temporary in tmp/, the state
// after a crash between write and rename, failures reported as error codes with the original
// left intact and no temporary left behind, leftovers removed at start, links planted below the
// root never followed or listed, and read_file.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "config/StateDirectory.hpp"
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

// What a StateDirectory over `root` reads at `relative` (or the error's message).
std::string state_read(const std::filesystem::path& root, const std::filesystem::path& relative) {
  std::string content;
  if (const auto error = StateDirectory(root).read(relative, content)) return error.message();
  return content;
}

TEST(StateDirectoryTest, CreatesAndReplacesTheTarget) {
  const TempDirectory directory;
  const StateDirectory state(directory.path());
  const auto target = directory.path() / "config.json";
  ASSERT_FALSE(state.write("config.json", "first"));
  EXPECT_EQ(read_or_fail(target), "first");
  ASSERT_FALSE(state.write("config.json", std::string("second\0with nul", 15)));
  EXPECT_EQ(read_or_fail(target), std::string("second\0with nul", 15));
  ASSERT_FALSE(state.write("config.json", ""));
  EXPECT_EQ(read_or_fail(target), "");
  EXPECT_EQ(count_entries(directory.path()), 2u) << "only config.json and tmp/";
  EXPECT_EQ(count_entries(directory.path() / "tmp"), 0u) << "a temporary file was left behind";
}

TEST(StateDirectoryTest, LargeContentIsWrittenCompletely) {
  const TempDirectory directory;
  const StateDirectory state(directory.path());
  std::string content;
  for (int index = 0; index < 200000; ++index) content += static_cast<char>(index % 251);
  ASSERT_FALSE(state.write("blob", content));
  EXPECT_EQ(state_read(directory.path(), "blob"), content);
}

// A kill between write and rename leaves the complete original and a temporary in tmp/; the next
// start removes the emulator's own temporaries there (and of the earlier scheme beside the
// targets, where asked), and nothing else.
TEST(StateDirectoryTest, LeftoversOfAKillAreRemovedAtStart) {
  const TempDirectory directory;
  ASSERT_FALSE(StateDirectory(directory.path()).write("config.json", "original"));
  std::filesystem::create_directories(directory.path() / "tls");
  write_plain(directory.path() / "tmp" / "99999-0", "half-writ");
  write_plain(directory.path() / "tmp" / "notes", "not ours");
  write_plain(directory.path() / "tls" / "ca.tmp-4242-7", "half");
  write_plain(directory.path() / "tls" / "ca", "kept");
  write_plain(directory.path() / "tls" / "x.dat.tmp-1.dat", "user data");
  const StateDirectory state(directory.path());
  state.remove_legacy_temporaries("tls");
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "tmp" / "99999-0"));
  EXPECT_TRUE(std::filesystem::exists(directory.path() / "tmp" / "notes"));
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "tls" / "ca.tmp-4242-7"));
  EXPECT_TRUE(std::filesystem::exists(directory.path() / "tls" / "ca"));
  EXPECT_TRUE(std::filesystem::exists(directory.path() / "tls" / "x.dat.tmp-1.dat"));
  EXPECT_EQ(read_or_fail(directory.path() / "config.json"), "original");
  ASSERT_FALSE(state.write("config.json", "next"));
  EXPECT_EQ(read_or_fail(directory.path() / "config.json"), "next");
}

TEST(StateDirectoryTest, MissingDirectoryFailsWithAnErrorCode) {
  const TempDirectory directory;
  const auto error = StateDirectory(directory.path()).write("absent/file", "x");
  EXPECT_EQ(error, std::errc::no_such_file_or_directory) << error.message();
}

TEST(StateDirectoryTest, PathsCannotLeaveTheRoot) {
  const TempDirectory directory;
  const StateDirectory state(directory.path() / "state");
  EXPECT_EQ(state.write("../escape", "x"), std::errc::invalid_argument);
  EXPECT_EQ(state.write(directory.path() / "absolute", "x"), std::errc::invalid_argument);
  EXPECT_EQ(state.create_directories("a/../../b"), std::errc::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "escape"));
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "absolute"));
}

// Links planted below the root: a linked file is not read and not listed, writing its name
// replaces the link (the target is untouched), a linked directory is not entered.
TEST(StateDirectoryTest, PlantedLinksAreNeverFollowed) {
  const TempDirectory directory;
  const auto root = directory.path() / "state";
  const StateDirectory state(root);
  write_plain(directory.path() / "secret", "secret");
  std::filesystem::create_directories(directory.path() / "outside");
  std::filesystem::create_directories(root / "fs");
  std::filesystem::create_symlink(directory.path() / "secret", root / "fs" / "leak.dat");
  std::filesystem::create_symlink("/proc/self/environ", root / "fs" / "environ.dat");
  std::filesystem::create_directory_symlink(directory.path() / "outside", root / "linked");
  write_plain(root / "fs" / "real.dat", "real");
  ::mkfifo((root / "fs" / "fifo.dat").c_str(), 0600);

  EXPECT_EQ(state_read(root, "fs/leak.dat"),
            std::make_error_code(std::errc::too_many_symbolic_link_levels).message());
  EXPECT_NE(state_read(root, "fs/environ.dat").find("symbolic"), std::string::npos);
  EXPECT_NE(state_read(root, "fs/fifo.dat"), "");
  std::vector<StateFile> files;
  ASSERT_FALSE(state.list_files("fs", files));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].name, "real.dat");
  EXPECT_EQ(files[0].size, 4u);
  EXPECT_TRUE(state.list_files("linked", files));
  EXPECT_TRUE(state.write("linked/x", "x"));
  EXPECT_TRUE(state.create_directories("linked/sub"));
  EXPECT_TRUE(std::filesystem::is_empty(directory.path() / "outside"));

  ASSERT_FALSE(state.write("fs/leak.dat", "mine"));
  EXPECT_FALSE(std::filesystem::is_symlink(root / "fs" / "leak.dat"));
  EXPECT_EQ(read_or_fail(directory.path() / "secret"), "secret");
  ASSERT_FALSE(state.remove("fs/environ.dat"));
  EXPECT_FALSE(
      std::filesystem::exists(std::filesystem::symlink_status(root / "fs" / "environ.dat")));
}

TEST(StateDirectoryTest, FailedRenameRemovesTheTemporary) {
  // A non-empty directory as the target cannot be replaced by a file, even by root.
  const TempDirectory directory;
  const StateDirectory state(directory.path());
  const auto target = directory.path() / "occupied";
  std::filesystem::create_directory(target);
  write_plain(target / "keep", "kept");
  const auto error = state.write("occupied", "x");
  EXPECT_TRUE(error);
  EXPECT_TRUE(std::filesystem::is_directory(target));
  EXPECT_EQ(read_or_fail(target / "keep"), "kept");
  EXPECT_EQ(count_entries(directory.path() / "tmp"), 0u) << "the temporary was not removed";
}

// Writes into a directory the writer may not modify. Root ignores permission bits, so as root
// the write runs in a child that has dropped to "nobody"; the returned errno is what the write
// reported (0 = it succeeded).
int write_into_read_only_directory(const StateDirectory& state, const std::filesystem::path& target,
                                   const std::filesystem::path& relative) {
  if (::geteuid() != 0) {
    std::filesystem::permissions(target.parent_path(), std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_exec);
    return state.write(relative, "replacement").value();
  }
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(255);
    const auto error = state.write(relative, "replacement");
    ::_exit(error ? (error.value() & 0x7F) : 0);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

TEST(StateDirectoryTest, ReadOnlyDirectoryFailsAndLeavesTheOriginal) {
  const TempDirectory directory;
  const StateDirectory state(directory.path());
  const auto protected_directory = directory.path() / "protected";
  std::filesystem::create_directory(protected_directory);
  const auto target = protected_directory / "config.json";
  ASSERT_FALSE(state.write("protected/config.json", "original"));
  // The directory chain (tmp/ too) must be usable by the unprivileged child.
  std::filesystem::permissions(directory.path(), std::filesystem::perms::all,
                               std::filesystem::perm_options::add);
  std::filesystem::permissions(directory.path() / "tmp", std::filesystem::perms::all,
                               std::filesystem::perm_options::add);

  const int error = write_into_read_only_directory(state, target, "protected/config.json");
  ASSERT_NE(error, -1) << "could not run the write without privileges";
  EXPECT_TRUE(error == EACCES || error == EPERM || error == EROFS) << "errno " << error;
  EXPECT_EQ(read_or_fail(target), "original");
  EXPECT_EQ(count_entries(protected_directory), 1u);
}

TEST(StateDirectoryTest, ReadFileReportsMissingFiles) {
  const TempDirectory directory;
  std::string content = "unchanged";
  const auto error = read_file(directory.path() / "missing", content);
  EXPECT_EQ(error, std::errc::no_such_file_or_directory);
  EXPECT_EQ(content, "unchanged");
}

TEST(StateDirectoryTest, ReadFileRefusesADirectory) {
  const TempDirectory directory;
  std::string content;
  EXPECT_TRUE(read_file(directory.path(), content));
}

}  // namespace
}  // namespace spwf::config
