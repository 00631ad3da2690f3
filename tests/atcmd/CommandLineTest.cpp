// Splitting a command line into name and parameters (spec §2.4, §9 Q4-Q6). Lines covered:
//
//   AT                                        name "AT", no '=', no parameters
//   AT+S.SCFG=console_echo,0                  "console_echo", "0"
//   AT+S.SCAN=s,                              "s", ""            (trailing delimiter)
//   AT+S.HTTPGET=www.amazon.com,,443,2,,,,    8 parameters
//   AT+S.STS=                                 one empty parameter
//   AT+S.SCFG=wifi_ssid, my net               " my net" (never trimmed)
//   AT+S.SCFG=wifi_ssid,a=b                   a later '=' is ordinary
//   AT+S.SOCKON=10.0.0.1,80,NULL,t            "NULL" passed literally

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "atcmd/CommandLine.hpp"

namespace spwf::atcmd {
namespace {

using Params = std::vector<std::string>;

TEST(CommandLineTest, NameWithoutArguments) {
  const CommandLine line = parse_command_line("AT", ',');
  EXPECT_EQ(line.name, "AT");
  EXPECT_FALSE(line.has_arguments);
  EXPECT_TRUE(line.params.empty());
}

TEST(CommandLineTest, OldStyleNamesAreWholeLines) {
  const CommandLine line = parse_command_line("AT&V", ',');
  EXPECT_EQ(line.name, "AT&V");
  EXPECT_FALSE(line.has_arguments);
}

TEST(CommandLineTest, SplitsParametersOnTheDelimiter) {
  const CommandLine line = parse_command_line("AT+S.SCFG=console_echo,0", ',');
  EXPECT_EQ(line.name, "AT+S.SCFG");
  EXPECT_TRUE(line.has_arguments);
  EXPECT_EQ(line.params, (Params{"console_echo", "0"}));
}

TEST(CommandLineTest, KeepsTheCaseOfNameAndParameters) {
  const CommandLine line = parse_command_line("at+s.tlscert=Ca,1200", ',');
  EXPECT_EQ(line.name, "at+s.tlscert");
  EXPECT_EQ(line.params, (Params{"Ca", "1200"}));
}

TEST(CommandLineTest, TrailingDelimiterAddsAnEmptyParameter) {
  const CommandLine line = parse_command_line("AT+S.SCAN=s,", ',');
  EXPECT_EQ(line.params, (Params{"s", ""}));
}

TEST(CommandLineTest, NDelimitersGiveNPlusOneParameters) {
  const CommandLine line = parse_command_line("AT+S.HTTPGET=www.amazon.com,,443,2,,,,", ',');
  EXPECT_EQ(line.params, (Params{"www.amazon.com", "", "443", "2", "", "", "", ""}));
}

TEST(CommandLineTest, OnlyDelimiters) {
  const CommandLine line = parse_command_line("AT+S.PEERS=,,", ',');
  EXPECT_EQ(line.params, (Params{"", "", ""}));
}

TEST(CommandLineTest, EqualsWithNothingAfterGivesOneEmptyParameter) {
  const CommandLine line = parse_command_line("AT+S.STS=", ',');
  EXPECT_EQ(line.name, "AT+S.STS");
  EXPECT_TRUE(line.has_arguments);
  EXPECT_EQ(line.params, Params{""});
}

TEST(CommandLineTest, SpacesAreNeverTrimmed) {
  const CommandLine line = parse_command_line("AT+S.SCFG =wifi_ssid, my net ", ',');
  EXPECT_EQ(line.name, "AT+S.SCFG ");
  EXPECT_EQ(line.params, (Params{"wifi_ssid", " my net "}));
}

TEST(CommandLineTest, LaterEqualsSignsAreOrdinary) {
  const CommandLine line = parse_command_line("AT+S.SCFG=wifi_ssid,a=b=", ',');
  EXPECT_EQ(line.name, "AT+S.SCFG");
  EXPECT_EQ(line.params, (Params{"wifi_ssid", "a=b="}));
}

TEST(CommandLineTest, NullIsPassedLiterally) {
  const CommandLine line = parse_command_line("AT+S.SOCKON=10.0.0.1,80,NULL,t", ',');
  EXPECT_EQ(line.params, (Params{"10.0.0.1", "80", "NULL", "t"}));
}

TEST(CommandLineTest, UsesTheConfiguredDelimiter) {
  const CommandLine line = parse_command_line("AT+S.SCFG=wifi_ssid;a,b", ';');
  EXPECT_EQ(line.params, (Params{"wifi_ssid", "a,b"}));
}

TEST(CommandLineTest, EmptyLineAndEmptyName) {
  const CommandLine empty = parse_command_line("", ',');
  EXPECT_EQ(empty.name, "");
  EXPECT_FALSE(empty.has_arguments);
  EXPECT_TRUE(empty.params.empty());

  const CommandLine no_name = parse_command_line("=x", ',');
  EXPECT_EQ(no_name.name, "");
  EXPECT_EQ(no_name.params, Params{"x"});
}

TEST(CommandLineTest, BinaryBytesAreOrdinary) {
  using namespace std::string_literals;
  const CommandLine line = parse_command_line("AT+S.X=\x00,\xff"s, ',');
  EXPECT_EQ(line.params, (Params{"\x00"s, "\xff"}));
}

}  // namespace
}  // namespace spwf::atcmd
