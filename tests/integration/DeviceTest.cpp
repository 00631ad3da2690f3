// Device commands over a real pty against the real executable (spec §3.2, §3.4.6, §3.15–§3.17,
// §3.19, §9 Q23, Q41–Q43, Q47):
//   AT+S.NVW=1                 -> AT-S.ERROR:7:Invalid argument(s)
//   AT+S.CMDREQ=4<CR>AT<CR>X   -> AT-S.ERROR:7:Invalid argument(s) (the 4 bytes are consumed)
//   AT+S.PYTHON                -> AT-S.ERROR:16:Cannot switch to Python shell
//   AT+S.GPIOC=3,out / AT+S.GPIOW=3,1 / AT+S.GPIOR=3 -> AT-S.Value:3:1:0
//   AT+S.ADC=0                 -> AT-S.Value:0
//   AT+S.PMS=1                 -> AT-S.OK, +WIND:66:Low Power mode:1
//   AT+S.PMS=3                 -> AT-S.OK, +WIND:67:Going into Standby:<s>, silence,
//                                 +WIND:68:Resuming from Standby and the boot sequence
//   AT+S.WPS=0                 -> AT-S.OK, +WIND:81:WPS Generating DH keyset, after
//                                 wifi_wps_walk_time +WIND:82:WPS enrollment attempt timed out
//   AT+S.RENEW                 -> AT-S.OK (61 with static addressing, 44 without a link)
//   AT+S.NTP                   -> AT-S.OK, +WIND:84:NTP Server delivery:<d>.<m>.<y>:<h>:<min>.<s>.0

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <regex>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view k_ok = "AT-S.OK\r\n";
constexpr std::string_view k_invalid = "AT-S.ERROR:7:Invalid argument(s)\r\n";
constexpr std::string_view k_missing = "AT-S.ERROR:2:Missing argument(s)\r\n";
constexpr std::string_view k_too_many = "AT-S.ERROR:6:Too many argument(s)\r\n";
constexpr std::string_view k_connection_up = "AT-S.ERROR:44:Wait for Connection Up\r\n";
// How far the module clock may be from the host's after NTP (the test's own runtime).
constexpr std::int64_t k_clock_tolerance_seconds = 10;

std::int64_t host_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class DeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state");
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    ASSERT_EQ(host().read_until(factory_start_text()), factory_start_text());
    echo_off();
  }
  PtyHost& host() { return *m_host; }
  void echo_off() {
    ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  /// Sets a configuration variable (expects OK).
  void set(std::string_view name, std::string_view value) {
    const std::string command = "AT+S.SCFG=" + std::string{name} + "," + std::string{value};
    ASSERT_EQ(host().command(command), k_ok) << command;
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(DeviceTest, ProductionCommandsCheckTheirArgumentsThenRefuse) {
  EXPECT_EQ(host().command("AT+S.NVW=1234"), k_invalid);
  EXPECT_EQ(host().command("AT+S.NVW"), k_missing);
  EXPECT_EQ(host().command("AT+S.NVW=1,2"), k_too_many);
  EXPECT_EQ(host().command("AT+S.MFGTEST=1234,SYS"), k_invalid);
  EXPECT_EQ(host().command("AT+S.MFGTEST=1234"), k_missing);
  EXPECT_EQ(host().command("AT+S.MFGTEST=1,low,2"), k_too_many);
  EXPECT_EQ(host().command("AT+S.SELFTEST=1234,127.0.0.1,80,,t,1,64"), k_invalid);
  EXPECT_EQ(host().command("AT+S.SELFTEST=1234,127.0.0.1,80"), k_missing);
  EXPECT_EQ(host().command("AT+S.SELFTEST=1,2,3,,t,5,6,7"), k_too_many);
}

TEST_F(DeviceTest, CmdreqAndBypassConsumeTheirPayload) {
  // Each payload holds a complete "AT" line: had it reached the line editor, an extra OK would
  // precede the status answer.
  host().send("AT+S.CMDREQ=4\rAT\rX");
  EXPECT_EQ(host().read_until(k_invalid), k_invalid);
  EXPECT_EQ(host().command("AT+S.STS=fw_version"), "AT-S.Var:fw_version=1.1.0\r\nAT-S.OK\r\n");
  host().send("AT+S.BYPASS=3\rAT\r");
  EXPECT_EQ(host().read_until(k_invalid), k_invalid);
  EXPECT_EQ(host().command("AT+S.STS=fw_version"), "AT-S.Var:fw_version=1.1.0\r\nAT-S.OK\r\n");
  // A zero length ends the command before any payload.
  EXPECT_EQ(host().command("AT+S.CMDREQ=0"), "AT-S.ERROR:33:Argument evaluated to zero\r\n");
  EXPECT_EQ(host().command("AT"), k_ok);
  EXPECT_EQ(host().command("AT+S.BYPASS"), k_missing);
}

TEST_F(DeviceTest, PythonShellIsRefused) {
  constexpr std::string_view refused = "AT-S.ERROR:16:Cannot switch to Python shell\r\n";
  EXPECT_EQ(host().command("AT+S.PYTHON"), refused);
  EXPECT_EQ(host().command("AT+S.PYTHON=main.py"), refused);
  EXPECT_EQ(host().command("AT+S.PYTHON=a,b"), k_too_many);
}

TEST_F(DeviceTest, GpioStateIsKeptUntilReset) {
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:0:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOW=3,1"), "AT-S.ERROR:19:Direction must be 'in' or 'out'\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOC=3,out"), k_ok);
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:0:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOW=3,1"), k_ok);
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOW=3,2"), k_invalid);
  EXPECT_EQ(host().command("AT+S.GPIOC=3,in,r"), k_ok);
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:0:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOC=15,out,f"), k_ok);

  constexpr std::string_view bad_number = "AT-S.ERROR:20:Invalid GPIO Num (0-15)\r\n";
  EXPECT_EQ(host().command("AT+S.GPIOR=16"), bad_number);
  EXPECT_EQ(host().command("AT+S.GPIOR=x"), bad_number);
  EXPECT_EQ(host().command("AT+S.GPIOC=16,out"), bad_number);
  EXPECT_EQ(host().command("AT+S.GPIOW=16,1"), bad_number);
  EXPECT_EQ(host().command("AT+S.GPIOC=3,up,r"),
            "AT-S.ERROR:19:Direction must be 'in' or 'out'\r\n");
  EXPECT_EQ(host().command("AT+S.GPIOC=3,in"), k_missing);
  EXPECT_EQ(host().command("AT+S.GPIOC=3,in,x"), k_invalid);
  EXPECT_EQ(host().command("AT+S.GPIOC=3"), k_missing);
  EXPECT_EQ(host().command("AT+S.GPIOR"), k_missing);
  // blink_led is 1 from the factory; sleep_enabled 0.
  EXPECT_EQ(host().command("AT+S.GPIOC=10,out"),
            "AT-S.ERROR:23:Cannot use GPIO10 when blink_led\r\n");
  set("blink_led", "0");
  EXPECT_EQ(host().command("AT+S.GPIOC=10,out"), k_ok);
  EXPECT_EQ(host().command("AT+S.GPIOC=6,in,b"), k_ok);
  set("sleep_enabled", "1");
  EXPECT_EQ(host().command("AT+S.GPIOC=6,in,b"),
            "AT-S.ERROR:21:Cannot use GPIO6 when sleep_enabled\r\n");

  // A reset powers the pins back up as inputs.
  EXPECT_EQ(host().command("AT+S.GPIOC=3,out"), k_ok);
  EXPECT_EQ(host().command("AT+S.GPIOW=3,1"), k_ok);
  EXPECT_EQ(host().command("AT+S.RESET"), k_ok);
  const std::string reboot = "+WIND:2:Reset\r\n" + factory_start_text();
  ASSERT_EQ(host().read_until(reboot), reboot);
  echo_off();
  EXPECT_EQ(host().command("AT+S.GPIOR=3"), "AT-S.Value:3:0:1\r\nAT-S.OK\r\n");
}

TEST_F(DeviceTest, DacAdcAndPwm) {
  constexpr std::string_view voltage = "AT-S.ERROR:26:Output voltage not allowed\r\n";
  EXPECT_EQ(host().command("AT+S.DAC=1650"), k_ok);
  EXPECT_EQ(host().command("AT+S.DAC=3300"), k_ok);
  EXPECT_EQ(host().command("AT+S.DAC=0"), k_ok);
  EXPECT_EQ(host().command("AT+S.DAC=3301"), voltage);
  EXPECT_EQ(host().command("AT+S.DAC=high"), voltage);
  EXPECT_EQ(host().command("AT+S.DAC"), k_missing);

  EXPECT_EQ(host().command("AT+S.ADC=0"), "AT-S.Value:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.ADC=16"), "AT-S.Value:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.ADC=2"), k_invalid);
  EXPECT_EQ(host().command("AT+S.ADC"), k_missing);
  // A channel whose pin the module drives high reads the supply voltage.
  EXPECT_EQ(host().command("AT+S.GPIOC=1,out"), k_ok);
  EXPECT_EQ(host().command("AT+S.GPIOW=1,1"), k_ok);
  EXPECT_EQ(host().command("AT+S.ADC=1"), "AT-S.Value:3300\r\nAT-S.OK\r\n");

  constexpr std::string_view not_running = "AT-S.ERROR:29:PWM not running\r\n";
  EXPECT_EQ(host().command("AT+S.PWM=2,0"), not_running);
  EXPECT_EQ(host().command("AT+S.PWM=2,1000"), k_ok);
  EXPECT_EQ(host().command("AT+S.PWM=2,1000,75"), k_ok);
  EXPECT_EQ(host().command("AT+S.PWM=4,0"), not_running);
  EXPECT_EQ(host().command("AT+S.PWM=2,0"), k_ok);
  EXPECT_EQ(host().command("AT+S.PWM=2,0"), not_running);
  EXPECT_EQ(host().command("AT+S.PWM=3,1000"), k_invalid);
  EXPECT_EQ(host().command("AT+S.PWM=4,fast"), k_invalid);
  EXPECT_EQ(host().command("AT+S.PWM=4,100001"), "AT-S.ERROR:27:Frequency not supported\r\n");
  EXPECT_EQ(host().command("AT+S.PWM=4,1000,101"), "AT-S.ERROR:28:Duty cycle not supported\r\n");
  EXPECT_EQ(host().command("AT+S.PWM=4"), k_missing);
}

TEST_F(DeviceTest, PowerModes) {
  EXPECT_EQ(host().command("AT+S.PMS=0"), k_ok);
  EXPECT_EQ(host().command("AT+S.PMS=1"), k_ok);
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:66:Low Power mode:1\r\n");
  EXPECT_EQ(host().command("AT+S.PMS=2"), k_ok);
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:66:Low Power mode:2\r\n");
  EXPECT_EQ(host().command("AT+S.PMS=4"), k_invalid);
  EXPECT_EQ(host().command("AT+S.PMS"), k_missing);
  EXPECT_EQ(host().command("AT"), k_ok);
}

TEST_F(DeviceTest, StandbyIgnoresInputAndEndsInAReboot) {
  set("standby_time", "1");
  host().send("AT+S.PMS=3\r");
  const std::string entering = std::string{k_ok} + "+WIND:67:Going into Standby:1\r\n";
  ASSERT_EQ(host().read_until(entering), entering);
  // Asleep: this line is never answered.
  host().send("AT\r");
  const std::string waking = "+WIND:68:Resuming from Standby\r\n" + factory_start_text();
  ASSERT_EQ(host().read_until(waking), waking);
  // The reboot restored the factory echo; nothing else was queued.
  EXPECT_EQ(host().command("AT"), "AT\r\nAT-S.OK\r\n");
}

TEST_F(DeviceTest, WpsTimesOutWithoutARegistrar) {
  set("wifi_wps_walk_time", "1");
  EXPECT_EQ(host().command("AT+S.WPS=0"), k_ok);
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:81:WPS Generating DH keyset\r\n");
  const std::string timed_out = "+WIND:82:WPS enrollment attempt timed out\r\n";
  EXPECT_EQ(host().read_until(timed_out), timed_out);

  EXPECT_EQ(host().command("AT+S.WPS=2"), k_ok);
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:81:WPS Generating DH keyset\r\n");
  EXPECT_EQ(host().read_until(timed_out), timed_out);

  EXPECT_EQ(host().command("AT+S.WPS=3"), k_invalid);
  EXPECT_EQ(host().command("AT+S.WPS"), k_missing);
  set("wifi_wps_pin", "123456");
  EXPECT_EQ(host().command("AT+S.WPS=1"), "AT-S.ERROR:39:PIN needs to be 7 digits\r\n");
  set("wifi_mode", "3");
  EXPECT_EQ(host().command("AT+S.WPS=0"), "AT-S.ERROR:67:WPS only allowed on STA mode\r\n");
}

TEST_F(DeviceTest, RenewKeepsTheLease) {
  EXPECT_EQ(host().command("AT+S.RENEW"), k_ok);
  // No new WiFi Up: the next answer is the only thing that arrives.
  EXPECT_EQ(host().command("AT"), k_ok);
  EXPECT_EQ(host().command("AT+S.RENEW=1"), k_too_many);
  set("ip_use_dhcpc", "0");
  EXPECT_EQ(host().command("AT+S.RENEW"), "AT-S.ERROR:61:Cannot renew IP address\r\n");
}

TEST_F(DeviceTest, NtpSetsTheClockFromTheHost) {
  const std::int64_t before = host_seconds();
  EXPECT_EQ(host().command("AT+S.NTP"), k_ok);
  const std::string delivery = host().read_until("\r\n");
  const std::int64_t after = host_seconds();
  std::smatch fields;
  ASSERT_TRUE(std::regex_match(
      delivery, fields,
      std::regex(R"(\+WIND:84:NTP Server delivery:(\d{1,2})\.(\d{1,2})\.(\d{4}):(\d{1,2}):)"
                 R"((\d{1,2})\.(\d{1,2})\.0\r\n)")))
      << delivery;
  std::tm utc{};
  utc.tm_mday = std::stoi(fields[1]);
  utc.tm_mon = std::stoi(fields[2]) - 1;
  utc.tm_year = std::stoi(fields[3]) - 1900;
  utc.tm_hour = std::stoi(fields[4]);
  utc.tm_min = std::stoi(fields[5]);
  utc.tm_sec = std::stoi(fields[6]);
  const std::int64_t delivered = timegm(&utc);
  EXPECT_GE(delivered, before);
  EXPECT_LE(delivered, after);

  const std::string time = host().command("AT+S.TIME");
  std::smatch seconds;
  ASSERT_TRUE(std::regex_match(time, seconds, std::regex("AT-S\\.Time:(\\d+)\r\nAT-S\\.OK\r\n")))
      << time;
  const std::int64_t module_time = std::stoll(seconds[1]);
  EXPECT_GE(module_time, before);
  EXPECT_LE(module_time, host_seconds() + k_clock_tolerance_seconds);
  EXPECT_EQ(host().command("AT+S.NTP=1"), k_too_many);
}

TEST_F(DeviceTest, NetworkCommandsWaitForTheLink) {
  EXPECT_EQ(host().command("AT+S.WIFI=0"), k_ok);
  EXPECT_EQ(host().read_until("+WIND:38:WiFi Powered Down\r\n"),
            "+WIND:49:WPA Terminated:0\r\n+WIND:38:WiFi Powered Down\r\n");
  EXPECT_EQ(host().command("AT+S.NTP"), k_connection_up);
  EXPECT_EQ(host().command("AT+S.RENEW"), k_connection_up);
}

}  // namespace
}  // namespace spwf::testing
