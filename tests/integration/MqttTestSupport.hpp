#pragma once
// Reading +WIND:86 messages the way X-CUBE does (spec §3.10): parse
// "MQTT Published:<id>:<topic>:<qos>:<retained>:<dup>:<chunk length>:<message length>:", read
// exactly <chunk length> raw bytes and the CR LF, and repeat until <message length> bytes are in.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/Limits.hpp"
#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {

/// One message as the host reassembles it.
struct MqttMessage {
  unsigned id = 0;
  std::string topic;
  unsigned qos = 0, retained = 0, duplicate = 0;
  std::string payload;
  /// Every chunk but the last carried limits::mqtt_wind_chunk bytes, every line ended in CR LF
  /// and all lines agreed on the message's fields.
  bool chunks_well_formed = true;
};

/// Reads the next message from the console (topics without ':').
inline MqttMessage read_mqtt_message(PtyHost& host, std::chrono::milliseconds deadline = 10s) {
  MqttMessage message;
  std::size_t total = 0;
  bool first = true;
  do {
    const std::string prefix = host.read_until("+WIND:86:MQTT Published:", deadline);
    if (prefix != "+WIND:86:MQTT Published:") message.chunks_well_formed = false;
    std::string fields[7];
    for (auto& field : fields) {
      field = host.read_until(":", deadline);
      field.pop_back();
    }
    const std::size_t chunk = std::stoul(fields[5]);
    const std::size_t length = std::stoul(fields[6]);
    if (first) {
      message.id = static_cast<unsigned>(std::stoul(fields[0]));
      message.topic = fields[1];
      message.qos = static_cast<unsigned>(std::stoul(fields[2]));
      message.retained = static_cast<unsigned>(std::stoul(fields[3]));
      message.duplicate = static_cast<unsigned>(std::stoul(fields[4]));
      total = length;
      first = false;
    } else if (length != total || fields[1] != message.topic) {
      message.chunks_well_formed = false;
    }
    if (chunk != std::min(limits::mqtt_wind_chunk, total - message.payload.size())) {
      message.chunks_well_formed = false;
    }
    message.payload += host.read_exactly(chunk, deadline);
    if (host.read_exactly(2, deadline) != "\r\n") message.chunks_well_formed = false;
    if (chunk == 0) break;
  } while (message.payload.size() < total);
  return message;
}

}  // namespace spwf::testing
