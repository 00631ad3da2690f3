#pragma once
// The module's MQTT clients by instance id (spec §3.10). The ids come from the instances MQTT
// and WebSocket share (ClientInstances): a client takes one when MQTTCONN starts and gives it
// back when MQTTCONN fails, on MQTTDISC, when the broker closes, and at power-on.

#include <array>
#include <memory>
#include <optional>

#include "netstack/ClientInstances.hpp"
#include "netstack/MqttClient.hpp"

namespace spwf::net {

/// The MQTT clients of the shared instances.
class MqttClients {
 public:
  explicit MqttClients(ClientInstances& instances) : m_instances(instances) {}
  MqttClients(const MqttClients&) = delete;
  MqttClients& operator=(const MqttClients&) = delete;

  /// Takes an instance for a new client; nullopt when both are in use.
  std::optional<unsigned> reserve();
  /// Gives back an instance whose client never connected.
  void release(unsigned id);
  /// Keeps a client under its id; it gives the id back when it closes.
  void attach(unsigned id, std::shared_ptr<MqttClient> client);
  /// The connected client with this id, or nullptr (bad id, free, WebSocket, or closed).
  std::shared_ptr<MqttClient> find(unsigned id) const;
  /// Power-on: every client closed without DISCONNECT and without indications.
  void close_all();

 private:
  ClientInstances& m_instances;
  std::array<std::shared_ptr<MqttClient>, limits::application_clients> m_clients{};
};

}  // namespace spwf::net
