// The wire tables (spec §4, §5). Lines whose texts they supply:
//
//   AT+S.SOCKQ=9          AT-S.ERROR:76:Illegal Socket ID
//   AT+S.FOO              AT-S.ERROR:1:Command not found
//   (boot)                +WIND:13:Copyright (c) 2012-2017 STMicroelectronics, Inc.  All
//                           rights Reserved:SPWF04SA     (one line on the wire, two spaces)
//   (data arrives)        +WIND:55:Pending Data::0:120:120

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "atcmd/Wire.hpp"

namespace spwf::atcmd {
namespace {

TEST(WireTest, ErrorTextsAreExact) {
  EXPECT_EQ(error_text(AtError::command_not_found), "Command not found");
  EXPECT_EQ(error_text(AtError::missing_arguments), "Missing argument(s)");
  EXPECT_EQ(error_text(AtError::too_many_arguments), "Too many argument(s)");
  EXPECT_EQ(error_text(AtError::invalid_arguments), "Invalid argument(s)");
  EXPECT_EQ(error_text(AtError::scan_in_progress), "Scan in Progress");
  EXPECT_EQ(error_text(AtError::illegal_socket_id), "Illegal Socket ID");
  EXPECT_EQ(error_text(AtError::pending_data), "Pending data");
  EXPECT_EQ(error_text(AtError::socket_not_connected), "Socket not connected");
  EXPECT_EQ(error_text(AtError::gpio_direction), "Direction must be 'in' or 'out'");
  EXPECT_EQ(error_text(AtError::request_failed), "Request failed");
}

TEST(WireTest, NoneHasNoText) {
  EXPECT_TRUE(error_text(AtError::none).empty());
}

TEST(WireTest, ErrorTableHasEveryRowOfTheSpecInOrder) {
  const auto table = error_table();
  ASSERT_EQ(table.size(), 65u);
  EXPECT_EQ(table.front().error, AtError::command_not_found);
  EXPECT_EQ(table.back().error, AtError::request_failed);
  std::set<int> numbers;
  int last = 0;
  for (const ErrorEntry& entry : table) {
    const int number = static_cast<int>(entry.error);
    EXPECT_FALSE(entry.text.empty()) << number;
    EXPECT_TRUE(numbers.insert(number).second) << "duplicate " << number;
    EXPECT_GT(number, last) << "the spec lists the numbers in ascending order";
    last = number;
    EXPECT_EQ(error_text(entry.error), entry.text) << number;
    EXPECT_EQ(entry.text.find(':'), std::string_view::npos) << "a ':' would break the line";
  }
}

TEST(WireTest, ErrorConfidenceFollowsTheSpec) {
  const auto confidence_of = [](AtError error) {
    for (const ErrorEntry& entry : error_table()) {
      if (entry.error == error) return entry.confidence;
    }
    ADD_FAILURE() << "missing " << static_cast<int>(error);
    return Confidence::guess;
  };
  EXPECT_EQ(confidence_of(AtError::command_not_found), Confidence::fact);
  EXPECT_EQ(confidence_of(AtError::illegal_socket_id), Confidence::fact);
  EXPECT_EQ(confidence_of(AtError::variable_not_found), Confidence::inferred);
  EXPECT_EQ(confidence_of(AtError::invalid_value), Confidence::guess);
}

TEST(WireTest, WindTextsAreExact) {
  EXPECT_EQ(wind_text(Wind::console_active), "Console active");
  EXPECT_EQ(wind_text(Wind::poweron), "Poweron");
  EXPECT_EQ(wind_text(Wind::copyright),
            "Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights Reserved");
  EXPECT_EQ(wind_text(Wind::wifi_up), "WiFi Up");
  EXPECT_EQ(wind_text(Wind::association_successful), "WiFi Association successful");
  EXPECT_EQ(wind_text(Wind::pending_data), "Pending Data");
  EXPECT_EQ(wind_text(Wind::low_power_mode), "Low Power mode");
  EXPECT_EQ(wind_text(Wind::wps_generating_dh_keyset), "WPS Generating DH keyset");
  EXPECT_EQ(wind_text(Wind::file_received), "File Received");
}

TEST(WireTest, Wind13HasTwoSpacesBeforeAllRightsReserved) {
  EXPECT_NE(wind_text(Wind::copyright).find("Inc.  All"), std::string_view::npos);
}

TEST(WireTest, EveryNamedWindHasAUniqueText) {
  // The enum names 51 indications (spec §5 rows the emulator may raise); numbers it does not
  // name have no text.
  std::set<std::string_view> texts;
  int named = 0;
  for (int number = 0; number <= 255; ++number) {
    const std::string_view text = wind_text(static_cast<Wind>(number));
    if (text.empty()) continue;
    ++named;
    EXPECT_TRUE(texts.insert(text).second) << "duplicate text for " << number;
    EXPECT_LE(number, 94) << "masks cover 0-94 only";
  }
  EXPECT_EQ(named, 51);
  EXPECT_TRUE(wind_text(static_cast<Wind>(10)).empty());
  EXPECT_EQ(wind_text(Wind::wpa_terminated), "WPA Terminated");  // spec §3.4.1, §5
}

TEST(WireTest, HttpClientErrorNumbers) {
  // Spec §3.8: 1 refused and 2 TLS are the module's; the rest are adopted and marked unverified.
  EXPECT_EQ(http_client_error_number(HttpClientFailure::connect_failed), 1u);
  EXPECT_EQ(http_client_error_number(HttpClientFailure::tls_failed), 2u);
  std::set<unsigned> numbers;
  for (const auto& entry : http_client_error_table()) {
    EXPECT_TRUE(numbers.insert(entry.number).second) << entry.number;
    const bool seen = entry.number <= 2;
    EXPECT_EQ(entry.confidence == Confidence::fact, seen) << entry.number;
  }
  EXPECT_EQ(numbers.size(), 7u);
}

}  // namespace
}  // namespace spwf::atcmd
