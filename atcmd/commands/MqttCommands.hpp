#pragma once
// MQTT client commands (spec §3.10): MQTTCONN, MQTTSUB, MQTTPUB, MQTTUNSUB, MQTTDISC.

#include "atcmd/CommandTable.hpp"

namespace spwf::atcmd::commands {

/// AT+S.MQTTCONN=<host>,<port>,<path>,<TLS>,<usn>,<pwd>,<ID>,<KA>,<Retr>,<QoS>,<Name>,<Msg>
boost::asio::awaitable<AtError> mqtt_connect(CommandContext& context);
/// AT+S.MQTTSUB=<id>,<topic>,<QoS>
boost::asio::awaitable<AtError> mqtt_subscribe(CommandContext& context);
/// AT+S.MQTTPUB=<id>,<topic>,<QoS>,<retained>,<length><CR><message>
boost::asio::awaitable<AtError> mqtt_publish(CommandContext& context);
/// AT+S.MQTTUNSUB=<id>,<topic>
boost::asio::awaitable<AtError> mqtt_unsubscribe(CommandContext& context);
/// AT+S.MQTTDISC=<id>
boost::asio::awaitable<AtError> mqtt_disconnect(CommandContext& context);

}  // namespace spwf::atcmd::commands
