// Covers config/ModuleFileSystem: the four volumes (read-only application volume, persistent user
// and external volumes, the RAM disk emptied at power-on), create/append, read, delete, rename,
// listing, capacities, mount/unmount/erase, case-insensitive names, persistence across a new
// instance, and every attempt to make a name reach outside the module's file area.

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "config/ModuleFileSystem.hpp"
#include "tests/config/TempDirectory.hpp"

namespace spwf::config {
namespace {

using testing_support::TempDirectory;

constexpr std::uint64_t k_ram_bytes = 16 * 1024;

// Every path below `root`, relative to it.
std::set<std::string> tree(const std::filesystem::path& root) {
  std::set<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    paths.insert(std::filesystem::relative(entry.path(), root).string());
  }
  return paths;
}

class ModuleFileSystemTest : public ::testing::Test {
 protected:
  ModuleFileSystemTest() { reopen(); }

  /// The file area sits in <temp>/state/fs; <temp> also holds a sibling the attacks aim at.
  std::filesystem::path root() const { return m_temp.path() / "state" / "fs"; }
  void reopen(FileSystemLimits limits = {}) {
    m_files.reset();
    m_files =
        std::make_unique<ModuleFileSystem>(StateDirectory(m_temp.path() / "state"), "fs", limits);
    m_files->power_on(k_ram_bytes);
  }
  ModuleFileSystem& files() { return *m_files; }
  std::string content(std::string_view name) {
    std::string text;
    EXPECT_FALSE(files().read(name, text)) << name;
    return text;
  }

  TempDirectory m_temp;
  std::unique_ptr<ModuleFileSystem> m_files;
};

TEST_F(ModuleFileSystemTest, CreateAppendAndReadOnTheUserVolume) {
  EXPECT_FALSE(files().append("/hello.txt", "Hello, "));
  EXPECT_FALSE(files().append("hello.txt", "world"));
  EXPECT_EQ(content("1:/hello.txt"), "Hello, world");
  EXPECT_EQ(content("1:hello.txt"), "Hello, world");
  EXPECT_TRUE(std::filesystem::is_regular_file(root() / "user" / "hello.txt.dat"));
  const auto entries = files().list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].volume, 1u);
  EXPECT_EQ(entries[0].name, "hello.txt");
  EXPECT_EQ(entries[0].size, 12u);
}

TEST_F(ModuleFileSystemTest, BinaryContentSurvivesUntouched) {
  const std::string data(
      "\0\r\n\xff\x1b"
      "AT+S.RESET\r",
      16);
  EXPECT_FALSE(files().append("bin", data));
  EXPECT_EQ(content("bin"), data);
}

TEST_F(ModuleFileSystemTest, NamesIgnoreCaseAndKeepTheFirstSpelling) {
  EXPECT_FALSE(files().append("ReadMe.TXT", "a"));
  EXPECT_FALSE(files().append("/readme.txt", "b"));
  EXPECT_EQ(content("README.txt"), "ab");
  const auto entries = files().list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "ReadMe.TXT");
  reopen();
  EXPECT_EQ(content("readme.TXT"), "ab");
  EXPECT_EQ(files().list().at(0).name, "ReadMe.TXT");
}

TEST_F(ModuleFileSystemTest, UserAndExternalVolumesPersistTheRamDiskDoesNot) {
  EXPECT_FALSE(files().append("u", "user"));
  EXPECT_FALSE(files().append("3:/e", "ext"));
  EXPECT_FALSE(files().append("2:/r", "ram"));
  EXPECT_EQ(content("2:r"), "ram");
  EXPECT_EQ(files().read("r"), std::nullopt);  // "r" is on the user volume
  files().power_on(k_ram_bytes);               // AT+S.RESET
  EXPECT_EQ(files().read("2:/r"), std::nullopt);
  EXPECT_EQ(content("u"), "user");
  reopen();  // a new process
  EXPECT_EQ(content("/u"), "user");
  EXPECT_EQ(content("3:e"), "ext");
  EXPECT_EQ(files().read("2:r"), std::nullopt);
}

TEST_F(ModuleFileSystemTest, ListingIsByVolumeThenName) {
  EXPECT_FALSE(files().append("b", "22"));
  EXPECT_FALSE(files().append("A", "1"));
  EXPECT_FALSE(files().append("2:/z", "333"));
  EXPECT_FALSE(files().append("3:/y", "4444"));
  const auto entries = files().list();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "A");
  EXPECT_EQ(entries[1].name, "b");
  EXPECT_EQ(entries[2].volume, 2u);
  EXPECT_EQ(entries[3].volume, 3u);
  std::vector<FileEntry> one;
  EXPECT_FALSE(files().list("/B", one));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].size, 2u);
  EXPECT_FALSE(files().list("2:", one));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].name, "z");
  EXPECT_EQ(files().list("missing", one), FileError::not_found);
  EXPECT_EQ(files().list("7:", one), FileError::unknown_volume);
}

TEST_F(ModuleFileSystemTest, ApplicationVolumeIsReadOnly) {
  EXPECT_EQ(files().append("0:/index.html", "x"), FileError::read_only);
  EXPECT_EQ(files().check_append("0:x", 1), FileError::read_only);
  EXPECT_EQ(files().remove("0:x"), FileError::read_only);
  EXPECT_EQ(files().unmount(0, UnmountMode::erase), FileError::read_only);
}

TEST_F(ModuleFileSystemTest, UnknownVolumes) {
  EXPECT_EQ(files().append("4:/x", "x"), FileError::unknown_volume);
  EXPECT_EQ(files().append("9:x", "x"), FileError::unknown_volume);
  EXPECT_EQ(files().mount(4), FileError::unknown_volume);
  EXPECT_EQ(files().unmount(12, UnmountMode::keep), FileError::unknown_volume);
  EXPECT_EQ(files().free_bytes(7), 0u);
}

TEST_F(ModuleFileSystemTest, DeleteAndRename) {
  EXPECT_FALSE(files().append("old", "data"));
  EXPECT_EQ(files().rename("missing", "x"), FileError::not_found);
  EXPECT_FALSE(files().rename("/OLD", "/new"));
  EXPECT_EQ(files().read("old"), std::nullopt);
  EXPECT_EQ(content("new"), "data");
  EXPECT_TRUE(std::filesystem::exists(root() / "user" / "new.dat"));
  EXPECT_FALSE(std::filesystem::exists(root() / "user" / "old.dat"));
  EXPECT_FALSE(files().append("other", "o"));
  EXPECT_EQ(files().rename("new", "OTHER"), FileError::already_exists);
  EXPECT_FALSE(files().rename("new", "NEW"));  // only the spelling changes
  EXPECT_EQ(files().list().at(0).name, "NEW");
  EXPECT_EQ(files().rename("new", "2:new"), FileError::invalid_name);  // other volume
  EXPECT_FALSE(files().rename("new", "1:/newer"));
  EXPECT_FALSE(files().remove("NEWER"));
  EXPECT_EQ(files().remove("newer"), FileError::not_found);
  EXPECT_FALSE(files().append("2:/r", "x"));
  EXPECT_FALSE(files().rename("2:/r", "s"));
  EXPECT_EQ(content("2:s"), "x");
  EXPECT_FALSE(files().remove("2:s"));
  reopen();
  ASSERT_EQ(files().list().size(), 1u);
  EXPECT_EQ(files().list()[0].name, "other");
}

TEST_F(ModuleFileSystemTest, CapacitiesAndFreeSpace) {
  reopen(FileSystemLimits{100, 50});
  EXPECT_EQ(files().free_bytes(1), 100u);
  EXPECT_EQ(files().free_bytes(2), k_ram_bytes);
  EXPECT_EQ(files().free_bytes(3), 50u);
  EXPECT_FALSE(files().append("a", std::string(60, 'a')));
  EXPECT_EQ(files().free_bytes(1), 40u);
  EXPECT_EQ(files().check_append("b", 41), FileError::no_space);
  EXPECT_EQ(files().append("a", std::string(41, 'a')), FileError::no_space);
  EXPECT_FALSE(files().append("a", std::string(40, 'a')));
  EXPECT_EQ(files().free_bytes(1), 0u);
  EXPECT_EQ(files().check_append("2:x", k_ram_bytes + 1), FileError::no_space);
  EXPECT_FALSE(files().check_append("2:x", k_ram_bytes));
  files().power_on(1024);  // ramdisk_memsize=1
  EXPECT_EQ(files().free_bytes(2), 1024u);
  EXPECT_FALSE(files().remove("a"));
  EXPECT_EQ(files().free_bytes(1), 100u);
}

TEST_F(ModuleFileSystemTest, MountUnmountAndErase) {
  EXPECT_FALSE(files().append("keep", "k"));
  EXPECT_FALSE(files().unmount(1, UnmountMode::keep));
  EXPECT_FALSE(files().is_mounted(1));
  EXPECT_EQ(files().append("x", "x"), FileError::not_mounted);
  EXPECT_EQ(files().read("keep"), std::nullopt);
  EXPECT_EQ(files().remove("keep"), FileError::not_mounted);
  EXPECT_EQ(files().free_bytes(1), 0u);
  EXPECT_TRUE(files().list().empty());
  EXPECT_FALSE(files().mount(1));
  EXPECT_EQ(content("keep"), "k");

  EXPECT_FALSE(files().append("3:gone", "g"));
  EXPECT_FALSE(files().unmount(3, UnmountMode::erase));
  EXPECT_FALSE(files().mount(3));
  EXPECT_EQ(files().read("3:gone"), std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(root() / "ext" / "gone.dat"));

  EXPECT_FALSE(files().unmount(1, UnmountMode::keep));
  files().power_on(k_ram_bytes);  // reset mounts every volume again
  EXPECT_TRUE(files().is_mounted(1));
  EXPECT_EQ(content("keep"), "k");
}

TEST_F(ModuleFileSystemTest, InvalidNamesAreRefused) {
  for (const std::string& name :
       {std::string(""),        std::string("/"),         std::string("1:"),
        std::string("1:/"),     std::string("."),         std::string(".."),
        std::string("..."),     std::string("a/b"),       std::string("//a"),
        std::string("a\\b"),    std::string("a:b"),       std::string("a*"),
        std::string("a?"),      std::string("a|b"),       std::string("a<b>"),
        std::string("\"q\""),   std::string("tab\there"), std::string("bell\x07"),
        std::string("del\x7f"), std::string(65, 'n')}) {
    EXPECT_EQ(files().append(name, "x"), FileError::invalid_name) << name;
  }
  EXPECT_FALSE(files().append(std::string(64, 'n'), "x"));  // 64 is the limit
  EXPECT_FALSE(files().append("/" + std::string(64, 'm'), "x"));
}

// Every form of escape the host could try. The file area is <temp>/state/fs; afterwards the whole
// of <temp> is exactly as before (the volume directories were made by the constructor).
TEST_F(ModuleFileSystemTest, NoNameReachesOutsideTheFileArea) {
  std::ofstream(m_temp.path() / "secret") << "secret";
  const auto before = tree(m_temp.path());
  ASSERT_EQ(before, (std::set<std::string>{"secret", "state", "state/fs", "state/fs/user",
                                           "state/fs/ext", "state/tmp"}));
  const std::string nul_name("a\0/../../escape", 15);
  const std::vector<std::string> attacks = {
      "../x",
      "/../x",
      "../../secret",
      "/../../etc/passwd",
      "a/../../b",
      "1:/../../../secret",
      "3:../user/x",
      "2:/../x",
      "/etc/passwd",
      "//etc/passwd",
      "/tmp/evil",
      "..\\..\\secret",
      "\\..\\x",
      "C:\\Windows\\x",
      "..",
      "../",
      nul_name,
      std::string("\0", 1),
      std::string(300, 'a'),
      std::string(300, '.') + "/x",
      "../" + std::string(300, 'b'),
      "user/../../secret",
      "x/./y",
      "a/",
  };
  for (const auto& name : attacks) {
    EXPECT_TRUE(files().append(name, "pwned")) << name;
    EXPECT_TRUE(files().check_append(name, 1)) << name;
    std::string text;
    EXPECT_TRUE(files().read(name, text)) << name;
    EXPECT_EQ(files().read(name), std::nullopt) << name;
    EXPECT_TRUE(files().remove(name)) << name;
    EXPECT_TRUE(files().rename(name, "ok")) << name;
    EXPECT_TRUE(files().rename("ok", name)) << name;
    std::vector<FileEntry> entries;
    EXPECT_TRUE(files().list(name, entries)) << name;
  }
  // Renaming a real file onto an escape must not move it either.
  EXPECT_FALSE(files().append("victim", "v"));
  for (const auto& name : attacks) EXPECT_TRUE(files().rename("victim", name)) << name;
  EXPECT_FALSE(files().remove("victim"));

  EXPECT_EQ(tree(m_temp.path()), before);
  EXPECT_EQ(std::filesystem::file_size(m_temp.path() / "secret"), 6u);
  EXPECT_TRUE(files().list().empty());
}

TEST_F(ModuleFileSystemTest, FilesPutInTheDirectoriesByHandAreSeenOnlyWhenValid) {
  std::ofstream(root() / "user" / "manual.dat") << "m";
  std::ofstream(root() / "user" / "not-data.txt") << "n";
  std::ofstream(root() / "user" / "x.dat.tmp-12-3") << "half";
  std::filesystem::create_directories(root() / "user" / "sub.dat");
  reopen();
  const auto entries = files().list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "manual");
  EXPECT_FALSE(std::filesystem::exists(root() / "user" / "x.dat.tmp-12-3"));
}

// Temporaries live in the state directory's tmp/, so a user name that looks like one of the
// earlier temporaries ("<name>.dat.tmp-<pid>") is an ordinary file and survives every start.
TEST_F(ModuleFileSystemTest, NamesLikeTemporariesAreOrdinaryFiles) {
  ASSERT_FALSE(files().append("log.dat.tmp-1", "hello"));
  ASSERT_FALSE(files().append("3:x.dat.tmp-12-3", "world"));
  reopen();
  EXPECT_EQ(content("log.dat.tmp-1"), "hello");
  EXPECT_EQ(content("3:x.dat.tmp-12-3"), "world");
  EXPECT_EQ(files().list().size(), 2u);
}

// Links planted in a volume are neither followed nor listed: a file outside the state directory
// stays unreadable through them, and writing the name replaces the link, not its target.
TEST_F(ModuleFileSystemTest, PlantedLinksAreNeverFollowed) {
  std::ofstream(m_temp.path() / "secret") << "secret";
  std::filesystem::create_directories(m_temp.path() / "outside");
  std::ofstream(m_temp.path() / "outside" / "x.dat") << "outside";
  std::filesystem::create_symlink(m_temp.path() / "secret", root() / "user" / "leak.dat");
  std::filesystem::create_symlink("/proc/self/environ", root() / "user" / "environ.dat");
  std::filesystem::create_directory_symlink(m_temp.path() / "outside", root() / "user" / "d.dat");
  reopen();
  EXPECT_TRUE(files().list().empty());
  std::string text;
  EXPECT_EQ(files().read("leak", text), FileError::not_found);
  EXPECT_EQ(files().read("environ", text), FileError::not_found);
  ASSERT_FALSE(files().append("leak", "mine"));
  EXPECT_EQ(content("leak"), "mine");
  EXPECT_FALSE(std::filesystem::is_symlink(root() / "user" / "leak.dat"));
  EXPECT_EQ(std::filesystem::file_size(m_temp.path() / "secret"), 6u);
}

TEST_F(ModuleFileSystemTest, LinkedVolumeDirectoryStopsTheStart) {
  std::filesystem::create_directories(m_temp.path() / "outside");
  std::filesystem::remove_all(root() / "ext");
  std::filesystem::create_directory_symlink(m_temp.path() / "outside", root() / "ext");
  EXPECT_THROW(reopen(), StartupError);
  std::filesystem::remove(root() / "ext");
  std::filesystem::remove_all(root());
  std::filesystem::create_directory_symlink(m_temp.path() / "outside", root());
  EXPECT_THROW(reopen(), StartupError);
  EXPECT_TRUE(std::filesystem::is_empty(m_temp.path() / "outside"));
}

TEST_F(ModuleFileSystemTest, ErrorsHaveTheirOwnCategory) {
  const std::error_code error = FileError::no_space;
  EXPECT_STREQ(error.category().name(), "module-file-system");
  EXPECT_EQ(error.message(), "no space left on the volume");
}

}  // namespace
}  // namespace spwf::config
