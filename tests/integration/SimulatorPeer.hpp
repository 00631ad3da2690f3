#pragma once
// Test support: the test playing a simulator that owns the module's UART, as Zephyr native_sim,
// QEMU, Renode or esp-emulator do: a pty whose master it holds (the emulator runs --attach on
// the slave), or a listening TCP or Unix socket (the emulator runs --connect to it).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace spwf::testing {

using namespace std::chrono_literals;

/// A new pty in raw mode, as native_sim makes for its UART: the test keeps the master.
struct SimulatorPty {
  SimulatorPty();
  ~SimulatorPty();
  SimulatorPty(const SimulatorPty&) = delete;
  SimulatorPty& operator=(const SimulatorPty&) = delete;
  /// Hands the master over (to an FdHost); the pty ends when that closes it.
  int take_master();

  int master = -1;
  std::string slave_path;
};

/// A listening socket a simulator offers for its UART: TCP on 127.0.0.1 or a Unix socket path.
class SimulatorListener {
 public:
  /// TCP on 127.0.0.1:`port` (0: an ephemeral one).
  explicit SimulatorListener(std::uint16_t port = 0);
  /// A Unix socket at `path` (replacing a stale one, as QEMU does).
  explicit SimulatorListener(const std::filesystem::path& path);
  ~SimulatorListener();
  SimulatorListener(const SimulatorListener&) = delete;
  SimulatorListener& operator=(const SimulatorListener&) = delete;

  std::uint16_t port() const { return m_port; }
  /// The accepted connection's descriptor, or -1 when none comes before the deadline.
  int accept(std::chrono::milliseconds deadline = 5s);

 private:
  int m_socket = -1;
  std::uint16_t m_port = 0;
  std::filesystem::path m_path;
};

}  // namespace spwf::testing
