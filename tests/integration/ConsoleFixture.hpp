#pragma once
// The usual start of an integration test: the emulator on a fresh state directory, a host on its
// pty that has read the factory boot and join, and echo turned off.
//   (power on) … +WIND:84:NTP Server delivery:…
//   AT+S.SCFG=console_echo,0 -> AT+S.SCFG=console_echo,0 / AT-S.OK

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {

/// A test with one emulator started by start() and the host that talks to it.
class ConsoleFixture : public ::testing::Test {
 protected:
  void start(std::vector<std::string> arguments = {}) {
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state", std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  PtyHost& host() { return *m_host; }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

}  // namespace spwf::testing
