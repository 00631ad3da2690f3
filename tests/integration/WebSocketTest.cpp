// The WebSocket client over a real pty (spec §3.11, §5 WIND 88/89, §3.5.4) against a real
// WebSocket server (tests/peers/ws_server.py, Debian's python3-websockets):
//   AT+S.WSOCKON=127.0.0.1,<port>,,0,,,,,          -> AT-S.On:0 / AT-S.OK   (X-CUBE's form)
//   AT+S.WSOCKW=0,0,0,0,5<CR>hello                -> AT-S.OK
//   +WIND:88:WebSocket Data:0:0:0:5:5
//   AT+S.WSOCKQ=0                                 -> AT-S.Query:5 / AT-S.OK
//   AT+S.WSOCKR=0,0                               -> AT-S.Reading:5:5 / hello / AT-S.OK
//   AT+S.WSOCKW=0,1,0,0,2<CR>ab ... 0,1,1,0,2<CR>ef -> one message "abcdef" echoed
//   server's fragments ab|cd|ef                   -> WIND 88 flags 1:0 ... 1:1
//   server closes with 4000                       -> +WIND:89:WebSocket Closed:0
//   AT+S.WSOCKC=0,1                               -> AT-S.OK; the server sees close code 1001
//   a third client                                -> AT-S.ERROR:75:Too many sockets
//   AT+S.WSOCKL                                   -> AT-S.List:0:127.0.0.1:<port> per client
//   wss, CN mismatch                              -> AT-S.Loading:1:2 / AT-S.Certificate Error:5 /
//                                                    AT-S.ERROR:74:Failed to open socket

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/MosquittoPeer.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/WebSocketPeer.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";

class WebSocketTest : public ConsoleFixture {
 protected:
  /// WSOCKON to the server on 127.0.0.1 with the given path and extra fields.
  std::string open(const WebSocketPeer& server, std::string_view path,
                   std::string_view rest = ",0,,,,,") {
    return host().command("AT+S.WSOCKON=127.0.0.1," + std::to_string(server.port()) + "," +
                          std::string{path} + std::string{rest});
  }
  /// WSOCKW with the flags and payload; returns the answer.
  std::string write(std::string_view flags, std::string_view payload) {
    host().send("AT+S.WSOCKW=0," + std::string{flags} + "," + std::to_string(payload.size()) +
                "\r");
    host().send(payload);
    return host().read_until("\r\n");
  }
  /// Everything pending on WebSocket 0 (WSOCKR=0,0), without the Reading line and OK.
  std::string read_all(unsigned id = 0) {
    host().send("AT+S.WSOCKR=" + std::to_string(id) + ",0\r");
    const std::string header = host().read_until("\r\n");
    EXPECT_EQ(header.rfind("AT-S.Reading:", 0), 0u) << header;
    const std::size_t count = std::stoul(header.substr(13));
    std::string data = host().read_exactly(count);
    EXPECT_EQ(host().read_until(ok), ok);
    return data;
  }
};

TEST_F(WebSocketTest, EchoesTextAndBinaryMessages) {
  WebSocketPeer server;
  start();
  EXPECT_EQ(open(server, ""), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(write("0,0,0", "hello"), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:88:WebSocket Data:0:0:0:5:5\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKQ=0"), "AT-S.Query:5\r\nAT-S.OK\r\n");
  EXPECT_EQ(read_all(), "hello");
  EXPECT_EQ(host().command("AT+S.WSOCKR=0,0"), "AT-S.Empty\r\nAT-S.OK\r\n");

  const std::string binary{"\0\r\n:\xff", 5};
  EXPECT_EQ(write("0,0,1", binary), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:88:WebSocket Data:0:0:0:5:5\r\n");
  EXPECT_EQ(read_all(), binary);
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,0"), "AT-S.OK\r\n");
  EXPECT_EQ(server.read_line(), "closed / 1000");
}

TEST_F(WebSocketTest, FragmentsBothWays) {
  WebSocketPeer server;
  start();
  // Host to server: three fragments of one text message; the server echoes the whole message
  // once (a frame with FIN per write would come back as three messages).
  EXPECT_EQ(open(server, "/echo"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(write("1,0,0", "ab"), "AT-S.OK\r\n");
  EXPECT_EQ(write("1,0,0", "cd"), "AT-S.OK\r\n");
  EXPECT_EQ(write("1,1,0", "ef"), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:88:WebSocket Data:0:0:0:6:6\r\n");
  EXPECT_EQ(read_all(), "abcdef");
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,0"), "AT-S.OK\r\n");

  // Server to host: "ab|cd|ef" as three fragments, then b"\0\1|\2"; python-websockets ends a
  // fragmented message with an empty final frame. Pieces with more to come carry 1:0, the piece
  // that ends a fragmented message 1:1.
  EXPECT_EQ(open(server, "/fragments"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().read_until("+WIND:88:WebSocket Data:0:1:1:0:9\r\n"),
            "+WIND:88:WebSocket Data:0:1:0:2:2\r\n"
            "+WIND:88:WebSocket Data:0:1:0:2:4\r\n"
            "+WIND:88:WebSocket Data:0:1:0:2:6\r\n"
            "+WIND:88:WebSocket Data:0:1:1:0:6\r\n"
            "+WIND:88:WebSocket Data:0:1:0:2:8\r\n"
            "+WIND:88:WebSocket Data:0:1:0:1:9\r\n"
            "+WIND:88:WebSocket Data:0:1:1:0:9\r\n");
  EXPECT_EQ(read_all(), std::string("abcdef\0\1\2", 9));
}

// Each close gives back the instance and the client's heap (1024 + its 1500-byte buffer at the
// factory memsize: free_heap 61440 -> 58916 -> 61440).
TEST_F(WebSocketTest, CloseWithStatusBothWays) {
  WebSocketPeer server;
  start();
  const auto free_heap = [this] { return host().command("AT+S.STS=free_heap"); };
  const std::string all_free = "AT-S.Var:free_heap=61440\r\nAT-S.OK\r\n";
  // The server closes: +WIND:89 and the instance is free again.
  EXPECT_EQ(open(server, "/close/4000"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(free_heap(), "AT-S.Var:free_heap=58916\r\nAT-S.OK\r\n");
  EXPECT_EQ(write("0,0,0", "x"), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:89:WebSocket Closed:0\r\n");
  EXPECT_EQ(server.read_line(), "closed /close/4000 4000");
  EXPECT_EQ(host().command("AT+S.WSOCKQ=0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  EXPECT_EQ(free_heap(), all_free);
  // The module closes with status 1 (going away): no indication follows.
  EXPECT_EQ(open(server, "/echo"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,1"), "AT-S.OK\r\n");
  EXPECT_EQ(free_heap(), all_free);
  EXPECT_EQ(server.read_line(), "closed /echo 1001");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
}

TEST_F(WebSocketTest, HandshakeCarriesOriginProtocolExtensionsAndCredentials) {
  WebSocketPeer server;
  start();
  EXPECT_EQ(open(server, "/info", ",0,user,secret,http://module.example,chat,x-test"),
            "AT-S.On:0\r\nAT-S.OK\r\n");
  host().read_until("+WIND:88:WebSocket Data:0:0:0:");
  host().read_until("\r\n");
  EXPECT_EQ(read_all(),
            R"({"authorization": "Basic dXNlcjpzZWNyZXQ=", "extensions": "x-test", )"
            R"("origin": "http://module.example", "path": "/info", "protocol": "chat", )"
            R"("subprotocol": "chat"})");
}

TEST_F(WebSocketTest, TwoInstancesAtMostAndTheListing) {
  WebSocketPeer server;
  start();
  const std::string port = std::to_string(server.port());
  EXPECT_EQ(open(server, "/a"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(open(server, "/b"), "AT-S.On:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(open(server, "/c"), "AT-S.ERROR:75:Too many sockets\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKL"), "AT-S.List:0:127.0.0.1:" + port +
                                               "\r\nAT-S.List:1:127.0.0.1:" + port + "\r\n" +
                                               std::string{ok});
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKL"),
            "AT-S.List:1:127.0.0.1:" + port + "\r\n" + std::string{ok});
  EXPECT_EQ(open(server, "/d"), "AT-S.On:0\r\nAT-S.OK\r\n");
}

TEST_F(WebSocketTest, ArgumentAndConnectionErrors) {
  start();
  EXPECT_EQ(host().command("AT+S.WSOCKW=0,0,0,0,1"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKR=2,0"), "AT-S.ERROR:76:Illegal Socket ID\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKON=127.0.0.1,80,,0,,,,"),
            "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKON=127.0.0.1,80,,3,,,,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  const std::string refused = std::to_string(unused_port());
  EXPECT_EQ(host().command("AT+S.WSOCKON=127.0.0.1," + refused + ",,0,,,,,"),
            "AT-S.WebSocket Client Error\r\nAT-S.ERROR:74:Failed to open socket\r\n");
  // A server that does not upgrade (plain HTTP 404).
  TcpPeer http{TcpPeer::send_and_close("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")};
  EXPECT_EQ(host().command("AT+S.WSOCKON=127.0.0.1," + std::to_string(http.port()) + ",,0,,,,,"),
            "AT-S.WebSocket Client Error\r\nAT-S.ERROR:74:Failed to open socket\r\n");
  WebSocketPeer server;
  EXPECT_EQ(open(server, "/echo"), "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKW=0,0,0,0,0"),
            "AT-S.ERROR:33:Argument evaluated to zero\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,2"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
}

TEST_F(WebSocketTest, AFullReceiveBufferHoldsTheServerBack) {
  // 20 binary messages of 1000 bytes; the buffer holds ip_sock_memsize x 1500 = 1500 bytes, so
  // the second message is split at the buffer's end and the client stops reading until the host
  // reads; nothing is lost and nothing is dropped.
  WebSocketPeer server;
  start();
  EXPECT_EQ(open(server, "/flood/20"), "AT-S.On:0\r\nAT-S.OK\r\n");
  // How the bytes arrive decides how many WIND 88 lines announce them (a message may come in
  // pieces); what counts is that they stop at the buffer's 1500 bytes.
  const std::string announced = host().read_until(":1500\r\n");
  EXPECT_TRUE(announced.starts_with("+WIND:88:WebSocket Data:0:")) << announced;
  EXPECT_EQ(announced.find(":1500\r\n"), announced.size() - 7) << announced;
  std::string received;
  for (int round = 0; round < 200 && received.size() < 20000; ++round) {
    host().send("AT+S.WSOCKR=0,0\r");
    // Indications raised before the command are written before its answer.
    const std::string answer = host().read_until(ok);
    if (answer.find("AT-S.Empty\r\n") != std::string::npos) {
      host().read_until("+WIND:88:");
      host().read_until("\r\n");
      continue;
    }
    const auto at = answer.find("AT-S.Reading:");
    ASSERT_NE(at, std::string::npos) << answer;
    const auto colon = answer.find(':', at + 13);
    const std::size_t count = std::stoul(answer.substr(at + 13));
    const std::size_t pending = std::stoul(answer.substr(colon + 1));
    ASSERT_LE(pending, 1500u);
    const auto data_at = answer.find("\r\n", at) + 2;
    ASSERT_EQ(answer.size() - data_at, count + ok.size());
    received += answer.substr(data_at, count);
  }
  ASSERT_EQ(received.size(), 20000u);
  for (std::size_t index = 0; index < 20; ++index) {
    EXPECT_EQ(received[index * 1000], static_cast<char>(index)) << index;
    EXPECT_EQ(received[index * 1000 + 999], static_cast<char>(index)) << index;
  }
}

// wss: the TLS of SOCKON with <host> as the name (spec §3.5.4 item 1), certificates from
// scripts/make-test-certs.sh; the server is mapped to www.ssllabs.com:443.
class SecureWebSocketTest : public WebSocketTest {
 protected:
  static void SetUpTestSuite() { SuiteCertificates::make(); }
  static void TearDownTestSuite() { SuiteCertificates::remove(); }
  /// A wss server presenting `name`.pem, and the emulator with the root CA loaded.
  std::unique_ptr<WebSocketPeer> serve(std::string_view name) {
    auto server = std::make_unique<WebSocketPeer>(std::vector<std::string>{
        "--cert", SuiteCertificates::path(std::string{name} + ".pem").string(), "--key",
        SuiteCertificates::path(std::string{name} + ".key").string()});
    start({"--connect-to", "www.ssllabs.com:443:127.0.0.1:" + std::to_string(server->port())});
    EXPECT_EQ(host().command("AT+S.TIME=1717200000"), "AT-S.OK\r\n");
    const std::string ca = read_file(SuiteCertificates::path("root-ca.pem"));
    host().send("AT+S.TLSCERT=ca," + std::to_string(ca.size()) + "\r");
    host().send(ca);
    host().read_until(ok);
    return server;
  }
};

TEST_F(SecureWebSocketTest, WssEchoesWithTheStoredCa) {
  const auto server = serve("www");
  EXPECT_EQ(host().command("AT+S.WSOCKON=www.ssllabs.com,,/echo,2,,,,,", 15s),
            "AT-S.Loading:1:2\r\nAT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(write("0,0,0", "secure"), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until("\r\n"), "+WIND:88:WebSocket Data:0:0:0:6:6\r\n");
  EXPECT_EQ(read_all(), "secure");
}

TEST_F(SecureWebSocketTest, ACommonNameThatIsNotTheHostIsCertificateError5) {
  // The seed site's certificate: CN ssllabs.com, SAN www.ssllabs.com (spec §8.6): no rescue.
  const auto server = serve("seed");
  EXPECT_EQ(host().command("AT+S.WSOCKON=www.ssllabs.com,443,/echo,1,,,,,", 15s),
            "AT-S.Loading:1:2\r\nAT-S.Certificate Error:5\r\n"
            "AT-S.ERROR:74:Failed to open socket\r\n");
  // The instance was given back.
  EXPECT_EQ(host().command("AT+S.WSOCKL"), "AT-S.OK\r\n");
}

// Two wss clients hold both of the module's TLS client sessions (spec §3.5): a TLS socket is
// then the third and fails before its handshake; WSOCKC gives one back.
//   AT+S.WSOCKON=www.ssllabs.com,,/echo,2,,,,, (twice) -> AT-S.Loading:1:2 / AT-S.On:0, :1
//   AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com  -> AT-S.ERROR:74:Failed to open socket
//   AT+S.WSOCKC=0,0 ; SOCKON again -> AT-S.Loading:1:2 / AT-S.On:127.0.0.1:0 / AT-S.OK
TEST_F(SecureWebSocketTest, TwoWssClientsHoldBothTlsSessions) {
  const auto server = serve("www");
  for (const std::string id : {"0", "1"}) {
    EXPECT_EQ(host().command("AT+S.WSOCKON=www.ssllabs.com,,/echo,2,,,,,", 15s),
              "AT-S.Loading:1:2\r\nAT-S.On:" + id + "\r\nAT-S.OK\r\n");
  }
  const std::string socket_command = "AT+S.SOCKON=www.ssllabs.com,443,,www.ssllabs.com";
  EXPECT_EQ(host().command(socket_command, 15s), "AT-S.ERROR:74:Failed to open socket\r\n");
  EXPECT_EQ(host().command("AT+S.WSOCKC=0,0"), ok);
  EXPECT_EQ(host().command(socket_command, 15s),
            "AT-S.Loading:1:2\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

// MQTT over WebSocket (spec §3.10: a non-empty <path>): the module's MQTT client in binary
// messages with the subprotocol "mqtt", through ws_server.py relaying to mosquitto, which has no
// WebSocket listener of its own.
//   AT+S.MQTTCONN=127.0.0.1,<relay port>,/mqtt,0,,,,,,,,  -> AT-S.On:0 / AT-S.OK
//   AT+S.MQTTSUB=0,ws/test,                                -> AT-S.OK
//   AT+S.MQTTPUB=0,ws/test,,,5<CR>hello                    -> AT-S.OK
//   +WIND:86:MQTT Published:0:ws/test:0:0:0:5:5:hello
TEST_F(WebSocketTest, MqttOverWebSocketThroughARelayToMosquitto) {
  MosquittoPeer broker;
  WebSocketPeer relay{{"--relay-port", std::to_string(broker.port())}};
  start();
  EXPECT_EQ(host().command("AT+S.MQTTCONN=127.0.0.1," + std::to_string(relay.port()) +
                           ",/mqtt,0,,,,,,,,"),
            "AT-S.On:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTSUB=0,ws/test,"), "AT-S.OK\r\n");
  host().send("AT+S.MQTTPUB=0,ws/test,,,5\rhello");
  EXPECT_EQ(host().read_until(ok), "AT-S.OK\r\n");
  EXPECT_EQ(host().read_until("hello\r\n"),
            "+WIND:86:MQTT Published:0:ws/test:0:0:0:5:5:hello\r\n");
  // The MQTT client holds one of the shared instances: one WebSocket fits beside it.
  EXPECT_EQ(open(relay, "/other"), "AT-S.On:1\r\nAT-S.OK\r\n");
  EXPECT_EQ(open(relay, "/third"), "AT-S.ERROR:75:Too many sockets\r\n");
  EXPECT_EQ(host().command("AT+S.MQTTDISC=0"), "AT-S.OK\r\n");
  // The relay sees the connection end (how it ends depends on who closes first).
  EXPECT_EQ(relay.read_line().rfind("closed /mqtt ", 0), 0u);
}

}  // namespace
}  // namespace spwf::testing
