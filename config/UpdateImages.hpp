#pragma once
// The images AT+S.FWUPDATE and AT+S.FSUPDATE download (spec §3.14, §9 Q39), kept in the module's
// flash (the state directory) under update/, each written atomically through the FlashStore:
//   update/firmware.pending  the last firmware image downloaded, until the next power-on;
//   update/firmware.applied  what the last power-on "applied": the pending image moved here (a
//                            rename), the emulated firmware's identity unchanged (adopted);
//   update/fs-<i|e|x>.img    the last file-system image downloaded for that target, kept as
//                            received: the emulator knows no volume image format, so no volume's
//                            content is replaced.
// Nothing here knows about AT syntax or HTTP.

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "config/FlashStore.hpp"

namespace spwf::config {

/// The downloaded firmware and file-system images in the state directory.
class UpdateImages {
 public:
  static constexpr std::string_view pending_firmware = "update/firmware.pending";
  static constexpr std::string_view applied_firmware = "update/firmware.applied";

  explicit UpdateImages(FlashStore& flash) : m_flash(flash) {}

  /// Replaces the pending firmware image (applied at the next power-on).
  std::error_code store_firmware(std::string_view image);
  /// Replaces the kept file-system image for `target` ('i', 'e' or 'x', as FSUPDATE names it).
  std::error_code store_filesystem(char target, std::string_view image);
  /// Power-on: a pending firmware image becomes the applied one (an atomic rename); returns its
  /// size, or nullopt when none was pending (or the rename failed, which is logged).
  std::optional<std::uint64_t> apply_pending_firmware();

  /// The relative path of the file-system image for `target`.
  static std::string filesystem_path(char target);

 private:
  FlashStore& m_flash;
};

}  // namespace spwf::config
