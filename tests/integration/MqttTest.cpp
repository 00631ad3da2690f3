// The MQTT client over a real pty against a real mosquitto broker on loopback (spec §3.10, §5):
//   AT+S.MQTTCONN=127.0.0.1,<port>,,,,,,,,,,  -> AT-S.On:0 / AT-S.OK   (X-CUBE's form)
//   AT+S.MQTTSUB=0,spwf/in,1                  -> AT-S.OK
//   (mosquitto_pub -t spwf/in -q 1 -f <130 bytes>)
//     -> +WIND:86:MQTT Published:0:spwf/in:1:0:0:64:130:<64 bytes>\r\n
//        +WIND:86:MQTT Published:0:spwf/in:1:0:0:64:130:<64 bytes>\r\n
//        +WIND:86:MQTT Published:0:spwf/in:1:0:0:2:130:<2 bytes>\r\n
//   AT+S.MQTTPUB=0,spwf/out,1,0,5\rhello      -> AT-S.OK (after PUBACK); mosquitto_sub gets it
//   (broker stops)                            -> +WIND:87:MQTT Closed:0:0
//   AT+S.MQTTSUB=0,t,                         -> AT-S.ERROR:76:Illegal Socket ID
//   a third MQTTCONN                          -> AT-S.ERROR:75:Too many sockets

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/MosquittoPeer.hpp"
#include "tests/integration/MqttTestSupport.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";

class MqttTest : public ConsoleFixture {
 protected:
  std::string connect(std::uint16_t port, std::string_view rest = ",,,,,,,,,") {
    return host().command(
        "AT+S.MQTTCONN=127.0.0.1," + std::to_string(port) + "," + std::string{rest}, 15s);
  }
  std::string publish(unsigned id, std::string_view topic, unsigned qos, unsigned retained,
                      std::string_view payload) {
    host().send("AT+S.MQTTPUB=" + std::to_string(id) + "," + std::string{topic} + "," +
                std::to_string(qos) + "," + std::to_string(retained) + "," +
                std::to_string(payload.size()) + "\r");
    host().send(payload);
    return host().read_until("\r\n", 15s);
  }
};

// A payload of `size` bytes with CR, LF and ':' among the other byte values.
std::string payload_of(std::size_t size, unsigned seed) {
  std::string payload = random_bytes(size, seed);
  const std::string specials = "\r\n:";
  for (std::size_t i = 0; i < payload.size(); i += 7) payload[i] = specials[i % 3];
  return payload;
}

constexpr std::size_t sizes[] = {0, 1, 127, 128, 4096, 65536};

TEST_F(MqttTest, BrokerToModuleRoundTripsInChunksOfEverySize) {
  MosquittoPeer broker;
  start();
  ASSERT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0,spwf/in,1"), ok);
  for (const unsigned qos : {0u, 1u}) {
    for (const std::size_t size : sizes) {
      const std::string payload = payload_of(size, static_cast<unsigned>(size) + qos);
      ASSERT_TRUE(broker.publish("spwf/in", payload, qos));
      const MqttMessage message = read_mqtt_message(host());
      EXPECT_EQ(message.id, 0u);
      EXPECT_EQ(message.topic, "spwf/in");
      EXPECT_EQ(message.qos, qos);
      EXPECT_EQ(message.retained, 0u);
      EXPECT_TRUE(message.chunks_well_formed) << size;
      EXPECT_EQ(message.payload, payload) << "size " << size << " qos " << qos;
    }
  }
  // A topic long enough that a line with a full chunk passes the 128-byte line buffer: the line
  // is written whole, since its chunk length announces the raw bytes that follow.
  const std::string topic = "spwf/a-topic-long-enough-to-pass-the-line-buffer";
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0," + topic + ",0"), ok);
  const std::string payload = payload_of(200, 7);
  ASSERT_TRUE(broker.publish(topic, payload, 0));
  const MqttMessage message = read_mqtt_message(host());
  EXPECT_EQ(message.topic, topic);
  EXPECT_TRUE(message.chunks_well_formed);
  EXPECT_EQ(message.payload, payload);
  EXPECT_EQ(host().unread(), "");
}

TEST_F(MqttTest, ModuleToBrokerRoundTripsOfEverySize) {
  MosquittoPeer broker;
  start();
  ASSERT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  for (const unsigned qos : {0u, 1u}) {
    for (const std::size_t size : sizes) {
      const std::string payload = payload_of(size, static_cast<unsigned>(size) * 3 + qos);
      auto subscriber = broker.subscribe("spwf/out", 1);
      EXPECT_EQ(publish(0, "spwf/out", qos, 0, payload), ok);
      const auto [received, flags] = MosquittoPeer::message(*subscriber);
      EXPECT_EQ(received.size(), payload.size()) << flags;
      EXPECT_EQ(received, payload) << "size " << size << " qos " << qos;
      EXPECT_TRUE(flags.starts_with("d0, q" + std::to_string(qos) + ", r0")) << flags;
    }
  }
}

TEST_F(MqttTest, RetainedMessagesBothWays) {
  MosquittoPeer broker;
  ASSERT_TRUE(broker.publish("spwf/kept", "old news", 1, true));
  start();
  ASSERT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  // X-CUBE's form: an empty QoS field is 0.
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0,spwf/kept,"), ok);
  EXPECT_EQ(host().read_until("\r\n"),
            "+WIND:86:MQTT Published:0:spwf/kept:0:1:0:8:8:old news\r\n");
  // X-CUBE's publish form: empty QoS and retained fields.
  host().send("AT+S.MQTTPUB=0,spwf/plain,,,2\rhi");
  EXPECT_EQ(host().read_until("\r\n"), ok);
  EXPECT_EQ(publish(0, "spwf/mine", 1, 1, "kept:\r\n"), ok);
  auto subscriber = broker.subscribe("spwf/mine", 0);
  const auto [received, flags] = MosquittoPeer::message(*subscriber);
  EXPECT_EQ(received, "kept:\r\n");
  EXPECT_TRUE(flags.starts_with("d0, q0, r1")) << flags;
}

TEST_F(MqttTest, BrokerClosingRaisesWind87AndFreesTheInstance) {
  auto broker = std::make_unique<MosquittoPeer>();
  start();
  ASSERT_EQ(connect(broker->port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  broker->stop();
  EXPECT_EQ(host().read_until("\r\n", 10s), "+WIND:87:MQTT Closed:0:0\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTSUB=0,t,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  broker = std::make_unique<MosquittoPeer>();
  EXPECT_EQ(connect(broker->port()), "AT-S.On:0\r\nAT-S.OK\r\n");
}

TEST_F(MqttTest, SilentBrokerFailsTheKeepAlive) {
  // Answers CONNECT with CONNACK, then reads (PINGREQ included) and never answers again.
  std::string received;
  std::atomic<bool> done{false};
  TcpPeer broker{[&](int fd) {
    char buffer[256];
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count <= 0) return;
    write_all(fd, std::string_view{"\x20\x02\x00\x00", 4});
    TcpPeer::collect(received, done)(fd);
  }};
  start();
  ASSERT_EQ(connect(broker.port(), ",,,,,1,,,,"), "AT-S.On:0\r\nAT-S.OK\r\n");
  // PINGREQ after 1 s of silence from the module, no answer for another second: closed.
  EXPECT_EQ(host().read_until("\r\n", 5s), "+WIND:87:MQTT Closed:0:1\r\n");
  ASSERT_TRUE(wait_until(done, 5s));
  EXPECT_EQ(received, std::string_view("\xC0\x00", 2));
}

TEST_F(MqttTest, PacketOverTheLimitClosesTheConnection) {
  // CONNACK, then the fixed header of a PUBLISH of 1 MiB: refused from its header (no body
  // needed), the connection closed as an error.
  TcpPeer broker{[](int fd) {
    char buffer[256];
    if (::read(fd, buffer, sizeof buffer) <= 0) return;
    write_all(fd, std::string_view{"\x20\x02\x00\x00\x30\x80\x80\x40", 8});
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
  }};
  start();
  ASSERT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().read_until("\r\n", 5s), "+WIND:87:MQTT Closed:0:1\r\n");
}

TEST_F(MqttTest, TwoInstancesAThirdIsRefusedDisconnectFreesOne) {
  MosquittoPeer broker;
  start();
  ASSERT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  ASSERT_EQ(connect(broker.port()), "AT-S.On:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(connect(broker.port()), "AT-S.ERROR:75:Too many sockets\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTDISC=0"), ok);
  EXPECT_EQ(host().command("AT+S.MQTTPUB=0,t,0,0,1"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  host().discard_unread();  // nothing was sent after the CR: the line reader has nothing to drop
  EXPECT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  // Both clients have distinct default ids: the broker keeps both connected.
  ASSERT_EQ(host().command("AT+S.MQTTSUB=1,spwf/both,0"), ok);
  EXPECT_EQ(publish(0, "spwf/both", 0, 0, "x"), ok);
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:86:MQTT Published:1:spwf/both:0:0:0:1:1:x\r\n");
}

// An MQTT client takes the module's heap like a socket at the factory memsize (1024 + 1500), and
// radio off closes its connection without an indication or DISCONNECT (the broker sends the
// will), giving the instance and the heap back:
//   AT+S.STS=free_heap -> AT-S.Var:free_heap=61440
//   AT+S.MQTTCONN=127.0.0.1,<port>,,,,,,,0,0,spwf/will,gone -> AT-S.On:0 ; free_heap -> 58916
//   AT+S.WIFI=0 -> AT-S.OK ... +WIND:38:WiFi Powered Down   (no +WIND:87; the will is published)
//   free_heap -> 61440 ; AT+S.MQTTSUB=0,t,0 -> AT-S.ERROR:76:Illegal Socket ID
TEST_F(MqttTest, ClientTakesTheHeapAndRadioOffClosesIt) {
  MosquittoPeer broker;
  start();
  const auto free_heap = [this] { return host().command("AT+S.STS=free_heap"); };
  ASSERT_EQ(free_heap(), "AT-S.Var:free_heap=61440\r\nAT-S.OK\r\n");
  ASSERT_EQ(connect(broker.port(), ",,,,,,0,0,spwf/will,gone"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(free_heap(), "AT-S.Var:free_heap=58916\r\nAT-S.OK\r\n");
  auto subscriber = broker.subscribe("spwf/will", 0);
  const std::string off = host().command("AT+S.WIFI=0");
  ASSERT_TRUE(off.ends_with(ok)) << off;
  const std::string down = host().read_until("+WIND:38:WiFi Powered Down\r\n");
  EXPECT_EQ((off + down).find("+WIND:87"), std::string::npos) << off << down;
  EXPECT_EQ(MosquittoPeer::message(*subscriber).first, "gone");
  EXPECT_EQ(free_heap(), "AT-S.Var:free_heap=61440\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTSUB=0,t,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
}

TEST_F(MqttTest, ArgumentChecks) {
  start();
  EXPECT_EQ(host().command("AT+S.MQTTCONN=127.0.0.1"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTCONN=127.0.0.1,1,,,,,,,,,,,"),
            "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTCONN=127.0.0.1,1,,3,,,,,,,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  // With <path>, MQTT over WebSocket: nothing listens on port 1, so the connection fails (74).
  EXPECT_EQ(host().command("AT+S.MQTTCONN=127.0.0.1,1,/mqtt,,,,,,,,,"),
            "AT-S.ERROR:74:Failed to open socket\r\n");
  EXPECT_EQ(
      host().command("AT+S.MQTTCONN=127.0.0.1," + std::to_string(unused_port()) + ",,,,,,,,,,"),
      "AT-S.ERROR:74:Failed to open socket\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTCONN=no.such.host.invalid,1883,,,,,,,,,,"),
            "AT-S.ERROR:65:DNS address failure\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTSUB=0,t,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTUNSUB=2,t"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTDISC=x"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  EXPECT_EQ(host().command("AT+S.HELP=MQTTPUB"),
            "AT-S.Command:AT+S.MQTTPUB=<id>,<topic>,<QoS>,<retained>,<length><CR><message> -- "
            "publishes a message\r\nAT-S.OK\r\n");
}

TEST_F(MqttTest, QosTwoIsRefusedAndUnsubscribeStopsDelivery) {
  MosquittoPeer broker;
  start();
  ASSERT_EQ(connect(broker.port()), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTSUB=0,t,2"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTPUB=0,t,2,0,1"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  host().discard_unread();
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0,spwf/u,0"), ok);
  ASSERT_EQ(host().command("AT+S.MQTTUNSUB=0,spwf/u"), ok);
  ASSERT_EQ(host().command("AT+S.MQTTSUB=0,spwf/marker,0"), ok);
  ASSERT_TRUE(broker.publish("spwf/u", "gone", 0));
  ASSERT_TRUE(broker.publish("spwf/marker", "m", 0));
  // The broker delivers in order: the marker comes and nothing before it.
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:86:MQTT Published:0:spwf/marker:0:0:0:1:1:m\r\n");
}

}  // namespace
}  // namespace spwf::testing
