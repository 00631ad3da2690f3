// Covers config/ConfigStore: factory values and identity, SCFG rules for hidden and nv_* names,
// typed getters, FCFG, and the JSON image WCFG saves and boot loads, e.g.
//   AT+S.SCFG=wifi_enabled,0   -> AT-S.ERROR:4:Variable not found   (hidden)
//   AT+S.GCFG=wifi_enabled     -> AT-S.Var:wifi_enabled=1
//   AT+S.SCFG=nv_serial,42     -> AT-S.OK                            (RAM only, never saved)

#include <gtest/gtest.h>

#include "config/ConfigStore.hpp"

namespace spwf::config {
namespace {

Identity test_identity() {
  Identity identity;
  identity.manufacturer = "ACME";
  identity.model = "EMU04";
  identity.serial = "424242";
  identity.mac_address = "02:00:00:ab:cd:ef";
  return identity;
}

TEST(ConfigStoreTest, StartsWithFactoryValuesAndTheIdentity) {
  const ConfigStore store(test_identity());
  EXPECT_EQ(store.get("ip_netmask"), "255.255.255.0");
  EXPECT_EQ(store.get("console_speed"), "115200");
  EXPECT_EQ(store.get("nv_manuf"), "ACME");
  EXPECT_EQ(store.get("nv_model"), "EMU04");
  EXPECT_EQ(store.get("nv_serial"), "424242");
  EXPECT_EQ(store.get("nv_wifi_macaddr"), "02:00:00:AB:CD:EF");
  EXPECT_EQ(store.get("no_such_variable"), std::nullopt);
  EXPECT_EQ(store.get("wifi_reg_country"), std::nullopt);  // a status variable
}

TEST(ConfigStoreTest, SetStoresTheCanonicalForm) {
  ConfigStore store(Identity{});
  EXPECT_EQ(store.set("wifi_opr_rate_mask", "0x3fffcf"), SetResult::ok);
  EXPECT_EQ(store.get("wifi_opr_rate_mask"), "0x003FFFCF");
  EXPECT_EQ(store.set("blink_led", "0x0"), SetResult::ok);
  EXPECT_EQ(store.get("blink_led"), "0");
}

TEST(ConfigStoreTest, SetRefusesUnknownHiddenAndBadValues) {
  ConfigStore store(Identity{});
  EXPECT_EQ(store.set("ip_http_get_recv_timeout", "1"), SetResult::not_found);
  EXPECT_EQ(store.set("wifi_reg_country", "DE"), SetResult::not_found);
  EXPECT_EQ(store.set("wifi_enabled", "0"), SetResult::not_found);
  EXPECT_EQ(store.set("wifi_mode", "x"), SetResult::invalid_value);
  EXPECT_EQ(store.set("user_desc", "this is far too long"), SetResult::too_long);
  EXPECT_EQ(store.get("wifi_enabled"), "1");
  EXPECT_EQ(store.get("wifi_mode"), "1");
  EXPECT_EQ(store.get("user_desc"), "anonymous");
}

TEST(ConfigStoreTest, SetInternalReachesHiddenVariables) {
  ConfigStore store(Identity{});
  EXPECT_EQ(store.set_internal("wifi_enabled", "0"), SetResult::ok);
  EXPECT_EQ(store.get_uint("wifi_enabled"), 0u);
  EXPECT_EQ(store.set_internal("wifi_enabled", "300"), SetResult::invalid_value);
  EXPECT_EQ(store.set_internal("missing", "0"), SetResult::not_found);
}

TEST(ConfigStoreTest, TypedGettersParseTheCanonicalForm) {
  ConfigStore store(Identity{});
  EXPECT_EQ(store.get_uint("console_speed"), 115200u);
  EXPECT_EQ(store.get_uint("wifi_opr_rate_mask"), 0x003FFFCFu);
  ASSERT_EQ(store.set("console_wind_off_high", "0xFFFFFFFF"), SetResult::ok);
  EXPECT_EQ(store.get_uint("console_wind_off_high"), 0xFFFFFFFFu);
  ASSERT_EQ(store.set("wifi_rssi_thresh", "-70"), SetResult::ok);
  EXPECT_EQ(store.get_int("wifi_rssi_thresh"), -70);
  EXPECT_EQ(store.get_char("console_delimiter"), ',');
  EXPECT_EQ(store.get_string("ip_ipaddr"), "192.168.0.50");
  EXPECT_EQ(store.get_string("user_desc"), "anonymous");
  EXPECT_EQ(store.get_bytes("wifi_ssid"),
            (std::vector<std::uint8_t>{'S', 'T', 'T', 'e', 's', 't'}));
  EXPECT_EQ(store.get_bytes("nv_wifi_macaddr"),
            (std::vector<std::uint8_t>{0x00, 0x80, 0xE1, 0xBD, 0x00, 0x39}));
  ASSERT_EQ(store.set("wifi_ssid", ""), SetResult::ok);
  EXPECT_TRUE(store.get_bytes("wifi_ssid").empty());
}

TEST(ConfigStoreTest, NvVariablesAreSettableInRamButNeverSaved) {
  ConfigStore store(test_identity());
  EXPECT_EQ(store.set("nv_serial", "42"), SetResult::ok);
  EXPECT_EQ(store.get("nv_serial"), "42");
  const auto saved = store.to_json();
  for (const auto& [name, value] : saved.items()) {
    EXPECT_FALSE(name.starts_with("nv_")) << name;
  }
  EXPECT_EQ(saved.size(), configuration_variables().size() - 4);
  EXPECT_EQ(saved.at("wifi_enabled"), "1");  // hidden but saved (§9 Q13)
}

TEST(ConfigStoreTest, ResetToFactoryKeepsTheIdentityArea) {
  ConfigStore store(test_identity());
  ASSERT_EQ(store.set("console_echo", "0"), SetResult::ok);
  ASSERT_EQ(store.set_internal("wifi_enabled", "0"), SetResult::ok);
  ASSERT_EQ(store.set("nv_model", "CHANGED"), SetResult::ok);
  store.reset_to_factory();
  EXPECT_EQ(store.get("console_echo"), "1");
  EXPECT_EQ(store.get("wifi_enabled"), "1");
  EXPECT_EQ(store.get("nv_model"), "CHANGED");
}

TEST(ConfigStoreTest, JsonRoundTripRestoresSavedValues) {
  ConfigStore original(Identity{});
  ASSERT_EQ(original.set("wifi_ssid", "41:42:43"), SetResult::ok);
  ASSERT_EQ(original.set("wifi_priv_mode", "2"), SetResult::ok);
  ASSERT_EQ(original.set("wifi_wpa_psk_text", "secret passphrase"), SetResult::ok);
  ASSERT_EQ(original.set_internal("wifi_enabled", "0"), SetResult::ok);

  ConfigStore restored(Identity{});
  ASSERT_EQ(restored.set("console_echo", "0"), SetResult::ok);  // not in the image below
  auto image = original.to_json();
  image.erase("console_echo");
  EXPECT_EQ(restored.load_json(image), std::nullopt);
  EXPECT_EQ(restored.get("wifi_ssid"), "41:42:43");
  EXPECT_EQ(restored.get("wifi_wpa_psk_text"), "secret passphrase");
  EXPECT_EQ(restored.get("wifi_enabled"), "0");
  EXPECT_EQ(restored.get("console_echo"), "1");  // loaded over the factory values
}

TEST(ConfigStoreTest, LoadJsonRejectsBadEntriesAndAppliesNothing) {
  struct Case {
    nlohmann::json image;
    std::string must_mention;
  };
  const Case cases[] = {
      {{{"wifi_mode", "3"}, {"bogus_name", "1"}}, "bogus_name"},
      {{{"wifi_mode", "3"}, {"blink_led", 1}}, "blink_led"},
      {{{"wifi_mode", "3"}, {"ip_ipaddr", "300.1.1.1"}}, "ip_ipaddr"},
      {{{"wifi_mode", "3"}, {"user_desc", "much too long for sixteen"}}, "user_desc"},
      {{{"wifi_mode", "3"}, {"nv_serial", "1"}}, "nv_serial"},
      {nlohmann::json::array({"wifi_mode"}), "object"},
  };
  for (const auto& test : cases) {
    ConfigStore store(Identity{});
    const auto error = store.load_json(test.image);
    ASSERT_TRUE(error.has_value()) << test.image.dump();
    EXPECT_NE(error->find(test.must_mention), std::string::npos) << *error;
    EXPECT_EQ(store.get("wifi_mode"), "1") << test.image.dump();
  }
}

}  // namespace
}  // namespace spwf::config
