// Covers config/UpdateImages: the downloaded images kept in the state directory (update/), the
// pending firmware image moved to the applied one at power-on, exactly once.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/UpdateImages.hpp"
#include "tests/config/TempDirectory.hpp"

namespace spwf::config {
namespace {

using testing_support::TempDirectory;

std::string read_plain(const std::filesystem::path& path) {
  std::ifstream file{path, std::ios::binary};
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

TEST(UpdateImagesTest, NothingPendingOnAFreshFlash) {
  TempDirectory directory;
  FlashStore flash{directory.path()};
  UpdateImages updates{flash};
  EXPECT_EQ(updates.apply_pending_firmware(), std::nullopt);
}

TEST(UpdateImagesTest, PendingFirmwareIsAppliedOnceAndKept) {
  TempDirectory directory;
  FlashStore flash{directory.path()};
  UpdateImages updates{flash};
  const std::string image("\0\x01\xFFimage", 8);
  ASSERT_FALSE(updates.store_firmware(image));
  EXPECT_EQ(read_plain(directory.path() / "update" / "firmware.pending"), image);
  EXPECT_EQ(updates.apply_pending_firmware(), std::optional<std::uint64_t>{8});
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "update" / "firmware.pending"));
  EXPECT_EQ(read_plain(directory.path() / "update" / "firmware.applied"), image);
  EXPECT_EQ(updates.apply_pending_firmware(), std::nullopt);
  // A newer image replaces the applied one at the next power-on.
  ASSERT_FALSE(updates.store_firmware("newer"));
  EXPECT_EQ(updates.apply_pending_firmware(), std::optional<std::uint64_t>{5});
  EXPECT_EQ(read_plain(directory.path() / "update" / "firmware.applied"), "newer");
}

TEST(UpdateImagesTest, FileSystemImagesAreKeptPerTarget) {
  TempDirectory directory;
  FlashStore flash{directory.path()};
  UpdateImages updates{flash};
  ASSERT_FALSE(updates.store_filesystem('e', "external"));
  ASSERT_FALSE(updates.store_filesystem('i', "internal"));
  ASSERT_FALSE(updates.store_filesystem('e', "again"));
  EXPECT_EQ(read_plain(directory.path() / "update" / "fs-e.img"), "again");
  EXPECT_EQ(read_plain(directory.path() / "update" / "fs-i.img"), "internal");
  EXPECT_EQ(updates.apply_pending_firmware(), std::nullopt);
}

TEST(UpdateImagesTest, APendingImageThatIsALinkIsNotApplied) {
  TempDirectory directory;
  FlashStore flash{directory.path()};
  UpdateImages updates{flash};
  std::filesystem::create_directories(directory.path() / "update");
  std::ofstream{directory.path() / "elsewhere"} << "outside";
  std::filesystem::create_symlink(directory.path() / "elsewhere",
                                  directory.path() / "update" / "firmware.pending");
  EXPECT_EQ(updates.apply_pending_firmware(), std::nullopt);
  EXPECT_EQ(read_plain(directory.path() / "elsewhere"), "outside");
}

}  // namespace
}  // namespace spwf::config
