// The command table (spec §3.1, §3.1.1, §3.1.2). Needs the handlers, so it links spwf::atcmd
// (see CMakeLists.txt). Dialogues the table decides:
//
//   AT+S.HELP             AT-S.Command:AT+S.SOCKQ=<id> -- <description>   (name + syntax)
//   at+s.sockq=0          found case-insensitively
//   AT+S.SOCK             AT-S.ERROR:1:Command not found   (full-length match only)
//   AT+S.SOCKD            AT-S.ERROR:1:Command not found   (SPWF01 command, §3.1.2)

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "atcmd/CommandTable.hpp"
#include "atcmd/commands/ConfigCommands.hpp"
#include "atcmd/commands/DeviceCommands.hpp"
#include "atcmd/commands/SocketCommands.hpp"
#include "atcmd/commands/SystemCommands.hpp"
#include "atcmd/commands/WifiCommands.hpp"

namespace spwf::atcmd {
namespace {

TEST(CommandTableTest, HasEveryCommandOfTheSpecInOrder) {
  const auto table = command_table();
  ASSERT_EQ(table.size(), 75u);
  EXPECT_EQ(table[0].name, "AT");
  EXPECT_EQ(table[1].name, "AT+S.HELP");
  EXPECT_EQ(table[40].name, "AT+S.SOCKON");
  EXPECT_EQ(table[71].name, "AT+S.WSOCKL");
  EXPECT_EQ(table[72].name, "AT&V");
  EXPECT_EQ(table[74].name, "AT&F");
}

TEST(CommandTableTest, RowsAreWellFormed) {
  std::set<std::string> names;
  for (const CommandSpec& command : command_table()) {
    EXPECT_TRUE(command.name.starts_with("AT")) << command.name;
    EXPECT_EQ(command.name.find('='), std::string_view::npos) << command.name;
    EXPECT_TRUE(names.insert(std::string(command.name)).second) << "duplicate " << command.name;
    EXPECT_FALSE(command.description.empty()) << command.name;
    // Markdown escaping must not leak into wire strings.
    EXPECT_EQ(command.syntax.find('\\'), std::string_view::npos) << command.name;
    EXPECT_EQ(command.syntax.find('`'), std::string_view::npos) << command.name;
    EXPECT_EQ(command.description.find('`'), std::string_view::npos) << command.name;
    if (!command.syntax.empty()) {
      EXPECT_TRUE(command.syntax.starts_with("=") || command.syntax.starts_with("[="))
          << command.name;
    }
    EXPECT_EQ(find_command(command.name), &command);
  }
}

TEST(CommandTableTest, SyntaxStringsAreExact) {
  EXPECT_EQ(find_command("AT")->syntax, "");
  EXPECT_EQ(find_command("AT+S.SOCKL")->syntax, "");
  EXPECT_EQ(find_command("AT+S.SOCKQ")->syntax, "=<id>");
  EXPECT_EQ(find_command("AT+S.SOCKW")->syntax, "=<id>,<len><CR><data>");
  EXPECT_EQ(find_command("AT+S.SOCKON")->syntax, "=<host>,<port>,,<t|u|s|TLS Server Domain Name>");
  EXPECT_EQ(find_command("AT+S.PEERS")->syntax, "[=,<peer_number>[,<peer_var>]]");
  EXPECT_EQ(find_command("AT+S.PWM")->syntax, "=<2|4>,<0|frequency>[,duty_cycle]");
}

TEST(CommandTableTest, FindIsCaseInsensitiveOverTheFullLength) {
  EXPECT_EQ(find_command("at+s.sockq"), find_command("AT+S.SOCKQ"));
  EXPECT_NE(find_command("At+S.Sts"), nullptr);
  EXPECT_NE(find_command("at&v"), nullptr);
  EXPECT_EQ(find_command("AT+S.SOCK"), nullptr);
  EXPECT_EQ(find_command("AT+S.SOCKQX"), nullptr);
  EXPECT_EQ(find_command("AT+S.SOCKQ "), nullptr);
  EXPECT_EQ(find_command(""), nullptr);
  EXPECT_EQ(find_command("A"), nullptr);
  EXPECT_EQ(find_command("xT+S.FOO"), nullptr);
}

TEST(CommandTableTest, OlderGenerationCommandsDoNotExist) {
  for (const std::string_view name :
       {"AT+S.SOCKD", "AT+S.SETTIME", "AT+S.TLSDOMAIN", "AT+S.TLSCERT2", "AT+CFUN", "AT+S.HTTPD",
        "AT+S.HTTPDFSUPDATE", "AT+S.HTTPDFSERASE", "AT+S.FSA", "AT+S.HTTPREQ", "AT+S.RTOSSTS",
        "AT+S.SSXSTS", "ATI"}) {
    EXPECT_EQ(find_command(name), nullptr) << name;
  }
}

TEST(CommandTableTest, HiddenCommandsFollowTheHColumn) {
  std::set<std::string_view> hidden;
  for (const CommandSpec& command : command_table()) {
    if (command.listing == Listing::hidden) hidden.insert(command.name);
  }
  EXPECT_EQ(hidden, (std::set<std::string_view>{"AT+S.NVW", "AT+S.MFGTEST", "AT+S.CMDREQ",
                                                "AT+S.BYPASS", "AT+S.RENEW", "AT+S.NTP",
                                                "AT+S.SELFTEST", "AT&V", "AT&W", "AT&F"}));
}

TEST(CommandTableTest, ImplementedCommandsHaveTheirHandlers) {
  EXPECT_EQ(find_command("AT")->handler, &commands::at);
  EXPECT_EQ(find_command("AT+S.HELP")->handler, &commands::help);
  EXPECT_EQ(find_command("AT+S.RESET")->handler, &commands::reset);
  EXPECT_EQ(find_command("AT+S.STS")->handler, &commands::status);
  EXPECT_EQ(find_command("AT+S.TIME")->handler, &commands::time);
  EXPECT_EQ(find_command("AT+S.RANDOM")->handler, &commands::random);
  EXPECT_EQ(find_command("AT+S.GCFG")->handler, &commands::get_config);
  EXPECT_EQ(find_command("AT+S.SCFG")->handler, &commands::set_config);
  EXPECT_EQ(find_command("AT+S.WCFG")->handler, &commands::write_config);
  EXPECT_EQ(find_command("AT+S.FCFG")->handler, &commands::factory_config);
  EXPECT_EQ(find_command("AT&V")->handler, &commands::get_config);
  EXPECT_EQ(find_command("AT&W")->handler, &commands::write_config);
  EXPECT_EQ(find_command("AT&F")->handler, &commands::factory_config);
  EXPECT_EQ(find_command("AT+S.SOCKON")->handler, &commands::socket_open);
  EXPECT_EQ(find_command("AT+S.SOCKW")->handler, &commands::socket_write);
  EXPECT_EQ(find_command("AT+S.WIFI")->handler, &commands::wifi);
  EXPECT_EQ(find_command("AT+S.SSIDTXT")->handler, &commands::ssid_text);
  EXPECT_EQ(find_command("AT+S.SCAN")->handler, &commands::scan);
  EXPECT_EQ(find_command("AT+S.PEERS")->handler, &commands::peers);
  EXPECT_EQ(find_command("AT+S.PING")->handler, &commands::ping);
  EXPECT_EQ(find_command("AT+S.RENEW")->handler, &commands::renew);
  EXPECT_EQ(find_command("AT+S.NTP")->handler, &commands::ntp);
  EXPECT_EQ(find_command("AT+S.PMS")->handler, &commands::power_mode);
  EXPECT_EQ(find_command("AT+S.PYTHON")->handler, &commands::python);
  EXPECT_EQ(find_command("AT+S.NVW")->handler, &commands::nv_write);
  EXPECT_EQ(find_command("AT+S.MFGTEST")->handler, &commands::manufacturing_test);
  EXPECT_EQ(find_command("AT+S.GPIOC")->handler, &commands::gpio_configure);
  EXPECT_EQ(find_command("AT+S.GPIOR")->handler, &commands::gpio_read);
  EXPECT_EQ(find_command("AT+S.GPIOW")->handler, &commands::gpio_write);
  EXPECT_EQ(find_command("AT+S.DAC")->handler, &commands::dac);
  EXPECT_EQ(find_command("AT+S.ADC")->handler, &commands::adc);
  EXPECT_EQ(find_command("AT+S.PWM")->handler, &commands::pwm);
  EXPECT_EQ(find_command("AT+S.CMDREQ")->handler, &commands::command_request);
  EXPECT_EQ(find_command("AT+S.BYPASS")->handler, &commands::bypass);
  EXPECT_EQ(find_command("AT+S.WPS")->handler, &commands::wps);
  EXPECT_EQ(find_command("AT+S.SELFTEST")->handler, &commands::self_test);
}

}  // namespace
}  // namespace spwf::atcmd
