// The AT console over a real pty against the real executable (spec §2, §3.2, §3.3):
//   +WIND:1:Poweron:171117-0328fe3-SPWF04S ... +WIND:32:WiFi Hardware Started
//   AT                         -> AT\r\n AT-S.OK\r\n
//   AT+S.FOO                   -> AT-S.ERROR:1:Command not found
//   AT+S.SCFG=console_echo,0   -> AT-S.OK (no echo from now on)
//   AT+S.GCFG=ip_netmask       -> AT-S.Var:ip_netmask=255.255.255.0
//   AT+S.WCFG / AT+S.RESET     -> the saved values come back after reset and restart

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <regex>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_emulator = std::make_unique<EmulatorProcess>(state_dir());
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
  }
  std::filesystem::path state_dir() const { return m_temp.path() / "state"; }
  PtyHost& host() { return *m_host; }
  /// Turns echo off so answers are just the module's lines.
  void echo_off() {
    ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  void restart(std::vector<std::string> arguments = {}) {
    m_host.reset();
    ASSERT_EQ(m_emulator->terminate(), 0);
    m_emulator = std::make_unique<EmulatorProcess>(state_dir(), std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(ConsoleTest, BootSequenceIsTheFactoryOne) {
  // SetUp already read exactly the boot lines; nothing else precedes the first answer.
  EXPECT_EQ(host().command("AT"), "AT\r\nAT-S.OK\r\n");
}

TEST_F(ConsoleTest, EchoOnAndOff) {
  EXPECT_EQ(host().command("AT+S.FOO"), "AT+S.FOO\r\nAT-S.ERROR:1:Command not found\r\n");
  echo_off();
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("at+s.sts=fw_version"), "AT-S.Var:fw_version=1.1.0\r\nAT-S.OK\r\n");
}

TEST_F(ConsoleTest, BackspaceIsEchoedAndEdits) {
  host().send("ATX\bI\r");
  EXPECT_EQ(host().read_until("found\r\n"), "ATX\b \bI\r\nAT-S.ERROR:1:Command not found\r\n");
}

TEST_F(ConsoleTest, CrLfAndStrayBytes) {
  echo_off();
  host().send("AT\r\nAT\n\rXAT\r");
  host().send("AT+S.STS=fw_version\r");
  EXPECT_EQ(host().read_until("AT-S.Var:fw_version=1.1.0\r\nAT-S.OK\r\n"),
            "AT-S.OK\r\nAT-S.OK\r\nAT-S.Var:fw_version=1.1.0\r\nAT-S.OK\r\n");
}

TEST_F(ConsoleTest, CommandsInOneAndEightBytePieces) {
  echo_off();
  host().send_in_pieces("AT+S.GCFG=ip_netmask\r", 1);
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.Var:ip_netmask=255.255.255.0\r\nAT-S.OK\r\n");
  host().send_in_pieces("AT+S.GCFG=ip_gw\rAT+S.GCFG=user_desc\r", 8);
  EXPECT_EQ(host().read_until("anonymous\r\nAT-S.OK\r\n"),
            "AT-S.Var:ip_gw=192.168.0.1\r\nAT-S.OK\r\nAT-S.Var:user_desc=anonymous\r\nAT-S.OK\r\n");
}

TEST_F(ConsoleTest, OverlongLineIsDroppedAndNothingAfterItIsMisread) {
  echo_off();
  const std::string longest = "AT+S.GCFG=" + std::string(501, 'x');  // 511 characters
  EXPECT_EQ(host().command(longest), "AT-S.ERROR:4:Variable not found\r\n");
  const std::string too_long = "AT+S.GCFG=" + std::string(502, 'x') + "AT+S.RESET";
  host().send(too_long + "\r");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
}

TEST_F(ConsoleTest, ErrorLevels) {
  echo_off();
  EXPECT_EQ(host().command("AT+S.SCFG=console_errs,1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FOO"), "AT-S.ERROR:1\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=console_errs,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FOO"), "AT-S.ERROR\r\n");
}

TEST_F(ConsoleTest, VerboseLevels) {
  echo_off();
  // The console variables take effect at once: the SCFG's own OK is already the long form.
  const std::string answer = host().command("AT+S.SCFG=console_verbose,2");
  EXPECT_TRUE(std::regex_match(answer, std::regex("AT-S\\.OK:[0-9]+:[0-9]+\r\n"))) << answer;
  EXPECT_TRUE(std::regex_match(host().command("AT"), std::regex("AT-S\\.OK:[0-9]+:[0-9]+\r\n")));
  EXPECT_EQ(host().command("AT+S.SCFG=console_verbose,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=console_verbose"),
            "AT-S.Var:console_verbose=0\r\nAT-S.OK\r\n");
}

TEST_F(ConsoleTest, ErrorPathsOfTheConsoleCommands) {
  echo_off();
  EXPECT_EQ(host().command("AT=x"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=console_echo"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=a,b,c"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=no_such_var,1"), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=wifi_reg_country,1"), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=crc_check,0x1"), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=console_echo,abc"), "AT-S.ERROR:8:Invalid value\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=console_echo,256"), "AT-S.ERROR:8:Invalid value\r\n");
  EXPECT_EQ(host().command("AT+S.SCFG=user_desc,12345678901234567"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=no_such_var"), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=a,b"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.STS=build"), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.STS="), "AT-S.ERROR:4:Variable not found\r\n");
  EXPECT_EQ(host().command("AT+S.TIME=0"), "AT-S.ERROR:66:Cannot update DateTime\r\n");
  EXPECT_EQ(host().command("AT+S.RESET=1"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.WCFG=1"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FCFG=1"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.RANDOM=1"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKD=1"), "AT-S.ERROR:1:Command not found\r\n");
  EXPECT_EQ(host().command("AT+S.STSX"), "AT-S.ERROR:1:Command not found\r\n");
}

TEST_F(ConsoleTest, UnsavedChangesAreLostOnResetSavedOnesSurviveResetAndRestart) {
  echo_off();
  EXPECT_EQ(host().command("AT+S.SCFG=user_desc,kitchen"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until(factory_start_text()), "+WIND:2:Reset\r\n" + factory_start_text());
  // The reset brought back echo (factory) and the factory user_desc.
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"),
            "AT+S.GCFG=user_desc\r\nAT-S.Var:user_desc=anonymous\r\nAT-S.OK\r\n");
  echo_off();
  EXPECT_EQ(host().command("AT+S.SCFG=user_desc,kitchen"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  host().read_until(factory_start_text());
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"), "AT-S.Var:user_desc=kitchen\r\nAT-S.OK\r\n");
  restart();
  host().read_until(factory_start_text());
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"), "AT-S.Var:user_desc=kitchen\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT&F"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"),
            "AT+S.GCFG=user_desc\r\nAT-S.Var:user_desc=anonymous\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT&W"), "AT&W\r\nAT-S.OK\r\n");
  restart();
  host().read_until(factory_start_text());
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"),
            "AT+S.GCFG=user_desc\r\nAT-S.Var:user_desc=anonymous\r\nAT-S.OK\r\n");
}

TEST_F(ConsoleTest, MaskedIndicationsAreDropped) {
  echo_off();
  EXPECT_EQ(host().command("AT+S.SCFG=console_wind_off_low,0x00000004"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GCFG=console_wind_off_low"),
            "AT-S.Var:console_wind_off_low=0x00000004\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until(factory_start_text()), factory_start_text());
}

TEST_F(ConsoleTest, WindPrefixFollowsConsoleWinds) {
  echo_off();
  EXPECT_EQ(host().command("AT+S.SCFG=console_winds,1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  // The reset restores console_winds=2 before booting, but +WIND:2 is built before the reset.
  EXPECT_EQ(host().read_until("+WIND:1:"), "+WIND:2\r\n+WIND:1:");
}

TEST_F(ConsoleTest, RepeaterRunsThePreviousCommandAgain) {
  echo_off();
  const std::string first = host().command("AT+S.RANDOM");
  EXPECT_TRUE(
      std::regex_match(first, std::regex("AT-S\\.Var:random_number=[0-9]+\r\nAT-S\\.OK\r\n")));
  host().send("!");
  const std::string second = host().read_until("AT-S.OK\r\n");
  EXPECT_TRUE(
      std::regex_match(second, std::regex("AT-S\\.Var:random_number=[0-9]+\r\nAT-S\\.OK\r\n")));
  // STS reports the number the repeated command drew.
  EXPECT_EQ(host().command("AT+S.STS=random_number"), second);
}

// With the factory ip_ntp_startup=1 the clock is set after WiFi Up (+WIND:84, from the host's
// clock); with it off, the clock starts at 0 at power-on and no +WIND:84 follows the join.
TEST_F(ConsoleTest, ClockReadAndSet) {
  echo_off();
  const auto host_now = static_cast<unsigned long long>(std::time(nullptr));
  unsigned long long seconds = 0;
  const std::string synchronised = host().command("AT+S.TIME");
  ASSERT_EQ(std::sscanf(synchronised.c_str(), "AT-S.Time:%llu", &seconds), 1) << synchronised;
  EXPECT_GE(seconds + 5, host_now);
  EXPECT_LE(seconds, host_now + 5);
  EXPECT_EQ(host().command("AT+S.SCFG=ip_ntp_startup,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
  std::string start = factory_start_text();
  start.erase(start.size() - ntp_prefix.size());
  EXPECT_EQ(host().read_until(start), "+WIND:2:Reset\r\n" + start);
  const std::string before = host().command("AT+S.TIME");
  EXPECT_TRUE(std::regex_match(before, std::regex("AT-S\\.Time:[0-9]\r\nAT-S\\.OK\r\n"))) << before;
  EXPECT_EQ(host().command("AT+S.TIME=1700000000"), "AT-S.OK\r\n");
  const std::string after = host().command("AT+S.TIME");
  EXPECT_TRUE(std::regex_match(after, std::regex("AT-S\\.Time:170000000[0-9]\r\nAT-S\\.OK\r\n")));
}

TEST_F(ConsoleTest, HelpListsImplementedCommandsWithTheirSyntax) {
  echo_off();
  const std::string all = host().command("AT+S.HELP");
  EXPECT_NE(all.find("AT-S.Command:AT+S.SCFG=<key>,<value> -- "), std::string::npos) << all;
  EXPECT_NE(all.find("AT-S.Command:AT+S.RESET -- "), std::string::npos);
  EXPECT_EQ(all.find("AT&V"), std::string::npos);  // hidden alias
  const std::string some = host().command("AT+S.HELP=cfg");
  EXPECT_NE(some.find("AT+S.GCFG"), std::string::npos);
  EXPECT_EQ(some.find("AT+S.RESET"), std::string::npos);
  EXPECT_EQ(host().command("AT+S.HELP=nothing-matches"), "AT-S.OK\r\n");
}

TEST_F(ConsoleTest, StatusListsEveryVariable) {
  echo_off();
  const std::string all = host().command("AT+S.STS");
  EXPECT_EQ(all.rfind("AT-S.Var:fw_version=1.1.0\r\n", 0), 0u) << all;
  EXPECT_NE(all.find("AT-S.Var:wifi_own_macaddr=00:80:E1:BD:00:39\r\n"), std::string::npos);
  EXPECT_NE(all.find("AT-S.Var:ip_cert_len_dhp="), std::string::npos);
}

TEST_F(ConsoleTest, HostCloseAndReopenKeepsTheModuleRunning) {
  echo_off();
  EXPECT_EQ(host().command("AT+S.SCFG=user_desc,still-here"), "AT-S.OK\r\n");
  m_host.reset();
  m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"), "AT-S.Var:user_desc=still-here\r\nAT-S.OK\r\n");
  m_host.reset();
  m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
}

TEST_F(ConsoleTest, SigtermEndsCleanly) {
  m_host.reset();
  EXPECT_EQ(m_emulator->terminate(), 0);
}

TEST(ConsoleStartTest, CorruptStateStopsTheStartAndFactoryResetRecovers) {
  TempDir temp;
  const auto state = temp.path() / "state";
  std::filesystem::create_directories(state);
  { std::ofstream{state / "config.json"} << "{ this is not json"; }
  EmulatorProcess broken{state, {}, false};
  EXPECT_EQ(broken.wait_exit(), 2);
  const std::string message = broken.stderr_text();
  EXPECT_NE(message.find((state / "config.json").string()), std::string::npos) << message;
  EXPECT_NE(message.find("--factory-reset"), std::string::npos) << message;
  {
    std::ifstream file{state / "config.json"};
    std::string content{std::istreambuf_iterator<char>(file), {}};
    EXPECT_EQ(content, "{ this is not json");  // never overwritten silently
  }
  EmulatorProcess recovered{state, {"--factory-reset"}};
  PtyHost host{recovered.pty_path()};
  host.read_until(factory_start_text());
  EXPECT_EQ(host.command("AT"), "AT\r\nAT-S.OK\r\n");
}

TEST(ConsoleStartTest, PtyLinkTraceAndCleanExit) {
  TempDir temp;
  const auto link = temp.path() / "console";
  const auto trace = temp.path() / "trace.txt";
  {
    EmulatorProcess emulator{temp.path() / "state",
                             {"--pty-link", link.string(), "--trace", trace.string()}};
    ASSERT_TRUE(std::filesystem::is_symlink(link));
    PtyHost host{link.string()};
    host.read_until(factory_start_text());
    EXPECT_EQ(host.command("AT"), "AT\r\nAT-S.OK\r\n");
    EXPECT_EQ(emulator.terminate(), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(link));
  std::ifstream file{trace};
  std::string content{std::istreambuf_iterator<char>(file), {}};
  EXPECT_NE(content.find("host>mod \"AT\\r\""), std::string::npos) << content;
  EXPECT_NE(content.find("mod>host \"AT\\r\\n\""), std::string::npos) << content;
  EXPECT_NE(content.find("mod>host \"AT-S.OK\\r\\n\""), std::string::npos) << content;
}

TEST(ConsoleStartTest, UnknownConfigKeyIsNamed) {
  TempDir temp;
  const auto file = temp.path() / "emu.json";
  { std::ofstream{file} << R"({"identity": {"serail": "1"}})"; }
  EmulatorProcess emulator{temp.path() / "state", {"--config", file.string()}, false};
  EXPECT_EQ(emulator.wait_exit(), 2);
  const std::string message = emulator.stderr_text();
  EXPECT_NE(message.find("serail"), std::string::npos) << message;
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
}

TEST(ConsoleStartTest, IdentityComesFromTheConfig) {
  TempDir temp;
  const auto file = temp.path() / "emu.json";
  {
    std::ofstream{file}
        << R"({"identity": {"serial": "99990001", "mac_address": "00:80:E1:01:02:03"}})";
  }
  EmulatorProcess emulator{temp.path() / "state", {"--config", file.string()}};
  PtyHost host{emulator.pty_path()};
  host.read_until(factory_boot_text() + default_join_text("fe80:0:0:0:280:e1ff:fe01:203"));
  EXPECT_EQ(host.command("AT+S.GCFG=nv_serial"),
            "AT+S.GCFG=nv_serial\r\nAT-S.Var:nv_serial=99990001\r\nAT-S.OK\r\n");
  EXPECT_EQ(
      host.command("AT+S.STS=wifi_own_macaddr"),
      "AT+S.STS=wifi_own_macaddr\r\nAT-S.Var:wifi_own_macaddr=00:80:E1:01:02:03\r\nAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
