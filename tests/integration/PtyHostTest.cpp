// Hosts that leave the pty of the real executable mid-output (issue 10, items 8 and 17):
//   host A: 60 x "AT+S.HELP\r", reads the first answer, closes with the rest unread
//     -> the emulator goes idle: its CPU time (/proc/<pid>/stat) stays flat over a second
//   host B opens: "AT\r" -> "AT\r\nAT-S.OK\r\n", nothing of A's output before it
// Idle means no wake-ups (issue 16): with nobody on the pty, before the first host and after
// one has left, the emulator is not scheduled at all over a second (context switches of all its
// threads, /proc/<pid>/task/*/status); the next host is still noticed:
//   (nobody attached for 1 s) -> no wake-ups; host opens -> +WIND:0:Console active ...
//   (host gone for 1 s)       -> no wake-ups; host opens, "AT\r" -> "AT\r\nAT-S.OK\r\n"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"

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

/// Context switches (voluntary and not) of every thread of a process so far.
long context_switches(pid_t pid) {
  long total = 0;
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream status{task.path() / "status"};
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("voluntary_ctxt_switches:") ||
          line.starts_with("nonvoluntary_ctxt_switches:")) {
        total += std::stol(line.substr(line.find(':') + 1));
      }
    }
  }
  return total;
}

/// The emulator's wake-ups over a second (the measurement itself is the wait).
long wake_ups_over_a_second(pid_t pid) {
  const long before = context_switches(pid);
  std::this_thread::sleep_for(1s);
  return context_switches(pid) - before;
}

TEST(PtyHostTest, NobodyOnThePtyMeansNoWakeUps) {
  TempDir temp;
  const auto log = temp.path() / "emulator.log";
  const auto trace = temp.path() / "trace.txt";
  EmulatorProcess emulator{temp.path() / "state",
                           {"--log-file", log.string(), "--trace", trace.string()}};
  // The boot and join end in the first milliseconds (the trace has their last line); then
  // nothing is left to do until a host comes.
  ASSERT_TRUE(wait_for_text(trace, "NTP Server delivery"));
  EXPECT_LE(wake_ups_over_a_second(emulator.pid()), 2) << "before the first host";
  {
    PtyHost host{emulator.pty_path()};
    host.read_until(factory_start_text());
  }
  ASSERT_TRUE(wait_for_text(log, "host closed " + emulator.pty_path()));
  EXPECT_LE(wake_ups_over_a_second(emulator.pid()), 2) << "after a host left";
  PtyHost next{emulator.pty_path()};
  EXPECT_EQ(next.command("AT"), "AT\r\nAT-S.OK\r\n");
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
