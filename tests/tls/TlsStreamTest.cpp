// TLS client sockets as the module opens them (spec §3.5.4), driven through net::TlsStream over a
// real loopback TCP connection to an mbedTLS server written here (one thread, 127.0.0.1:0). The
// console lines each case corresponds to:
//
//   AT+S.TLSCERT=ca,<root>                              (flash CA slot)
//   AT+S.SOCKON=www.ssllabs.com,443,,ssllabs.com        leaf CN ssllabs.com, issued by the root
//   AT-S.Loading:1:2
//   AT-S.On:127.0.0.1:0
//   AT-S.OK
//   AT+S.SOCKON=www.ssllabs.com,443,,s                  name www.ssllabs.com (only in the SAN)
//   AT-S.Loading:1:2
//   AT-S.Certificate Error:5
//   AT-S.ERROR:74:Failed to open socket
#include <gtest/gtest.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "netstack/PlainStreams.hpp"
#include "netstack/TlsStream.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyIdentifiers.hpp"
#include "tls/KeyLog.hpp"
#include "tls/Owners.hpp"

namespace spwf::net {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::uint64_t year_2024 = 1704067200;  // 2024-01-01T00:00:00Z

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The certificates of scripts/make-test-certs.sh, made once for the whole suite.
class Certificates {
 public:
  static Certificates& get() {
    static Certificates certificates;
    return certificates;
  }
  std::string pem(const std::string& name) const {
    return read_file(m_directory / (name + ".pem"));
  }
  std::string key(const std::string& name) const {
    return read_file(m_directory / (name + ".key"));
  }
  const std::filesystem::path& directory() const { return m_directory; }
  bool ok() const { return m_ok; }

 private:
  Certificates() {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "spwf-tls-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) return;
    m_directory = pattern;
    const std::string command =
        std::string{"bash "} + SPWF_MAKE_TEST_CERTS + " " + m_directory.string() + " >/dev/null";
    m_ok = std::system(command.c_str()) == 0;
  }
  ~Certificates() {
    std::error_code ignored;
    if (!m_directory.empty()) std::filesystem::remove_all(m_directory, ignored);
  }
  std::filesystem::path m_directory;
  bool m_ok = false;
};

/// How the test server behaves.
struct ServerSetup {
  std::string chain;  ///< PEM: leaf first, then any intermediates
  std::string key;
  std::string client_ca;  ///< non-empty: require a client certificate issued by this CA
  bool stall = false;     ///< accept, then never answer
};

/// One-connection mbedTLS server on 127.0.0.1:0 in its own thread: handshake, then echoes one
/// read back prefixed with "echo:" and sends close_notify. Records the SNI it received.
class TestServer {
 public:
  explicit TestServer(ServerSetup setup) : m_setup(std::move(setup)) {
    mbedtls_net_init(&m_listen);
    EXPECT_EQ(mbedtls_net_bind(&m_listen, "127.0.0.1", "0", MBEDTLS_NET_PROTO_TCP), 0);
    sockaddr_in address{};
    socklen_t length = sizeof address;
    ::getsockname(m_listen.fd, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~TestServer() {
    if (m_thread.joinable()) m_thread.join();
    mbedtls_net_free(&m_listen);
  }
  std::uint16_t port() const { return m_port; }
  /// Waits for the connection to end and returns what the server saw.
  void finish() {
    if (m_thread.joinable()) m_thread.join();
  }
  const std::string& sni() const { return m_sni; }
  bool handshake_ok() const { return m_handshake_ok; }
  bool got_client_certificate() const { return m_client_certificate; }

 private:
  static int on_sni(void* self, mbedtls_ssl_context*, const unsigned char* name,
                    std::size_t length) {
    static_cast<TestServer*>(self)->m_sni.assign(reinterpret_cast<const char*>(name), length);
    return 0;
  }

  void serve() {
    mbedtls_net_context client;
    mbedtls_net_init(&client);
    if (mbedtls_net_accept(&m_listen, &client, nullptr, 0, nullptr) != 0) return;
    if (m_setup.stall) {
      unsigned char buffer[1024];
      while (mbedtls_net_recv(&client, buffer, sizeof buffer) > 0) {
      }
      mbedtls_net_free(&client);
      return;
    }
    tls::Entropy entropy;
    tls::Random random;
    tls::SslConfig config;
    tls::SslContext ssl;
    mbedtls_ctr_drbg_seed(random.get(), mbedtls_entropy_func, entropy.get(), nullptr, 0);
    mbedtls_ssl_config_defaults(config.get(), MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                MBEDTLS_SSL_PRESET_DEFAULT);
    mbedtls_ssl_conf_rng(config.get(), mbedtls_ctr_drbg_random, random.get());
    auto chain = tls::parse_certificates(m_setup.chain);
    auto key = tls::parse_private_key(m_setup.key);
    std::optional<tls::Certificate> client_ca;
    if (!chain || !key) return;
    mbedtls_ssl_conf_own_cert(config.get(), chain->get(), key->get());
    if (!m_setup.client_ca.empty()) {
      client_ca = tls::parse_certificates(m_setup.client_ca);
      mbedtls_ssl_conf_ca_chain(config.get(), client_ca->get(), nullptr);
      mbedtls_ssl_conf_authmode(config.get(), MBEDTLS_SSL_VERIFY_REQUIRED);
    }
    mbedtls_ssl_conf_sni(config.get(), on_sni, this);
    mbedtls_ssl_conf_read_timeout(config.get(), 5000);
    mbedtls_ssl_setup(ssl.get(), config.get());
    mbedtls_ssl_set_bio(ssl.get(), &client, mbedtls_net_send, nullptr, mbedtls_net_recv_timeout);
    m_handshake_ok = mbedtls_ssl_handshake(ssl.get()) == 0;
    if (m_handshake_ok) {
      m_client_certificate = mbedtls_ssl_get_peer_cert(ssl.get()) != nullptr;
      unsigned char buffer[1024];
      const int count = mbedtls_ssl_read(ssl.get(), buffer, sizeof buffer);
      if (count > 0) {
        std::string reply = "echo:" + std::string(reinterpret_cast<char*>(buffer), count);
        mbedtls_ssl_write(ssl.get(), reinterpret_cast<const unsigned char*>(reply.data()),
                          reply.size());
      }
      mbedtls_ssl_close_notify(ssl.get());
    }
    mbedtls_net_free(&client);
  }

  ServerSetup m_setup;
  mbedtls_net_context m_listen;
  std::uint16_t m_port = 0;
  std::thread m_thread;
  std::string m_sni;
  std::atomic<bool> m_handshake_ok{false};
  bool m_client_certificate = false;
};

/// What the client saw.
struct ClientOutcome {
  bool connected = false;
  std::vector<std::string> lines;  ///< the I lines the console would print
  std::string reply;               ///< decrypted bytes until the server's close
  bool closed_by_peer = false;
};

std::string line_of(const tls::HandshakeEvent& event) {
  if (const auto* loading = std::get_if<tls::Loading>(&event)) {
    return "Loading:" + std::to_string(static_cast<int>(loading->material)) + ":" +
           std::to_string(static_cast<int>(loading->origin));
  }
  if (std::holds_alternative<tls::SkipCa>(event)) return "Skip CA";
  return "Certificate Error:" + std::to_string(std::get<tls::CertificateFailure>(event).code);
}

ClientOutcome run_client(std::uint16_t port, tls::ClientSettings settings,
                         std::chrono::milliseconds timeout = 5s) {
  ClientOutcome outcome;
  settings.observer = [&outcome](const tls::HandshakeEvent& event) {
    outcome.lines.push_back(line_of(event));
  };
  settings.trace_name = "test";
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::ip::tcp::socket socket{io};
        co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port},
                                      asio::use_awaitable);
        auto stream = co_await tls_connect(std::make_unique<TcpStream>(std::move(socket)),
                                           std::move(settings), timeout);
        if (!stream) co_return;
        outcome.connected = true;
        EXPECT_EQ(stream->kind(), StreamKind::tls);
        EXPECT_FALSE(co_await stream->write_all("ping"));
        std::array<char, 256> buffer;
        for (;;) {
          const auto [error, count] = co_await stream->read_some(buffer);
          if (error) {
            outcome.closed_by_peer = error == asio::error::eof;
            break;
          }
          outcome.reply.append(buffer.data(), count);
        }
        stream->close();
      },
      [](std::exception_ptr failure) { EXPECT_FALSE(failure); });
  io.run();
  return outcome;
}

// Opens through the StreamWrapper SOCKON and HTTP use, with an open timeout of `timeout`, as
// if the connect had taken `connect_took`: true when it gives a TLS stream.
bool wrapper_connects(std::uint16_t port, tls::ClientSettings settings,
                      std::chrono::milliseconds timeout, std::chrono::milliseconds connect_took) {
  settings.trace_name = "test";
  const StreamWrapper wrap = tls_client_wrapper(std::move(settings), timeout);
  bool connected = false;
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::ip::tcp::socket socket{io};
        co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port},
                                      asio::use_awaitable);
        asio::steady_timer slow_connect{io, connect_took};
        co_await slow_connect.async_wait(asio::use_awaitable);
        auto stream = co_await wrap(std::make_unique<TcpStream>(std::move(socket)));
        connected = stream != nullptr;
        if (stream) stream->close();
      },
      [](std::exception_ptr failure) { EXPECT_FALSE(failure); });
  io.run();
  return connected;
}

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Certificates::get().ok()) GTEST_SKIP() << "scripts/make-test-certs.sh failed";
  }
  static std::string pem(const std::string& name) { return Certificates::get().pem(name); }
  static std::string key(const std::string& name) { return Certificates::get().key(name); }
  static tls::ClientSettings settings(std::string server_name, std::string flash_ca,
                                      std::uint64_t time = year_2024) {
    tls::ClientSettings result;
    result.server_name = std::move(server_name);
    result.trust.flash_ca = std::move(flash_ca);
    result.module_time = time;
    return result;
  }
  enum class ClientAuth { none, required };
  static ServerSetup serving(const std::string& chain, const std::string& key_name,
                             ClientAuth client_auth = ClientAuth::none) {
    ServerSetup setup;
    setup.chain = pem(chain);
    setup.key = key(key_name);
    if (client_auth == ClientAuth::required) setup.client_ca = pem("root-ca");
    return setup;
  }
  using Lines = std::vector<std::string>;
};

TEST_F(TlsStreamTest, FlashCaIssuingTheLeafAnchorsIt) {
  TestServer server(serving("seed", "seed"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, Lines{"Loading:1:2"});
  EXPECT_EQ(outcome.reply, "echo:ping");
  EXPECT_TRUE(outcome.closed_by_peer);
  EXPECT_EQ(server.sni(), "ssllabs.com");
}

// Connect and handshake share the one open timeout (spec §2.11: the host gives SOCKON 5 s): a
// connect that used up the timeout leaves no time for a handshake, even with a good server.
TEST_F(TlsStreamTest, TheWrapperHandshakesOnlyWithinTheOpenTimeout) {
  TestServer good(serving("seed", "seed"));
  EXPECT_TRUE(wrapper_connects(good.port(), settings("ssllabs.com", pem("root-ca")), 5s, 0ms));
  good.finish();
  TestServer late(serving("seed", "seed"));
  EXPECT_FALSE(
      wrapper_connects(late.port(), settings("ssllabs.com", pem("root-ca")), 300ms, 300ms));
  late.finish();
}

TEST_F(TlsStreamTest, DerFlashCaWorksToo) {
  TestServer server(serving("seed", "seed"));
  const auto der = read_file(Certificates::get().directory() / "root-ca.der");
  const auto outcome = run_client(server.port(), settings("ssllabs.com", der));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, Lines{"Loading:1:2"});
}

TEST_F(TlsStreamTest, LeafViaIntermediateSkipsThenLoads) {
  TestServer server(serving("chain-fullchain", "chain"));
  const auto outcome = run_client(server.port(), settings("chain.example", pem("root-ca")));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Skip CA", "Loading:1:2"}));
  EXPECT_EQ(outcome.reply, "echo:ping");
}

TEST_F(TlsStreamTest, UnknownCaIsError23) {
  TestServer server(serving("unknown-ca-leaf", "unknown-ca-leaf"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Skip CA", "Certificate Error:23"}));
  EXPECT_FALSE(server.handshake_ok());
}

TEST_F(TlsStreamTest, EmptyStoreIsError23WithoutAnonymousFallback) {
  TestServer server(serving("seed", "seed"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", ""));
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.lines, Lines{"Certificate Error:23"});
}

TEST_F(TlsStreamTest, SelfSignedLeafIsError23) {
  TestServer server(serving("self-signed", "self-signed"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Skip CA", "Certificate Error:23"}));
}

TEST_F(TlsStreamTest, CommonNameMismatchIsError5EvenWhenTheSanMatches) {
  TestServer server(serving("seed", "seed"));
  const auto outcome = run_client(server.port(), settings("www.ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Certificate Error:5"}));
  EXPECT_EQ(server.sni(), "www.ssllabs.com");
}

TEST_F(TlsStreamTest, NameCheckIgnoresCase) {
  TestServer server(serving("seed", "seed"));
  const auto outcome = run_client(server.port(), settings("SSLLabs.com", pem("root-ca")));
  server.finish();
  EXPECT_TRUE(outcome.connected);
}

TEST_F(TlsStreamTest, WildcardCommonNameDoesNotCoverAHost) {
  TestServer server(serving("wildcard", "wildcard"));
  const auto outcome = run_client(server.port(), settings("www.example.com", pem("root-ca")));
  server.finish();
  EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Certificate Error:5"}));
}

TEST_F(TlsStreamTest, ExpiredAgainstTheModuleClockIsError10) {
  TestServer server(serving("expired", "expired"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Certificate Error:10"}));
}

TEST_F(TlsStreamTest, ModuleClockDecidesValidityNotTheHostClock) {
  {
    // 2020-06-01: inside the expired certificate's window.
    TestServer server(serving("expired", "expired"));
    const auto outcome =
        run_client(server.port(), settings("ssllabs.com", pem("root-ca"), 1590969600));
    server.finish();
    EXPECT_TRUE(outcome.connected);
  }
  {
    // Power-on: the clock is 0 (1970), before every certificate.
    TestServer server(serving("seed", "seed"));
    const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca"), 0));
    server.finish();
    EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Certificate Error:9"}));
  }
}

TEST_F(TlsStreamTest, NotYetValidIsError9) {
  TestServer server(serving("future", "future"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Certificate Error:9"}));
}

TEST_F(TlsStreamTest, UnparseableFlashCaIsError1) {
  TestServer server(serving("seed", "seed"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", "garbage"));
  server.finish();
  EXPECT_EQ(outcome.lines, Lines{"Certificate Error:1"});
}

TEST_F(TlsStreamTest, FileSystemCaNamedAfterTheAuthorityKeyId) {
  TestServer server(serving("seed", "seed"));
  auto root = tls::parse_certificates(pem("root-ca"));
  ASSERT_TRUE(root);
  const std::string expected = tls::hex_lower(*tls::subject_key_id(*root->get())) + ".ca";
  std::vector<std::string> asked;
  auto client = settings("ssllabs.com", "");
  client.trust.files = [&](std::string_view name) -> std::optional<std::string> {
    if (name.ends_with(".ca")) asked.emplace_back(name);
    if (name == expected) return pem("root-ca");
    return std::nullopt;
  };
  const auto outcome = run_client(server.port(), std::move(client));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, Lines{"Loading:1:1"});
  EXPECT_EQ(asked, std::vector<std::string>{expected});
}

TEST_F(TlsStreamTest, ClientCertificateSentWhenTheServerAsks) {
  TestServer server(serving("seed", "seed", ClientAuth::required));
  auto client = settings("ssllabs.com", pem("root-ca"));
  client.trust.flash_cert = pem("client");
  client.trust.flash_key = key("client");
  const auto outcome = run_client(server.port(), std::move(client));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Loading:2:2", "Loading:3:2"}));
  EXPECT_TRUE(server.got_client_certificate());
}

TEST_F(TlsStreamTest, ClientCertificateFromFilesWhenTheSlotsAreEmpty) {
  TestServer server(serving("seed", "seed", ClientAuth::required));
  auto client = settings("ssllabs.com", pem("root-ca"));
  client.trust.files = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "tls.cert") return pem("client");
    if (name == "tls.key") return key("client");
    return std::nullopt;
  };
  const auto outcome = run_client(server.port(), std::move(client));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, (Lines{"Loading:1:2", "Loading:2:1", "Loading:3:1"}));
}

TEST_F(TlsStreamTest, ClientCertificateNotReportedWhenNotAsked) {
  TestServer server(serving("seed", "seed"));
  auto client = settings("ssllabs.com", pem("root-ca"));
  client.trust.flash_cert = pem("client");
  client.trust.flash_key = key("client");
  const auto outcome = run_client(server.port(), std::move(client));
  server.finish();
  EXPECT_TRUE(outcome.connected);
  EXPECT_EQ(outcome.lines, Lines{"Loading:1:2"});
}

TEST_F(TlsStreamTest, NoClientCertificateStoredLetsTheServerRefuse) {
  TestServer server(serving("seed", "seed", ClientAuth::required));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.lines, Lines{"Loading:1:2"});  // no Certificate Error: the server decided
}

TEST_F(TlsStreamTest, StallingServerTimesOutWithoutAVerdict) {
  auto setup = serving("seed", "seed");
  setup.stall = true;
  TestServer server(setup);
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")), 200ms);
  server.finish();
  EXPECT_FALSE(outcome.connected);
  EXPECT_TRUE(outcome.lines.empty());
}

TEST_F(TlsStreamTest, KeyLogGetsOneClientRandomLinePerHandshake) {
  const auto path = Certificates::get().directory() / "keylog.txt";
  std::string reason;
  ASSERT_TRUE(tls::open_key_log(path, reason)) << reason;
  TestServer server(serving("seed", "seed"));
  const auto outcome = run_client(server.port(), settings("ssllabs.com", pem("root-ca")));
  server.finish();
  tls::close_key_log();
  EXPECT_TRUE(outcome.connected);
  const std::string log = read_file(path);
  EXPECT_TRUE(std::regex_match(log, std::regex{"CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n"}))
      << log;
}

}  // namespace
}  // namespace spwf::net
