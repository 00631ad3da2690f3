// What a hostile host may send over the pty, and the module's own answer to it: the emulator
// never dies, hangs, grows or leaves its state directory, whatever the line (spec §2.2, §2.4, §4).
//   AT+S.SOCKQ=18446744073709551616        -> AT-S.ERROR:76:Illegal Socket ID
//   AT+S.FSC=../x,1                        -> AT-S.ERROR:51:Unable to open file
//   AT+S.FSC=x,4294967296                  -> AT-S.ERROR:32:Argument exceeds allowed size
//   AT+S.TLSCERT=ca,5 + 5 NUL bytes        -> AT-S.ERROR:8:Invalid value
//   AT + 510 bytes + CR, then AT           -> (nothing: the line is discarded), AT-S.OK
//   AT+S.FSC=2:f<n>,1 + 1 byte, 257 names  -> AT-S.OK 256 times, then AT-S.ERROR:51:Unable to open
//                                             file (the volume's directory is full)
//   AT+S.SOCKON=127.0.0.1,9,4294967297,u; AT+S.SOCKL
//                                          -> AT-S.List::0:1:1:0:127.0.0.1:1 (a 16-bit port)
//   AT+S.SCFG=ip_hostname,<\xff\x00"\\>; AT+S.WCFG; AT+S.RESET; AT+S.GCFG=ip_hostname
//                                          -> the same bytes, and config.json is valid JSON

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

using namespace std::string_literals;

class HostileInputTest : public ConsoleFixture {};

constexpr std::string_view e2 = "AT-S.ERROR:2:Missing argument(s)\r\n";
constexpr std::string_view e4 = "AT-S.ERROR:4:Variable not found\r\n";
constexpr std::string_view e6 = "AT-S.ERROR:6:Too many argument(s)\r\n";
constexpr std::string_view e7 = "AT-S.ERROR:7:Invalid argument(s)\r\n";
constexpr std::string_view e8 = "AT-S.ERROR:8:Invalid value\r\n";
constexpr std::string_view e32 = "AT-S.ERROR:32:Argument exceeds allowed size\r\n";
constexpr std::string_view e33 = "AT-S.ERROR:33:Argument evaluated to zero\r\n";
constexpr std::string_view e51 = "AT-S.ERROR:51:Unable to open file\r\n";
constexpr std::string_view e76 = "AT-S.ERROR:76:Illegal Socket ID\r\n";
constexpr std::string_view ok = "AT-S.OK\r\n";

struct Case {
  std::string line;  // without the CR
  std::string payload;
  std::string_view answer;
};

/// Each line (and its payload) against a fresh emulator, then AT still answers.
void expect_answers(PtyHost& host, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    host.send(c.line + "\r" + c.payload);
    EXPECT_EQ(host.answer(), c.answer) << c.line;
    EXPECT_EQ(host.command("AT"), ok) << "after " << c.line;
  }
}

TEST_F(HostileInputTest, AbsurdNumbersGetTheModulesErrors) {
  start();
  const std::string two64 = "18446744073709551616";
  expect_answers(
      host(),
      {
          {"AT+S.PING=4294967296,1,127.0.0.1", "", e7},
          {"AT+S.PING=" + std::string(29, ','), "", e6},
          {"AT+S.SOCKQ=" + two64, "", e76},
          {"AT+S.SOCKQ=-1", "", e76},
          {"AT+S.SOCKQ=0x0", "", e76},
          {"AT+S.SOCKQ=+0", "", e76},
          {"AT+S.SOCKC=0,0,0,0", "", e6},
          {"AT+S.SOCKW=0,0", "", e76},  // the id is checked first
          {"AT+S.SOCKW=", "", e2},
          {"AT+S.SOCKW=0,1", "", e76},
          {"AT+S.SOCKDON=65536,t", "", e7},
          {"AT+S.SOCKDON=-5,t", "", e7},
          {"AT+S.SOCKDC=0," + two64, "", e76},
          {"AT+S.SOCKDW=0,0,1", "", e76},
          {"AT+S.WSOCKC=0,99999999999999999999", "", e76},
          {"AT+S.WSOCKW=0,1,1,1,1", "", e76},
          {"AT+S.MQTTSUB=" + two64 + ",t,0", "", e76},
          {"AT+S.MQTTPUB=0,t,0,0,1", "", e76},
          {"AT+S.GPIOC=" + two64 + ",in,r", "", "AT-S.ERROR:20:Invalid GPIO Num (0-15)\r\n"},
          {"AT+S.GPIOW=0,-1", "", e7},
          {"AT+S.DAC=" + two64, "", "AT-S.ERROR:26:Output voltage not allowed\r\n"},
          {"AT+S.PWM=2," + two64 + ",50", "", "AT-S.ERROR:27:Frequency not supported\r\n"},
          {"AT+S.PWM=2,1000," + two64, "", "AT-S.ERROR:28:Duty cycle not supported\r\n"},
          {"AT+S.PMS=-1", "", e7},
          {"AT+S.TIME=" + two64, "", "AT-S.ERROR:66:Cannot update DateTime\r\n"},
          {"AT+S.FSM=4294967297", "", "AT-S.ERROR:59:Unable to (un)mount volume\r\n"},
          {"AT+S.FSU=2," + two64, "", e7},
          {"AT+S.WIFI=" + two64, "", e7},
          {"AT+S.RANDOM=1", "", e6},
          {"AT+S.TFTPGET=127.0.0.1,99999,a,b", "", e7},
          {"AT+S.INPUTSSI=4294967296", "", e32},
          {"AT+S.CMDREQ=0", "", e33},
          {"AT+S.CMDREQ=3", "abc", e7},
      });
}

TEST_F(HostileInputTest, NamesOutsideTheVolumesAreRefused) {
  start();
  expect_answers(
      host(), {
                  {"AT+S.FSC=../x,1", "", e51},
                  {"AT+S.FSC=/etc/passwd,1", "", e51},
                  {"AT+S.FSC=1://x,1", "", e51},
                  {"AT+S.FSC=3:..,1", "", e51},
                  {"AT+S.FSC=a\x01"
                   "b,1",
                   "", e51},
                  {"AT+S.FSC=a\x00"
                   "b,1"s,
                   "", e51},
                  {"AT+S.FSC=" + std::string(65, 'a') + ",1", "", e51},
                  {"AT+S.FSC=0:a,1", "", e51},
                  {"AT+S.FSC=x,4294967296", "", e32},
                  {"AT+S.FSC=x,18446744073709551616", "", e32},
                  {"AT+S.FSC=2:z,262145", "", e32},
                  {"AT+S.FSC=x,0", "", e33},
                  {"AT+S.FSC=x,-1", "", e33},
                  {"AT+S.FSD=../../spwf04emu.lock", "", "AT-S.ERROR:56:Unable to delete file\r\n"},
                  {"AT+S.FSR=a,../b", "", "AT-S.ERROR:55:Unable to rename file\r\n"},
                  {"AT+S.FSL=../", "", "AT-S.ERROR:57:Unable to open directory\r\n"},
                  {"AT+S.FSP=../fs/user,0,10", "", e51},
                  {"AT+S.HASH=2,../../spwf04emu.lock", "", e51},
                  {"AT+S.TLSCERT=ca,4294967296", "", e32},
                  {"AT+S.TLSCERT=ca,0", "", e33},
                  {"AT+S.TLSCERT=ca,../../etc/passwd", "", e33},
                  {"AT+S.TLSCERT=content,18446744073709551616", "", e7},
                  {"AT+S.TLSCERT=ca,5", std::string(5, '\0'), e8},
                  {"AT+S.WPAECERT=ca,4294967296", "", e32},
                  {"AT+S.TFTPGET=127.0.0.1,1,a,../../x", "", e51},
                  {"AT+S.TFTPPUT=127.0.0.1,1,../../spwf04emu.lock", "", e51},
                  {"AT+S.HTTPGET=127.0.0.1,/,1,0,,,../../x,", "", e51},
                  {"AT+S.HTTPPOST=127.0.0.1,/,1,0,,,,../../spwf04emu.lock", "", e51},
                  {"AT+S.SCAN=s,../x", "", e51},
                  {"AT+S.FSC=a\xff"
                   "b,1",
                   "Z", ok},
              });
  // Nothing was created outside the volumes' directories.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(m_temp.path() / "state")) {
    if (!entry.is_regular_file()) continue;
    const std::string path = entry.path().string();
    EXPECT_TRUE(path.ends_with("spwf04emu.lock") || path.find("/fs/") != std::string::npos) << path;
  }
}

TEST_F(HostileInputTest, BadVariableValuesAndLinesAreRefused) {
  start();
  expect_answers(host(),
                 {
                     {"AT+S.SCFG=console_echo,18446744073709551616", "", e8},
                     {"AT+S.SCFG=console_echo,", "", e8},
                     {"AT+S.SCFG=console_echo", "", e2},
                     {"AT+S.SCFG=console_echo,0,0", "", e6},
                     {"AT+S.SCFG=nosuch,1", "", e4},
                     {"AT+S.SCFG=,", "", e4},
                     {"AT+S.SCFG=ip_hostname," + std::string(33, 'A'), "", e32},
                     {"AT+S.SCFG=wifi_ssid,zz:zz", "", e8},
                     {"AT+S.SCFG=wifi_ssid_len,256", "", e8},
                     {"AT+S.SCFG=ramdisk_memsize,256", "", e8},
                     {"AT+S.SCFG=console_repeater,ab", "", e8},
                     {"AT+S.SSIDTXT=" + std::string(76, 'A'), "", e32},
                     {"AT+S.STS=\xff\xfe", "", e4},
                     {"AT+S.GCFG=\x00"s, "", e4},
                     {"AT\x00+S.STS"s, "", "AT-S.ERROR:1:Command not found\r\n"},
                     {"AT" + std::string(509, 'X'), "", "AT-S.ERROR:1:Command not found\r\n"},
                 });
  // 512 stored characters: the line is discarded without an answer (spec §2.2), the next runs.
  // The CR after it lands at pos 0 and is stored (§2.2); the LF at pos 1 then resets the line.
  host().send("AT" + std::string(510, 'X') + "\r\n");
  EXPECT_EQ(host().command("AT"), ok);
  host().send("AT" + std::string(100000, 'X') + "\r\n");
  EXPECT_EQ(host().command("AT"), ok);
}

TEST_F(HostileInputTest, AVolumeHoldsABoundedNumberOfFiles) {
  start();
  std::string batch;
  for (int i = 0; i < 256; ++i) batch += "AT+S.FSC=2:f" + std::to_string(i) + ",1\rZ";
  host().send(batch);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(host().answer(), ok) << i;
  EXPECT_EQ(host().command("AT+S.FSC=2:one-more,1"), e51);
  host().send("AT+S.FSC=2:f7,1\rZ");  // an existing file still grows
  EXPECT_EQ(host().answer(), ok);
  EXPECT_EQ(host().command("AT+S.FSD=2:f0"), ok);
  host().send("AT+S.FSC=2:one-more,1\rZ");
  EXPECT_EQ(host().answer(), ok);
}

TEST_F(HostileInputTest, TheLocalPortFieldIsA16BitPort) {
  start();
  EXPECT_EQ(host().command("AT+S.SOCKON=127.0.0.1,9,4294967297,u"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKON=127.0.0.1,9,99999999999999999999,u"),
            "AT-S.On:127.0.0.1:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKL"),
            "AT-S.List::0:1:1:0:127.0.0.1:1\r\nAT-S.List::1:1:1:0:127.0.0.1:65535\r\nAT-S.OK\r\n");
}

TEST_F(HostileInputTest, BinaryVariablesSurviveFlashAndReset) {
  start();
  const std::string value = "a\xff\xc3\x00\"\\b"s;
  EXPECT_EQ(host().command("AT+S.SCFG=ip_hostname," + value), ok);
  EXPECT_EQ(host().command("AT+S.WCFG"), ok);
  host().send("AT+S.RESET\r");
  host().read_until(ntp_prefix);
  EXPECT_EQ(host().command("AT+S.GCFG=ip_hostname"),
            "AT-S.Var:ip_hostname=" + value + "\r\n" + std::string(ok));
  std::ifstream saved{m_temp.path() / "state" / "config.json"};
  const auto json = nlohmann::json::parse(saved, nullptr, false);
  EXPECT_FALSE(json.is_discarded());
}

}  // namespace
}  // namespace spwf::testing
