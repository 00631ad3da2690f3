// The factory boot pacing and the full configuration listing over a real pty (spec §2.9, §2.10,
// §3.3):
//   (start with --boot real)  -> +WIND:1, 13, 0, 3, 32, +WIND:21:WiFi Scanning, ... WiFi Up, paced
//                                like the module (about a second from WIND 21 to WiFi Up)
//   AT+S.STS=wifi_state       -> AT-S.Var:wifi_state=4 while the scan runs (scan in progress)
//   AT+S.GCFG                 -> AT-S.Var:<name>=<value> for every listed variable, in the table's
//                                order (hidden ones left out), then AT-S.OK
//   AT&V                      -> the same listing

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <sstream>

#include "config/VariableTable.hpp"
#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST(BootTest, RealBootIsPacedAndShowsTheScanInProgress) {
  TempDir temp;
  EmulatorProcess emulator(temp.path() / "state", {"--boot", "real"});
  PtyHost host(emulator.pty_path());
  const std::string boot = factory_boot_text() + "+WIND:21:WiFi Scanning\r\n";
  ASSERT_EQ(host.read_until(boot), boot);
  const auto scanning = Clock::now();
  // The scan takes 400 ms: a status query sent now is answered while it runs.
  host.send("AT+S.STS=wifi_state\r");
  const std::string answer = host.read_until("AT-S.OK\r\n");
  EXPECT_NE(answer.find("AT-S.Var:wifi_state=4\r\n"), std::string::npos) << answer;
  const std::string up = "+WIND:24:WiFi Up:0:192.168.1.100\r\n";
  const std::string rest = host.read_until(up, std::chrono::seconds(10));
  const auto elapsed = Clock::now() - scanning;
  EXPECT_NE(rest.find("+WIND:35:WiFi Scan Complete:00\r\n"), std::string::npos) << rest;
  EXPECT_GE(elapsed, std::chrono::milliseconds(800)) << "the join was not paced";
  EXPECT_LT(elapsed, std::chrono::seconds(8));
  host.read_until(std::string{ntp_prefix}, std::chrono::seconds(5));
  EXPECT_EQ(host.command("AT+S.STS=wifi_state"),
            "AT+S.STS=wifi_state\r\nAT-S.Var:wifi_state=10\r\nAT-S.OK\r\n");
}

class ListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state");
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    ASSERT_EQ(m_host->read_until(factory_start_text()), factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  /// Checks a full listing: every listed variable once, in order, with a value; nothing else.
  void expect_full_listing(const std::string& listing) {
    std::istringstream lines(listing);
    std::string line;
    const std::regex var_line("AT-S\\.Var:([^=]+)=(.*)\r");
    for (const auto& variable : config::configuration_variables()) {
      if (variable.visibility == config::Visibility::hidden) continue;
      ASSERT_TRUE(std::getline(lines, line)) << "missing " << variable.name;
      std::smatch match;
      ASSERT_TRUE(std::regex_match(line, match, var_line)) << line;
      EXPECT_EQ(match[1].str(), variable.name);
    }
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, "AT-S.OK\r");
    EXPECT_FALSE(std::getline(lines, line)) << "unexpected: " << line;
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(ListingTest, GcfgWithoutArgumentListsEveryListedVariable) {
  const std::string listing = m_host->command("AT+S.GCFG");
  expect_full_listing(listing);
  for (const char* expected : {"AT-S.Var:console_echo=0\r\n", "AT-S.Var:user_desc=anonymous\r\n",
                               "AT-S.Var:ip_netmask=255.255.255.0\r\n", "AT-S.Var:wifi_mode=1\r\n",
                               "AT-S.Var:nv_model=SPWF04SA\r\n"}) {
    EXPECT_NE(listing.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(listing.find("wifi_enabled="), std::string::npos) << "hidden variables are not listed";
  EXPECT_EQ(m_host->command("AT+S.GCFG=wifi_enabled"), "AT-S.Var:wifi_enabled=1\r\nAT-S.OK\r\n");
}

TEST_F(ListingTest, AtAndVIsTheSameListing) {
  EXPECT_EQ(m_host->command("AT+S.SCFG=user_desc,bench 7"), "AT-S.OK\r\n");
  const std::string listing = m_host->command("AT&V");
  expect_full_listing(listing);
  EXPECT_NE(listing.find("AT-S.Var:user_desc=bench 7\r\n"), std::string::npos);
  EXPECT_EQ(listing, m_host->command("AT+S.GCFG"));
}

}  // namespace
}  // namespace spwf::testing
