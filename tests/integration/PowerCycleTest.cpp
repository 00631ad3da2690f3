// --power-cycle-on-attach: each new host after the first finds the module as after power-on,
// the boot indications again and the RAM configuration reloaded, on the pty and over --listen:
//   (first host)  +WIND:1:Poweron:171117-0328fe3-SPWF04S ... +WIND:0:Console active ...
//   AT+S.SCFG=user_desc,changed   -> AT-S.OK          (not saved)
//   (host leaves, a new one comes)
//   +WIND:1:Poweron:171117-0328fe3-SPWF04S ... +WIND:0:Console active ...
//   AT+S.GCFG=user_desc           -> AT-S.Var:user_desc=anonymous

#include <gtest/gtest.h>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view k_change = "AT+S.SCFG=user_desc,changed\r";
constexpr std::string_view k_read_back = "AT+S.GCFG=user_desc\r";
constexpr std::string_view k_factory_value = "AT-S.Var:user_desc=anonymous\r\nAT-S.OK\r\n";

TEST(PowerCycleTest, EachNewPtyHostSeesTheBootAgain) {
  TempDir temp;
  const auto log = temp.path() / "emulator.log";
  EmulatorProcess emulator{temp.path() / "state",
                           {"--power-cycle-on-attach", "--log-file", log.string()}};
  for (int host_number = 1; host_number <= 3; ++host_number) {
    {
      PtyHost host{emulator.pty_path()};
      host.read_until(factory_start_text());
      host.send(k_read_back);
      EXPECT_EQ(host.read_until("AT-S.OK\r\n"),
                std::string{k_read_back} + "\n" + std::string{k_factory_value});
      host.send(k_change);
      host.read_until("AT-S.OK\r\n");
    }
    // The emulator notices a host has gone before the next one comes.
    ASSERT_TRUE(wait_for_text(log, "host closed " + emulator.pty_path(), 5s)) << host_number;
    std::filesystem::resize_file(log, 0);
  }
}

TEST(PowerCycleTest, EachNewTcpHostSeesTheBootAgain) {
  TempDir temp;
  const auto log = temp.path() / "emulator.log";
  EmulatorProcess emulator{
      temp.path() / "state",
      {"--power-cycle-on-attach", "--listen", "127.0.0.1:0", "--log-file", log.string()}};
  const auto port = console_port(emulator.pty_path());
  for (int host_number = 1; host_number <= 3; ++host_number) {
    {
      FdHost host{connect_loopback(port)};
      host.read_until(factory_start_text());
      host.send(k_read_back);
      EXPECT_EQ(host.read_until("AT-S.OK\r\n"),
                std::string{k_read_back} + "\n" + std::string{k_factory_value});
      host.send(k_change);
      host.read_until("AT-S.OK\r\n");
    }
    ASSERT_TRUE(wait_for_text(log, "disconnected", 5s)) << host_number;
    std::filesystem::resize_file(log, 0);
  }
}

TEST(PowerCycleTest, WithoutTheOptionTheModuleKeepsRunning) {
  TempDir temp;
  const auto log = temp.path() / "emulator.log";
  EmulatorProcess emulator{temp.path() / "state", {"--log-file", log.string()}};
  {
    PtyHost host{emulator.pty_path()};
    host.read_until(factory_start_text());
    host.send(k_change);
    host.read_until("AT-S.OK\r\n");
  }
  ASSERT_TRUE(wait_for_text(log, "host closed " + emulator.pty_path(), 5s));
  PtyHost host{emulator.pty_path()};
  host.send(k_read_back);
  EXPECT_EQ(host.read_until("AT-S.OK\r\n"),
            std::string{k_read_back} + "\nAT-S.Var:user_desc=changed\r\nAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
