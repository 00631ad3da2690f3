// Covers config/VariableTable: the §6.1 and §6.3 tables (order, types, sizes, factory values,
// hidden rows) and the SCFG value syntax of §3.3 as normalise_value implements it, e.g.
//   AT+S.SCFG=wifi_opr_rate_mask,0x3fffcf  -> AT+S.GCFG=wifi_opr_rate_mask
//   AT-S.Var:wifi_opr_rate_mask=0x003FFFCF
//   AT+S.SCFG=blink_led,256                -> AT-S.ERROR:8:Invalid value (uint (1))

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "config/VariableTable.hpp"

namespace spwf::config {
namespace {

const VariableSpec& spec(std::string_view name) {
  const auto* found = find_configuration_variable(name);
  if (found == nullptr) throw std::invalid_argument(std::string(name));
  return *found;
}

std::string ok(std::string_view name, std::string_view input) {
  const auto result = normalise_value(spec(name), input);
  EXPECT_FALSE(result.error.has_value()) << name << " <- \"" << input << "\"";
  return result.text;
}

std::optional<ValueError> error_of(std::string_view name, std::string_view input) {
  return normalise_value(spec(name), input).error;
}

TEST(VariableTableTest, ConfigurationTableHasTheSpecRowsInOrder) {
  const auto variables = configuration_variables();
  ASSERT_EQ(variables.size(), 115u);
  EXPECT_EQ(variables.front().name, "nv_manuf");
  EXPECT_EQ(variables[3].name, "nv_wifi_macaddr");
  EXPECT_EQ(variables[4].name, "standby_time");
  EXPECT_EQ(variables[11].name, "len");
  EXPECT_EQ(variables.back().name, "ip_mdns_startup");
  std::set<std::string_view> names;
  for (const auto& variable : variables) {
    EXPECT_TRUE(names.insert(variable.name).second) << "duplicate " << variable.name;
  }
}

TEST(VariableTableTest, RowsCarryTypeSizeFactoryAndVisibility) {
  const auto& speed = spec("console_speed");
  EXPECT_EQ(speed.type, VarType::uint_value);
  EXPECT_EQ(speed.size, 4u);
  EXPECT_EQ(speed.factory, "115200");
  EXPECT_EQ(speed.visibility, Visibility::listed);

  const auto& mask = spec("wifi_opr_rate_mask");
  EXPECT_EQ(mask.type, VarType::hex32);
  EXPECT_EQ(mask.factory, "0x003FFFCF");

  EXPECT_EQ(spec("wifi_rssi_thresh").type, VarType::int_value);
  EXPECT_EQ(spec("console_delimiter").type, VarType::char_value);
  EXPECT_EQ(spec("console_delimiter").factory, ",");
  EXPECT_EQ(spec("ip_netmask").type, VarType::ip);
  EXPECT_EQ(spec("ip_netmask").factory, "255.255.255.0");
  EXPECT_EQ(spec("ip_mdns_services_port").type, VarType::u16_pair);
  EXPECT_EQ(spec("ip_mdns_services_port").factory, "80 69");
  EXPECT_EQ(spec("wifi_ssid").factory, "53:54:54:65:73:74");
  EXPECT_EQ(spec("wifi_wpa_psk_text").factory, "");
  EXPECT_EQ(spec("ip_local").factory, "0:0:0:0:0:0:0:0");
  EXPECT_EQ(spec("user_desc").size, 16u);
}

TEST(VariableTableTest, ExactlyTheSpecHiddenRowsAreHidden) {
  const std::set<std::string_view> expected{"len",
                                            "crc_check",
                                            "wifi_band",
                                            "wifi_enabled",
                                            "wifi_wpa_psk_crunched",
                                            "wifi_eap_subject_match",
                                            "wifi_eap_altsubject_match",
                                            "wifi_eap_peap_options",
                                            "ip_bypass",
                                            "ip_ifname"};
  std::set<std::string_view> hidden;
  for (const auto& variable : configuration_variables()) {
    if (variable.visibility == Visibility::hidden) hidden.insert(variable.name);
  }
  EXPECT_EQ(hidden, expected);
}

TEST(VariableTableTest, EveryFactoryValueIsAlreadyCanonical) {
  for (const auto& variable : configuration_variables()) {
    const auto result = normalise_value(variable, variable.factory);
    EXPECT_FALSE(result.error.has_value()) << variable.name;
    EXPECT_EQ(result.text, variable.factory) << variable.name;
  }
}

TEST(VariableTableTest, StatusTableExpandsGroupedRows) {
  const auto status = status_variables();
  ASSERT_EQ(status.size(), 64u);
  EXPECT_EQ(status[0].name, "fw_version");
  EXPECT_EQ(status[0].type, VarType::string);
  EXPECT_EQ(status[15].name, "app_fs");
  EXPECT_EQ(status[18].name, "extvol_fs");
  EXPECT_EQ(status[22].name, "wifi_state");
  EXPECT_EQ(status[23].name, "wifi_own_macaddr");
  EXPECT_EQ(status[23].type, VarType::hex_bytes);
  EXPECT_EQ(status[29].name, "wifi_chan_activity");
  EXPECT_EQ(status[29].type, VarType::hex32);
  EXPECT_EQ(status[30].type, VarType::int_value);
  EXPECT_EQ(status[32].name, "wifi_reg_country");
  EXPECT_EQ(status[32].type, VarType::string);
  EXPECT_EQ(status[41].name, "wifi_maxpowerlevel");
  EXPECT_EQ(status[41].type, VarType::int_value);
  EXPECT_EQ(status[51].name, "ip_ipaddr");
  EXPECT_EQ(status[51].type, VarType::ip);
  EXPECT_EQ(status.back().name, "ip_cert_len_dhp");
}

TEST(VariableTableTest, LookupIsExactAndSeparatesTheTwoTables) {
  EXPECT_NE(find_configuration_variable("wifi_mode"), nullptr);
  EXPECT_EQ(find_configuration_variable("WIFI_MODE"), nullptr);
  EXPECT_EQ(find_configuration_variable("wifi_reg_country"), nullptr);
  EXPECT_EQ(find_configuration_variable("ip_http_get_recv_timeout"), nullptr);
  EXPECT_NE(find_status_variable("wifi_reg_country"), nullptr);
  EXPECT_EQ(find_status_variable("build"), nullptr);
}

TEST(VariableTableTest, UnsignedValuesAreRangeCheckedBySize) {
  EXPECT_EQ(ok("blink_led", "0"), "0");
  EXPECT_EQ(ok("blink_led", "255"), "255");
  EXPECT_EQ(ok("blink_led", "0x10"), "16");
  EXPECT_EQ(ok("blink_led", "007"), "7");
  EXPECT_EQ(error_of("blink_led", "256"), ValueError::invalid_value);
  EXPECT_EQ(ok("wifi_rts_threshold", "65535"), "65535");
  EXPECT_EQ(error_of("wifi_rts_threshold", "65536"), ValueError::invalid_value);
  EXPECT_EQ(ok("console_speed", "4294967295"), "4294967295");
  EXPECT_EQ(error_of("console_speed", "4294967296"), ValueError::invalid_value);
  for (const auto* bad : {"", "-1", "+1", "1a", " 1", "0x", "abc", "99999999999999999999999"}) {
    EXPECT_EQ(error_of("blink_led", bad), ValueError::invalid_value) << bad;
  }
}

TEST(VariableTableTest, SignedValuesAreRangeCheckedBySize) {
  EXPECT_EQ(ok("wifi_rssi_thresh", "-70"), "-70");
  EXPECT_EQ(ok("wifi_rssi_thresh", "-128"), "-128");
  EXPECT_EQ(ok("wifi_rssi_thresh", "127"), "127");
  EXPECT_EQ(ok("wifi_rssi_thresh", "+5"), "5");
  EXPECT_EQ(error_of("wifi_rssi_thresh", "128"), ValueError::invalid_value);
  EXPECT_EQ(error_of("wifi_rssi_thresh", "-129"), ValueError::invalid_value);
  EXPECT_EQ(error_of("wifi_rssi_thresh", "-"), ValueError::invalid_value);
}

TEST(VariableTableTest, Hex32PrintsEightUpperCaseDigits) {
  EXPECT_EQ(ok("wifi_opr_rate_mask", "0x3fffcf"), "0x003FFFCF");
  EXPECT_EQ(ok("console_wind_off_high", "0xFFFFFFFF"), "0xFFFFFFFF");
  EXPECT_EQ(ok("console_wind_off_high", "0X00100000"), "0x00100000");
  EXPECT_EQ(ok("console_wind_off_low", "16"), "0x00000010");
  EXPECT_EQ(error_of("console_wind_off_low", "0x100000000"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_wind_off_low", "0x0000000001"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_wind_off_low", "4294967296"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_wind_off_low", "0xG"), ValueError::invalid_value);
}

TEST(VariableTableTest, CharIsOneCharacterOrItsHexForm) {
  EXPECT_EQ(ok("console_delimiter", ";"), ";");
  EXPECT_EQ(ok("console_delimiter", "0x3B"), ";");
  EXPECT_EQ(ok("console_repeater", "0X2a"), "*");
  EXPECT_EQ(ok("console_repeater", "0"), "0");  // one character, not a number
  EXPECT_EQ(error_of("console_delimiter", ""), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_delimiter", ";;"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_delimiter", "0x3"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_delimiter", "0x3G"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_delimiter", "0x00"), ValueError::invalid_value);
  EXPECT_EQ(error_of("console_delimiter", "0x123"), ValueError::invalid_value);
}

TEST(VariableTableTest, CharPrintsAsTwoUpperCaseHexDigits) {
  // Spec §2.6: the 170726 listing shows console_repeater=0x21, console_delimiter=0x2C.
  EXPECT_EQ(printed_value(spec("console_repeater"), spec("console_repeater").factory), "0x21");
  EXPECT_EQ(printed_value(spec("console_delimiter"), ","), "0x2C");
  EXPECT_EQ(printed_value(spec("console_delimiter"), "\xE9"), "0xE9");
  EXPECT_EQ(printed_value(spec("user_desc"), "anonymous"), "anonymous");
  EXPECT_EQ(printed_value(spec("console_wind_off_low"), "0x00000000"), "0x00000000");
}

TEST(VariableTableTest, StringsHoldAtMostTheirSize) {
  EXPECT_EQ(ok("user_desc", ""), "");
  EXPECT_EQ(ok("user_desc", "sixteen chars ok"), "sixteen chars ok");
  EXPECT_EQ(error_of("user_desc", "seventeen chars!!"), ValueError::too_long);
  EXPECT_EQ(ok("ip_hostname", " spaced, kept "), " spaced, kept ");
  EXPECT_EQ(ok("wifi_wpa_psk_text", std::string(64, 'p')), std::string(64, 'p'));
  EXPECT_EQ(error_of("wifi_wpa_psk_text", std::string(65, 'p')), ValueError::too_long);
}

TEST(VariableTableTest, HexBytesArePaddedForFixedSizeVariables) {
  EXPECT_EQ(ok("nv_wifi_macaddr", "00:80:e1:bd:dc:52"), "00:80:E1:BD:DC:52");
  EXPECT_EQ(ok("ip_macfilter", "0:80:e1"), "00:80:E1:00:00:00");
  EXPECT_EQ(ok("ip_macfilter", ""), "00:00:00:00:00:00");
  EXPECT_EQ(ok("aes128_key", "ff"), "FF:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00");
  EXPECT_EQ(ok("wifi_wep_keys[2]", "01:02:03:04:05"),
            "01:02:03:04:05:00:00:00:00:00:00:00:00:00:00:00");
  EXPECT_EQ(error_of("ip_macfilter", "00:11:22:33:44:55:66"), ValueError::too_long);
  for (const auto* bad : {"0:", ":0", "0::1", "123", "zz", "00-11", "0 1"}) {
    EXPECT_EQ(error_of("ip_macfilter", bad), ValueError::invalid_value) << bad;
  }
}

TEST(VariableTableTest, SsidKeepsTheBytesAsGiven) {
  EXPECT_EQ(ok("wifi_ssid", "41:42"), "41:42");
  EXPECT_EQ(ok("wifi_ssid", ""), "");
  std::string thirty_two;
  for (int index = 0; index < 32; ++index) thirty_two += index == 0 ? "61" : ":61";
  EXPECT_EQ(ok("wifi_ssid", thirty_two), thirty_two);
  EXPECT_EQ(error_of("wifi_ssid", thirty_two + ":61"), ValueError::too_long);
}

TEST(VariableTableTest, Ipv4SlotsTakeDottedQuads) {
  EXPECT_EQ(ok("ip_ipaddr", "10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(ok("ip_gw", "192.168.001.001"), "192.168.1.1");
  for (const auto* bad : {"", "10.0.0", "10.0.0.256", "10.0.0.7.", "10..0.7", "a.b.c.d",
                          "10.0.0.7 ", "::1", "1.2.3.4.5"}) {
    EXPECT_EQ(error_of("ip_ipaddr", bad), ValueError::invalid_value) << bad;
  }
}

TEST(VariableTableTest, Ipv6SlotsPrintEightUncompressedGroups) {
  EXPECT_EQ(ok("ip_local", "fe80::280:E1FF:febd:39"), "fe80:0:0:0:280:e1ff:febd:39");
  EXPECT_EQ(ok("ip_dns1v6", "2001:4860:4860::8888"), "2001:4860:4860:0:0:0:0:8888");
  EXPECT_EQ(ok("ip_dns2v6", "::"), "0:0:0:0:0:0:0:0");
  EXPECT_EQ(ok("ip_dns2v6", ""), "0:0:0:0:0:0:0:0");
  EXPECT_EQ(error_of("ip_local", "192.168.0.1"), ValueError::invalid_value);
  EXPECT_EQ(error_of("ip_local", "fe80:::1"), ValueError::invalid_value);
}

TEST(VariableTableTest, PairsAreTwoDecimalsAndOneSpace) {
  EXPECT_EQ(ok("ip_mdns_services_port", "8080 0"), "8080 0");
  EXPECT_EQ(ok("ip_mdns_services_ttl", "65535 65535"), "65535 65535");
  for (const auto* bad : {"80", "80  69", "80,69", "80 65536", " 80 69", "80 69 ", "a b", ""}) {
    EXPECT_EQ(error_of("ip_mdns_services_port", bad), ValueError::invalid_value) << bad;
  }
}

}  // namespace
}  // namespace spwf::config
