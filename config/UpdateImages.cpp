#include "config/UpdateImages.hpp"

#include <string>
#include <vector>

#include "support/Log.hpp"

namespace spwf::config {

std::string UpdateImages::filesystem_path(char target) {
  return std::string{"update/fs-"} + target + ".img";
}

std::error_code UpdateImages::store_firmware(std::string_view image) {
  return m_flash.write_blob(std::string{pending_firmware}, image);
}

std::error_code UpdateImages::store_filesystem(char target, std::string_view image) {
  return m_flash.write_blob(filesystem_path(target), image);
}

std::optional<std::uint64_t> UpdateImages::apply_pending_firmware() {
  const std::filesystem::path pending{std::string{pending_firmware}};
  std::vector<StateFile> files;
  if (m_flash.state().list_files(pending.parent_path(), files)) return std::nullopt;
  for (const StateFile& file : files) {
    if (file.name != pending.filename().string()) continue;
    if (auto error = m_flash.state().rename(pending, std::string{applied_firmware})) {
      log::error("firmware update: cannot move " + pending.string() + ": " + error.message());
      return std::nullopt;
    }
    return file.size;
  }
  return std::nullopt;
}

}  // namespace spwf::config
