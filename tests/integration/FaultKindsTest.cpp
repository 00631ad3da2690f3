// Fault rules on the connections beyond the client sockets, chosen where every connection is
// made (netstack/Connector) and matched by kind; and slow_close. Real loopback peers:
//   refuse {kind:http, first:1}  AT+S.HTTPGET=127.0.0.1,/,<port>,0,,,,
//                                -> AT-S.Http Client Error:1 / AT-S.ERROR:111:Request failed
//   (the rule used up)           -> AT-S.Http Server Status Code:200 / until the close / AT-S.OK
//   limit_data {kind:http, bytes: request + 20}
//                                -> AT-S.Http Server Status Code:200 / u AT-S.OK
//   refuse {kind:mqtt, first:1}  AT+S.MQTTCONN=127.0.0.1,<port>,,,,,,,,,
//                                -> AT-S.ERROR:74:Failed to open socket
//   (a TCP socket to the broker is not an MQTT client) AT+S.SOCKON=127.0.0.1,<port>,,t -> On / OK
//   latency 300 down {kind:mqtt} MQTTCONN -> AT-S.On:0 / AT-S.OK, 300 ms or more later
//   refuse {kind:ws, first:1}    AT+S.WSOCKON=127.0.0.1,<port>,,0,,,,,
//                                -> AT-S.WebSocket Client Error / AT-S.ERROR:74:Failed to open
//                                socket
//   latency 300 down {kind:ws}   WSOCKW=0,0,0,0,5<CR>hello -> AT-S.OK, 300 ms or more later
//                                +WIND:88:WebSocket Data:0:0:0:5:5
//   slicer 4 down {kind:server} AT+S.SOCKDON=<port>,t -> AT-S.On:0 / AT-S.OK; a client connects
//                                and sends 10 bytes -> +WIND:61:Incoming Socket Client:…:0:0,
//                                +WIND:55:Pending Data:0:0:4:4 / 0:0:4:8 / 0:0:2:10
//   slow_close 300               peer sends "hello" and closes -> +WIND:55:Pending Data::0:5:5,
//                                +WIND:58:Socket Closed:0:0 300 ms or more later

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/ControlPeer.hpp"
#include "tests/integration/MosquittoPeer.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/WebSocketPeer.hpp"

namespace spwf::testing {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view failed_to_open = "AT-S.ERROR:74:Failed to open socket\r\n";

class FaultKindsTest : public ConsoleFixture {
 protected:
  /// Starts with the control interface and returns a client subscribed to fault events.
  std::unique_ptr<ControlPeer> start_with_control() {
    start({"--control", control_path(m_temp.path())});
    auto control = std::make_unique<ControlPeer>(control_path(m_temp.path()));
    control->ok("subscribe", {{"events", {"fault"}}});
    return control;
  }
  /// Sends a command and reads its answer through `end`.
  std::string run(const std::string& command, std::string_view end) {
    host().send(command + "\r");
    return host().read_until(end, 10s);
  }
};

/// An HTTP/1.0 server: reads the request head, keeps its length, answers a body that ends
/// with the close.
class HttpPeer {
 public:
  HttpPeer()
      : m_peer{[this](int fd) {
          std::string request;
          char buffer[1024];
          while (request.find("\r\n\r\n") == std::string::npos) {
            const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
            if (count <= 0) return;
            request.append(buffer, static_cast<std::size_t>(count));
          }
          {
            std::lock_guard lock{m_mutex};
            m_request_size = request.size();
          }
          write_all(fd, "HTTP/1.0 200 OK\r\n\r\nuntil the close\r\n");
        }} {}
  std::uint16_t port() const { return m_peer.port(); }
  std::size_t request_size() const {
    std::lock_guard lock{m_mutex};
    return m_request_size;
  }

 private:
  mutable std::mutex m_mutex;
  std::size_t m_request_size = 0;
  TcpPeer m_peer;
};

TEST_F(FaultKindsTest, HttpClientConnectionsAreMatchedByKind) {
  HttpPeer server;
  auto control = start_with_control();
  control->ok("fault.add",
              {{"rule", {{"kind", "refuse"}, {"match", {{"kind", "http"}, {"first", 1}}}}}});
  const std::string get = "AT+S.HTTPGET=127.0.0.1,/," + std::to_string(server.port()) + ",0,,,,";
  const std::string request_failed = "AT-S.ERROR:111:Request failed\r\n";
  EXPECT_EQ(run(get, request_failed), "AT-S.Http Client Error:1\r\n" + request_failed);
  EXPECT_EQ(control->next_event("fault")["text"], "http rule 1 refuse: connection refused");
  EXPECT_EQ(run(get, ok), "AT-S.Http Server Status Code:200\r\nuntil the close\r\nAT-S.OK\r\n");
  // Cut 20 bytes into the answer (the request counts too): the head and one byte of the body.
  const std::size_t bytes = server.request_size() + 20;
  ASSERT_GT(bytes, 20u);
  control->ok(
      "fault.add",
      {{"rule", {{"kind", "limit_data"}, {"bytes", bytes}, {"match", {{"kind", "http"}}}}}});
  EXPECT_EQ(run(get, ok), "AT-S.Http Server Status Code:200\r\nuAT-S.OK\r\n");
  EXPECT_EQ(control->next_event("fault")["text"],
            "http rule 2 limit_data: closed after " + std::to_string(bytes) + " bytes");
}

TEST_F(FaultKindsTest, MqttClientConnectionsAreMatchedByKind) {
  MosquittoPeer broker;
  auto control = start_with_control();
  control->ok("fault.add",
              {{"rule", {{"kind", "refuse"}, {"match", {{"kind", "mqtt"}, {"first", 1}}}}}});
  const std::string connect =
      "AT+S.MQTTCONN=127.0.0.1," + std::to_string(broker.port()) + ",,,,,,,,,";
  EXPECT_EQ(host().command(connect, 15s), failed_to_open);
  EXPECT_EQ(control->next_event("fault")["text"], "mqtt 0 rule 1 refuse: connection refused");
  control->ok("fault.add",
              {{"rule", {{"kind", "refuse"}, {"match", {{"kind", "mqtt"}, {"first", 1}}}}}});
  // A TCP socket to the broker is not an MQTT client: the second refuse rule waits.
  EXPECT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(broker.port()) + ",,t"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.SOCKC=0"), ok);
  control->ok("fault.clear");
  control->ok("fault.add", {{"rule",
                             {{"kind", "latency"},
                              {"latency_ms", 300},
                              {"direction", "down"},
                              {"match", {{"kind", "mqtt"}}}}}});
  const auto sent = Clock::now();
  EXPECT_EQ(host().command(connect, 15s), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_GE(Clock::now() - sent, 300ms);  // the CONNACK waited for the rule
}

TEST_F(FaultKindsTest, WebSocketClientConnectionsAreMatchedByKind) {
  WebSocketPeer server;
  auto control = start_with_control();
  control->ok("fault.add",
              {{"rule", {{"kind", "refuse"}, {"match", {{"kind", "ws"}, {"first", 1}}}}}});
  const std::string open = "AT+S.WSOCKON=127.0.0.1," + std::to_string(server.port()) + ",,0,,,,,";
  EXPECT_EQ(host().command(open), "AT-S.WebSocket Client Error\r\n" + std::string{failed_to_open});
  EXPECT_EQ(control->next_event("fault")["text"], "websocket 0 rule 1 refuse: connection refused");
  control->ok("fault.add", {{"rule",
                             {{"kind", "latency"},
                              {"latency_ms", 300},
                              {"direction", "down"},
                              {"match", {{"kind", "ws"}}}}}});
  EXPECT_EQ(host().command(open), "AT-S.On:0\r\nAT-S.OK\r\n");
  const auto sent = Clock::now();
  host().send("AT+S.WSOCKW=0,0,0,0,5\rhello");
  EXPECT_EQ(host().read_until("+WIND:88:WebSocket Data:0:0:0:5:5\r\n"),
            "AT-S.OK\r\n+WIND:88:WebSocket Data:0:0:0:5:5\r\n");
  EXPECT_GE(Clock::now() - sent, 300ms);
}

TEST_F(FaultKindsTest, AcceptedServerClientsAreMatchedByKind) {
  auto control = start_with_control();
  control->ok("fault.add", {{"rule",
                             {{"kind", "slicer"},
                              {"size", 4},
                              {"direction", "down"},
                              {"match", {{"kind", "server"}}}}}});
  // A port that was free a moment ago (unused_port() keeps its port bound).
  std::uint16_t port = 0;
  {
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof any;
    ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&any), &size);
    port = ntohs(any.sin_port);
    ::close(probe);
  }
  ASSERT_EQ(host().command("AT+S.SOCKDON=" + std::to_string(port) + ",t"),
            "AT-S.On:0\r\nAT-S.OK\r\n");
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ::getsockname(client, reinterpret_cast<sockaddr*>(&local), &length);
  const std::string arrived =
      "+WIND:61:Incoming Socket Client:127.0.0.1:" + std::to_string(ntohs(local.sin_port)) +
      ":0:0\r\n";
  EXPECT_EQ(host().read_until(arrived), arrived);
  ASSERT_TRUE(write_all(client, "0123456789"));
  EXPECT_EQ(host().read_until("+WIND:55:Pending Data:0:0:2:10\r\n"),
            "+WIND:55:Pending Data:0:0:4:4\r\n"
            "+WIND:55:Pending Data:0:0:4:8\r\n"
            "+WIND:55:Pending Data:0:0:2:10\r\n");
  ::close(client);
}

TEST_F(FaultKindsTest, SlowCloseHoldsThePeersCloseBackAfterItsData) {
  TcpPeer peer{TcpPeer::send_and_close("hello")};
  auto control = start_with_control();
  control->ok("fault.add", {{"rule", {{"kind", "slow_close"}, {"delay_ms", 300}}}});
  host().send("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t\r");
  EXPECT_EQ(host().read_until("+WIND:55:Pending Data::0:5:5\r\n"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n+WIND:55:Pending Data::0:5:5\r\n");
  const auto data = Clock::now();
  EXPECT_EQ(host().read_until("+WIND:58:Socket Closed:0:0\r\n"), "+WIND:58:Socket Closed:0:0\r\n");
  EXPECT_GE(Clock::now() - data, 250ms);  // the WIND 55 line itself took a little of the 300
  EXPECT_EQ(control->next_event("fault")["text"],
            "socket 0 rule 1 slow_close: the peer's close delayed 300 ms");
  host().send("AT+S.SOCKR=0,5\r");
  EXPECT_EQ(host().read_until(ok), "AT-S.Reading:5:5\r\nhelloAT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
