#include "emulator/InstanceLock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/FlashStore.hpp"

namespace spwf::emulator {

InstanceLock::InstanceLock(std::filesystem::path path, const std::string& what)
    : m_path(std::move(path)) {
  // O_NOFOLLOW: a link planted at the lock's name would have the pid written through it, over
  // a file outside the state directory; such a start is refused, naming the file.
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (m_fd < 0) {
    throw config::StartupError(what + ": cannot create the lock file " + m_path.string() + ": " +
                               std::strerror(errno));
  }
  // A second name for the file (a hard link from outside the state directory) would have the
  // pid written over that file too: refused as the link above is.
  struct stat status {};
  if (::fstat(m_fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_nlink > 1) {
    ::close(m_fd);
    m_fd = -1;
    throw config::StartupError(what + ": the lock file " + m_path.string() +
                               " is not a plain file of its own (a link, a device or a FIFO)");
  }
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    char owner[32] = {};
    const ssize_t count = ::pread(m_fd, owner, sizeof owner - 1, 0);
    std::string pid = count > 0 ? std::string(owner, static_cast<std::size_t>(count)) : "?";
    pid.erase(pid.find_last_not_of(" \n") + 1);
    ::close(m_fd);
    m_fd = -1;
    throw config::StartupError(what + " is in use by another spwf04emu (pid " + pid +
                               ", lock file " + m_path.string() +
                               "); stop it or give this one another path");
  }
  // The lock is ours (a dead owner's lock went with it): write our pid for the next one to read.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; a refused emulator then names pid "?".
  }
}

InstanceLock::~InstanceLock() {
  if (m_fd < 0) return;
  std::error_code ignored;
  std::filesystem::remove(m_path, ignored);
  ::close(m_fd);
}

}  // namespace spwf::emulator
