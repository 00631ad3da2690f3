#pragma once
// A lock file that says which emulator owns a resource (a state directory, a pty link): it holds
// the owner's pid and an flock(2) lock, which the kernel drops when the owner dies, so a lock
// left by a killed emulator is taken over and a live owner's is refused, naming its pid.

#include <filesystem>
#include <string>

namespace spwf::emulator {

/// An exclusive lock on `path`, held for the object's life; the file is removed with it.
class InstanceLock {
 public:
  /// Takes the lock; throws config::StartupError naming `what`, the file and the owner's pid
  /// when another live process holds it or the file cannot be made.
  InstanceLock(std::filesystem::path path, const std::string& what);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

 private:
  std::filesystem::path m_path;
  int m_fd = -1;
};

}  // namespace spwf::emulator
