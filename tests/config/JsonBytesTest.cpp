// Covers config/JsonBytes: byte strings stored in the flash's JSON files read back exactly,
// whatever their bytes (spec §3.3: strings are bytes on the module). Valid UTF-8 stays a
// readable JSON string; anything else takes the {"hex": "..."} form.
//   AT+S.SCFG=user_desc,\xFF  /  AT+S.WCFG  -> AT-S.OK (never json type_error 316)

#include <gtest/gtest.h>

#include "config/ConfigStore.hpp"
#include "config/FlashStore.hpp"
#include "config/JsonBytes.hpp"
#include "tests/config/TempDirectory.hpp"

namespace spwf::config {
namespace {

using testing_support::TempDirectory;

std::string every_byte() {
  std::string bytes;
  for (int value = 0; value < 256; ++value) bytes += static_cast<char>(value);
  return bytes;
}

// Saves `values` with a FlashStore, opens the directory again and loads them.
nlohmann::json save_and_load(const nlohmann::json& values) {
  const TempDirectory directory;
  {
    FlashStore store(directory.path());
    EXPECT_FALSE(store.save_config(values));
  }
  const FlashStore reopened(directory.path());
  return reopened.load_config().value_or(nlohmann::json{});
}

TEST(JsonBytesTest, Utf8IsValidatedStrictly) {
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("gr\xC3\xBC\xC3\x9F dich \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(is_valid_utf8(std::string("nul\0inside", 10)));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
}

TEST(JsonBytesTest, ReadableTextStaysAString) {
  EXPECT_EQ(bytes_to_json("anonymous"), nlohmann::json("anonymous"));
  EXPECT_EQ(bytes_to_json(std::string("\xFF\x00\x41", 3)), (nlohmann::json{{"hex", "FF0041"}}));
  EXPECT_EQ(bytes_from_json(nlohmann::json{{"hex", "ff0041"}}), std::string("\xFF\x00\x41", 3));
  EXPECT_EQ(bytes_from_json(nlohmann::json{{"hex", "F"}}), std::nullopt);
  EXPECT_EQ(bytes_from_json(nlohmann::json{{"hex", "GG"}}), std::nullopt);
  EXPECT_EQ(bytes_from_json(nlohmann::json{{"hex", "00"}, {"extra", 1}}), std::nullopt);
  EXPECT_EQ(bytes_from_json(nlohmann::json(5)), std::nullopt);
}

TEST(JsonBytesTest, EveryByteValueRoundTripsThroughTheFlash) {
  nlohmann::json values = nlohmann::json::object();
  const std::string bytes = every_byte();
  for (int value = 0; value < 256; ++value) {
    values["byte" + std::to_string(value)] = bytes_to_json(bytes.substr(value, 1));
  }
  values["all"] = bytes_to_json(bytes);
  values["text"] = bytes_to_json("caf\xC3\xA9");
  const nlohmann::json loaded = save_and_load(values);
  for (int value = 0; value < 256; ++value) {
    EXPECT_EQ(bytes_from_json(loaded.at("byte" + std::to_string(value))), bytes.substr(value, 1))
        << "byte " << value;
  }
  EXPECT_EQ(bytes_from_json(loaded.at("all")), bytes);
  EXPECT_EQ(loaded.at("text"), nlohmann::json("caf\xC3\xA9"));
}

// The configuration store saves and restores every byte of its string variables: each byte
// value alone in user_desc through the JSON text (as FlashStore writes and reads it), then all
// 256 bytes in order through the flash.
TEST(JsonBytesTest, ConfigurationStringsKeepEveryByte) {
  const std::string bytes = every_byte();
  // The 256 bytes in order, spread over three 64-byte and two 32-byte string variables.
  const char* variables[] = {"python_script", "wifi_wpa_psk_text", "ip_mdns_services_name"};
  ConfigStore store(Identity{});
  for (int value = 0; value < 256; ++value) {
    ASSERT_EQ(store.set("user_desc", bytes.substr(value, 1)), SetResult::ok) << value;
    ConfigStore restored(Identity{});
    const auto text = store.to_json().dump();
    ASSERT_EQ(restored.load_json(nlohmann::json::parse(text)), std::nullopt) << value;
    EXPECT_EQ(restored.get("user_desc"), bytes.substr(value, 1)) << "byte " << value;
  }
  std::size_t used = 0;
  for (const char* name : variables) {
    ASSERT_EQ(store.set(name, bytes.substr(used, 64)), SetResult::ok) << name;
    used += 64;
  }
  ASSERT_EQ(store.set("ip_ntp_server1", bytes.substr(192, 32)), SetResult::ok);
  ASSERT_EQ(store.set("ip_ntp_server2", bytes.substr(224, 32)), SetResult::ok);
  ConfigStore restored(Identity{});
  ASSERT_EQ(restored.load_json(save_and_load(store.to_json())), std::nullopt);
  EXPECT_EQ(*restored.get("python_script") + *restored.get("wifi_wpa_psk_text") +
                *restored.get("ip_mdns_services_name") + *restored.get("ip_ntp_server1") +
                *restored.get("ip_ntp_server2"),
            bytes);
}

}  // namespace
}  // namespace spwf::config
