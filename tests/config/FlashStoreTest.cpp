// Covers config/FlashStore: the state directory, the config.json image WCFG writes and boot
// reads (round trip, corrupt or foreign files stop the start-up naming the file and
// --factory-reset, stray temporaries from a crash), erase, blobs and the default directory.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "config/ConfigStore.hpp"
#include "config/FlashStore.hpp"
#include "config/StateDirectory.hpp"
#include "tests/config/TempDirectory.hpp"

namespace spwf::config {
namespace {

using testing_support::TempDirectory;

void write_plain(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string read_plain(const std::filesystem::path& path) {
  std::string content;
  EXPECT_FALSE(read_file(path, content)) << path;
  return content;
}

// Expects load_config to throw a StartupError that names the file and the way out.
void expect_unusable(const FlashStore& store) {
  try {
    store.load_config();
    ADD_FAILURE() << "load_config accepted " << read_plain(store.config_path());
  } catch (const StartupError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(store.config_path().string()), std::string::npos) << message;
    EXPECT_NE(message.find("--factory-reset"), std::string::npos) << message;
  }
}

TEST(FlashStoreTest, CreatesTheStateDirectory) {
  const TempDirectory directory;
  const auto state = directory.path() / "a" / "b";
  const FlashStore store(state);
  EXPECT_TRUE(std::filesystem::is_directory(state));
  EXPECT_EQ(store.directory(), state);
  EXPECT_EQ(store.config_path(), state / "config.json");
  EXPECT_EQ(store.load_config(), std::nullopt);
}

TEST(FlashStoreTest, UnusableStateDirectoryIsAStartupError) {
  const TempDirectory directory;
  write_plain(directory.path() / "file", "not a directory");
  EXPECT_THROW(FlashStore(directory.path() / "file"), StartupError);
  EXPECT_THROW(FlashStore(directory.path() / "file" / "below"), StartupError);
}

TEST(FlashStoreTest, SavedConfigurationRoundTrips) {
  const TempDirectory directory;
  ConfigStore original(Identity{});
  ASSERT_EQ(original.set("wifi_ssid", "41:42"), SetResult::ok);
  ASSERT_EQ(original.set("console_delimiter", ";"), SetResult::ok);
  {
    FlashStore store(directory.path());
    ASSERT_FALSE(store.save_config(original.to_json()));
  }
  const FlashStore reopened(directory.path());
  const auto loaded = reopened.load_config();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, original.to_json());
  ConfigStore restored(Identity{});
  EXPECT_EQ(restored.load_json(*loaded), std::nullopt);
  EXPECT_EQ(restored.get("wifi_ssid"), "41:42");
  EXPECT_EQ(restored.get("console_delimiter"), ";");

  const auto file = nlohmann::json::parse(read_plain(reopened.config_path()));
  EXPECT_EQ(file.at("format"), "spwf04emu-flash");
  EXPECT_EQ(file.at("version"), 1);
  EXPECT_TRUE(file.at("variables").is_object());
}

TEST(FlashStoreTest, CorruptFileStopsStartupAndIsKept) {
  const TempDirectory directory;
  const FlashStore store(directory.path());
  const std::string corrupt = "{\"format\":\"spwf04emu-flash\",\"vers";
  write_plain(store.config_path(), corrupt);
  expect_unusable(store);
  EXPECT_EQ(read_plain(store.config_path()), corrupt) << "the corrupt file was changed";
}

TEST(FlashStoreTest, ForeignOrIncompleteFilesStopStartup) {
  const TempDirectory directory;
  const FlashStore store(directory.path());
  const char* documents[] = {
      R"([1, 2])",
      R"({"variables": {}})",
      R"({"format": "something-else", "version": 1, "variables": {}})",
      R"({"format": "spwf04emu-flash", "version": 2, "variables": {}})",
      R"({"format": "spwf04emu-flash", "version": "1", "variables": {}})",
      R"({"format": "spwf04emu-flash", "version": 1})",
      R"({"format": "spwf04emu-flash", "version": 1, "variables": []})",
      "",
  };
  for (const auto* document : documents) {
    SCOPED_TRACE(document);
    write_plain(store.config_path(), document);
    expect_unusable(store);
  }
}

TEST(FlashStoreTest, UnreadableFileStopsStartup) {
  const TempDirectory directory;
  const FlashStore store(directory.path());
  std::filesystem::create_directory(store.config_path());  // unreadable as a file, even for root
  expect_unusable(store);
}

TEST(FlashStoreTest, StrayTemporaryFromACrashIsIgnoredAndRemoved) {
  const TempDirectory directory;
  {
    FlashStore store(directory.path());
    ASSERT_FALSE(store.save_config({{"blink_led", "0"}}));
  }
  const auto stray = directory.path() / "config.json.tmp-4242-0";
  write_plain(stray, "{\"format\":\"spwf04emu-fl");
  const FlashStore store(directory.path());
  const auto loaded = store.load_config();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, (nlohmann::json{{"blink_led", "0"}}));
  EXPECT_FALSE(std::filesystem::exists(stray));
}

// Leftovers of a kill: temporaries in tmp/ and, from the earlier scheme, beside config.json and
// the TLS slots ("tls/ca.tmp-<pid>-<n>") are all removed at start; the slots themselves stay.
TEST(FlashStoreTest, TemporariesOfEveryLocationAreRemovedAtStart) {
  const TempDirectory directory;
  {
    FlashStore store(directory.path());
    ASSERT_FALSE(store.write_blob("tls/ca", "CA"));
  }
  write_plain(directory.path() / "tls" / "ca.tmp-4242-0", "half");
  write_plain(directory.path() / "tls" / "key.tmp-17-35", "half");
  write_plain(directory.path() / "tmp" / "4242-1", "half");
  const FlashStore store(directory.path());
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "tls" / "ca.tmp-4242-0"));
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "tls" / "key.tmp-17-35"));
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "tmp" / "4242-1"));
  EXPECT_EQ(store.read_blob("tls/ca"), "CA");
}

// A link planted as config.json or as a slot is never followed.
TEST(FlashStoreTest, LinksInTheStateDirectoryAreNotFollowed) {
  const TempDirectory directory;
  const auto state = directory.path() / "state";
  FlashStore store(state);
  write_plain(directory.path() / "secret", "{}");
  std::filesystem::create_directories(state / "tls");
  std::filesystem::create_symlink(directory.path() / "secret", state / "tls" / "ca");
  EXPECT_EQ(store.read_blob("tls/ca"), std::nullopt);
  std::filesystem::create_symlink(directory.path() / "secret", store.config_path());
  expect_unusable(store);
  ASSERT_FALSE(store.save_config(nlohmann::json::object()));
  EXPECT_FALSE(std::filesystem::is_symlink(store.config_path()));
  EXPECT_EQ(read_plain(directory.path() / "secret"), "{}");
}

TEST(FlashStoreTest, EraseRemovesOnlyTheConfiguration) {
  const TempDirectory directory;
  FlashStore store(directory.path());
  ASSERT_FALSE(store.save_config(nlohmann::json::object()));
  ASSERT_FALSE(store.write_blob("certs/ca.pem", "CA"));
  EXPECT_FALSE(store.erase_config());
  EXPECT_FALSE(std::filesystem::exists(store.config_path()));
  EXPECT_EQ(store.load_config(), std::nullopt);
  EXPECT_EQ(store.read_blob("certs/ca.pem"), "CA");
  EXPECT_FALSE(store.erase_config()) << "erasing twice is not an error";
}

TEST(FlashStoreTest, BlobsAreWrittenReadAndRemovedBelowTheDirectory) {
  const TempDirectory directory;
  FlashStore store(directory.path() / "state");
  ASSERT_FALSE(store.write_blob("volume/1/file.txt", "hello"));
  EXPECT_EQ(read_plain(directory.path() / "state" / "volume" / "1" / "file.txt"), "hello");
  EXPECT_EQ(store.read_blob("volume/1/file.txt"), "hello");
  ASSERT_FALSE(store.write_blob("volume/1/file.txt", "again"));
  EXPECT_EQ(store.read_blob("volume/1/file.txt"), "again");
  EXPECT_FALSE(store.remove_blob("volume/1/file.txt"));
  EXPECT_EQ(store.read_blob("volume/1/file.txt"), std::nullopt);
  EXPECT_EQ(store.remove_blob("volume/1/file.txt"), std::errc::no_such_file_or_directory);
}

TEST(FlashStoreTest, BlobPathsCannotLeaveTheDirectory) {
  const TempDirectory directory;
  FlashStore store(directory.path() / "state");
  EXPECT_EQ(store.write_blob("../escape", "x"), std::errc::invalid_argument);
  EXPECT_EQ(store.write_blob(directory.path() / "absolute", "x"), std::errc::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "escape"));
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "absolute"));
  EXPECT_EQ(store.read_blob("../state/../escape"), std::nullopt);
}

// Sets or clears an environment variable for one scope.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;
  ~ScopedEnvironment() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

TEST(FlashStoreTest, DefaultStateDirectoryFollowsXdg) {
  const ScopedEnvironment home("HOME", "/home/tester");
  {
    const ScopedEnvironment state("XDG_STATE_HOME", "/xdg/state");
    EXPECT_EQ(default_state_directory(), std::filesystem::path("/xdg/state/spwf04emu"));
  }
  {
    const ScopedEnvironment state("XDG_STATE_HOME", "relative/ignored");
    EXPECT_EQ(default_state_directory(),
              std::filesystem::path("/home/tester/.local/state/spwf04emu"));
  }
  const ScopedEnvironment state("XDG_STATE_HOME", nullptr);
  EXPECT_EQ(default_state_directory(),
            std::filesystem::path("/home/tester/.local/state/spwf04emu"));
}

}  // namespace
}  // namespace spwf::config
