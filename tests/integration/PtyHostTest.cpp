// Hosts that leave the pty of the real executable mid-output (issue 10, items 8 and 17):
//   host A: 60 x "AT+S.HELP\r", reads the first answer, closes with the rest unread
//     -> the emulator goes idle: its CPU time (/proc/<pid>/stat) stays flat over a second
//   host B opens: "AT\r" -> "AT\r\nAT-S.OK\r\n", nothing of A's output before it

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

/// CPU time (user + system) of a process so far, from /proc/<pid>/stat.
std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream file{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>{file}, {}};
  // Fields after the command name (which may hold spaces) start at the last ')'.
  std::istringstream fields{text.substr(text.rfind(')') + 2)};
  std::string field;
  long ticks = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14 || index == 15) ticks += std::stol(field);  // utime, stime
  }
  return std::chrono::milliseconds(ticks * 1000 / ::sysconf(_SC_CLK_TCK));
}

TEST(PtyHostTest, AHostLeavingMidOutputLeavesTheEmulatorIdleAndTheNextHostClean) {
  TempDir temp;
  EmulatorProcess emulator{temp.path() / "state"};
  {
    PtyHost first{emulator.pty_path()};
    first.read_until(factory_start_text());
    std::string commands;
    for (int index = 0; index < 60; ++index) commands += "AT+S.HELP\r";
    first.send(commands);
    first.read_until("AT-S.OK\r\n");
  }  // closes with far more output than the pty holds still to come
  // Not a wait but the measurement: idle means (almost) no CPU time over a second. The rest of
  // the answers are produced in its first milliseconds.
  const auto before = cpu_time(emulator.pid());
  std::this_thread::sleep_for(1s);
  const auto spent = cpu_time(emulator.pid()) - before;
  EXPECT_LT(spent, 150ms) << "CPU time over 1 s after the host left";

  PtyHost second{emulator.pty_path()};
  EXPECT_EQ(second.command("AT"), "AT\r\nAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
