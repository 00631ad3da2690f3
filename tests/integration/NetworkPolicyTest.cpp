// --allow/--deny, --no-host-dns and the connect timeout over a real pty, against real loopback
// peers. The rules are decided on the address really connected to, whatever its textual form,
// and a name the rules or --no-host-dns refuse is never looked up on the host.
//
//   (--deny 127.0.0.0/8)
//   AT+S.SOCKON=::ffff:127.0.0.1,<port>,,t   -> AT-S.ERROR:74:Failed to open socket
//     (also ::ffff:7f00:1, 0.0.0.0, 0, 127.1, 2130706433, [::ffff:127.0.0.1], UDP, HTTPGET,
//      and a --resolve rule to [::ffff:127.0.0.1])
//   AT+S.PING=1,8,::ffff:127.0.0.1           -> AT-S.Start:127.0.0.1, a timeout, AT-S.Stop:1:0
//   (no rules)
//   AT+S.SOCKON=::ffff:127.0.0.1,<port>,,t   -> AT-S.On:127.0.0.1:0 / AT-S.OK
//   (--no-host-dns, or "host_dns": false in the configuration file)
//   AT+S.SOCKON=localhost,<port>,,t          -> AT-S.ERROR:65:DNS address failure
//   (--deny nothing-here.invalid)
//   AT+S.SOCKON=nothing-here.invalid,80,,t   -> AT-S.ERROR:74 (refused before any lookup)
//   (connect_timeout_ms 1000)
//   AT+S.SOCKON=127.0.0.1,<full backlog>,,t  -> AT-S.ERROR:74:Failed to open socket, in ~1 s
//   AT+S.SOCKON=127.0.0.1,<silent TLS>,,s    -> AT-S.ERROR:74:Failed to open socket, in ~1 s

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view failed_to_open = "AT-S.ERROR:74:Failed to open socket\r\n";
constexpr std::string_view dns_failure = "AT-S.ERROR:65:DNS address failure\r\n";
constexpr std::string_view http_client_error =
    "AT-S.Http Client Error:1\r\nAT-S.ERROR:111:Request failed\r\n";

class NetworkPolicyTest : public ConsoleFixture {
 protected:
  /// Starts with a configuration file holding `json` besides `arguments`.
  void start_with_config(const std::string& json, std::vector<std::string> arguments = {}) {
    const auto path = m_temp.path() / "config.json";
    std::ofstream{path} << json;
    arguments.push_back("--config");
    arguments.push_back(path.string());
    start(std::move(arguments));
  }
  std::string sockon(const std::string& host_name, std::uint16_t port, std::string_view kind) {
    return host().command("AT+S.SOCKON=" + host_name + "," + std::to_string(port) + ",," +
                          std::string{kind});
  }
};

TEST_F(NetworkPolicyTest, DenyHoldsForEveryFormOfTheAddress) {
  TcpPeer peer{TcpPeer::echo};
  UdpEchoPeer udp;
  const std::string port = std::to_string(peer.port());
  start({"--deny", "127.0.0.0/8", "--resolve", "mapped.example:" + port + ":[::ffff:127.0.0.1]",
         "--connect-to", "www.example.com:80:[::ffff:127.0.0.1]:" + port});
  for (const std::string form : {"::ffff:127.0.0.1", "::ffff:7f00:1", "[::ffff:127.0.0.1]",
                                 "0.0.0.0", "0", "127.1", "2130706433", "0x7f000001"}) {
    EXPECT_EQ(sockon(form, peer.port(), "t"), failed_to_open) << form;
    EXPECT_EQ(sockon(form, udp.port(), "u"), failed_to_open) << form << " (udp)";
  }
  EXPECT_EQ(sockon("mapped.example", peer.port(), "t"), failed_to_open);
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/,,0,,,,"), http_client_error);
  EXPECT_EQ(host().command("AT+S.HTTPGET=0,/," + port + ",0,,,,"), http_client_error);
  EXPECT_EQ(host().command("AT+S.HTTPGET=::ffff:127.0.0.1,/," + port + ",0,,,,"),
            http_client_error);
  EXPECT_EQ(host().command("AT+S.SOCKL"), "AT-S.OK\r\n");
}

TEST_F(NetworkPolicyTest, DenyHoldsForPingWhateverTheForm) {
  start({"--deny", "127.0.0.0/8"});
  const int probe = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (probe < 0) GTEST_SKIP() << "ICMP datagram sockets are not permitted on this host";
  ::close(probe);
  // Refused: no echo leaves, each one times out; the target is printed as IPv4.
  for (const std::string form : {"::ffff:127.0.0.1", "0"}) {
    const std::string answer = host().command("AT+S.PING=1,8," + form, 10s);
    EXPECT_TRUE(answer.starts_with("AT-S.Start:127.0.0.1\r\n")) << answer;
    EXPECT_TRUE(answer.ends_with("AT-S.Stop:1:0\r\nAT-S.OK\r\n")) << answer;
  }
}

TEST_F(NetworkPolicyTest, AnIpv4MappedAddressIsPrintedAsIpv4) {
  TcpPeer peer{TcpPeer::echo};
  start();
  EXPECT_EQ(sockon("::ffff:127.0.0.1", peer.port(), "t"), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockon("::ffff:7f00:1", peer.port(), "t"), "AT-S.On:127.0.0.1:1\r\nAT-S.OK\r\n");
  const std::string list = host().command("AT+S.SOCKL");
  EXPECT_EQ(list.find("ffff"), std::string::npos) << list;
  EXPECT_NE(list.find(":127.0.0.1:0\r\n"), std::string::npos) << list;
}

TEST_F(NetworkPolicyTest, NoHostDnsResolvesOnlyMappedNamesAndLiterals) {
  TcpPeer peer{TcpPeer::echo};
  const std::string port = std::to_string(peer.port());
  start({"--no-host-dns", "--resolve", "echo.example:" + port + ":127.0.0.1"});
  EXPECT_EQ(sockon("echo.example", peer.port(), "t"), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  EXPECT_EQ(sockon("127.0.0.1", peer.port(), "t"), "AT-S.On:127.0.0.1:1\r\nAT-S.OK\r\n");
  // localhost is in every host's /etc/hosts: only --no-host-dns makes it fail.
  EXPECT_EQ(sockon("localhost", peer.port(), "t"), dns_failure);
  EXPECT_EQ(sockon("nothing-here.invalid", peer.port(), "u"), dns_failure);
  EXPECT_EQ(host().command("AT+S.HTTPGET=localhost,/," + port + ",0,,,,"), dns_failure);
}

TEST_F(NetworkPolicyTest, HostDnsFalseInTheConfigurationFileIsNoHostDns) {
  TcpPeer peer{TcpPeer::echo};
  start_with_config(R"({"host_dns": false})");
  EXPECT_EQ(sockon("localhost", peer.port(), "t"), dns_failure);
  EXPECT_EQ(sockon("127.0.0.1", peer.port(), "t"), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
}

TEST_F(NetworkPolicyTest, ANameTheRulesRefuseIsNotLookedUp) {
  // Looked up, the name would fail with 65; refused first, it fails as a refused connection.
  start({"--deny", "nothing-here.invalid", "--allow", "allowed.invalid"});
  EXPECT_EQ(sockon("nothing-here.invalid", 80, "t"), failed_to_open);
  // With only name rules in --allow, a name none of them names is refused without a lookup.
  EXPECT_EQ(sockon("other.invalid", 80, "t"), failed_to_open);
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
/// never completes (until the client gives up).
class FullBacklog {
 public:
  FullBacklog() {
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), length);
    ::listen(m_listener, 0);
    ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    // Backlog 0 queues one connection; a second one makes sure the queue is full.
    for (int& client : m_clients) {
      client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      ::connect(client, reinterpret_cast<sockaddr*>(&address), length);
    }
  }
  ~FullBacklog() {
    for (int client : m_clients) ::close(client);
    ::close(m_listener);
  }
  std::uint16_t port() const { return m_port; }

 private:
  int m_listener = -1;
  int m_clients[2] = {-1, -1};
  std::uint16_t m_port = 0;
};

TEST_F(NetworkPolicyTest, AConnectThatNeverCompletesEndsAtTheTimeout) {
  FullBacklog listener;
  start_with_config(R"({"connect_timeout_ms": 1000})");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(sockon("127.0.0.1", listener.port(), "t"), failed_to_open);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s);
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
}

TEST_F(NetworkPolicyTest, ATlsServerThatNeverAnswersEndsAtTheTimeout) {
  // Accepts, reads the ClientHello and whatever follows, never answers.
  TcpPeer silent{[](int fd) {
    char byte;
    while (::recv(fd, &byte, 1, 0) > 0) {
    }
  }};
  start_with_config(R"({"connect_timeout_ms": 1000})");
  const auto started = std::chrono::steady_clock::now();
  host().send("AT+S.SOCKON=127.0.0.1," + std::to_string(silent.port()) + ",,s\r");
  EXPECT_TRUE(host().read_until(failed_to_open, 4s).ends_with(failed_to_open));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, 3s);
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
}

}  // namespace
}  // namespace spwf::testing
