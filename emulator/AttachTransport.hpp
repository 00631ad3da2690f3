#pragma once
// The console on an existing terminal device (`--attach PATH`): the pty a simulator made for its
// UART (Zephyr native_sim, QEMU -serial pty), or a serial device. The emulator opens it in raw
// mode at 115200 8N1, as the module's UART would be wired to it.
//
// When the device hangs up (the simulator that holds the pty's master side exits, a USB serial
// adapter is pulled), the log says so, naming the device and whether its node has gone. The
// emulator then waits, with no timer, for the path to be usable again (inotify on its directory,
// and on the directory of the device a symbolic link points to): a simulator restarted behind
// the same link (QEMU `-chardev pty,path=`, a wrapper's `ln -sf`) or a replugged adapter is
// opened again, and counts as a new host (see --power-cycle-on-attach).

#include <boost/asio/posix/stream_descriptor.hpp>
#include <filesystem>
#include <string>

#include "emulator/LinkTransport.hpp"

namespace spwf::emulator {

/// The AT console on a tty device given by path.
class AttachTransport final : public LinkTransport {
 public:
  /// Opens `path` in raw mode; throws std::runtime_error (with the reason) when it cannot.
  AttachTransport(boost::asio::any_io_executor executor, std::filesystem::path path);
  ~AttachTransport() override;

  /// The device path as given.
  const std::filesystem::path& path() const { return m_path; }

 private:
  boost::asio::awaitable<int> establish() override;
  std::string loss_text(const boost::system::error_code& error) const override;
  /// Watches the directories where the device would come back; false when inotify refuses.
  bool watch_directories();

  std::filesystem::path m_path;
  std::filesystem::path m_target;  ///< what m_path named when first opened (link resolved)
  int m_first_descriptor = -1;     ///< opened by the constructor, handed to the first establish()
  boost::asio::posix::stream_descriptor m_watch;  ///< an inotify instance, made on first loss
};

}  // namespace spwf::emulator
