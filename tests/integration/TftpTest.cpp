// TFTP client commands over a real pty against Debian's tftpd-hpa on a loopback port (spec §3.13,
// RFC 1350). The server's name reaches it through --connect-to, as a firmware's name would.
//   AT+S.TFTPGET=tftp.example.com,,f513.bin,f513.bin   (empty port: 69, mapped to the server)
//     -> AT-S.OK       (the file is in the module's volume: AT+S.FSP=f513.bin,, gives its bytes)
//   AT+S.TFTPGET=tftp.example.com,69,cfg.txt,          (X-CUBE: empty LocalFile, remote name kept)
//     -> AT-S.OK
//   AT+S.TFTPPUT=tftp.example.com,69,up.bin            -> AT-S.OK  (the server has up.bin)
//   AT+S.TFTPGET=tftp.example.com,69,missing.bin,x     -> AT-S.ERROR:111:Request failed
//   AT+S.TFTPPUT=tftp.example.com,69,nothing.bin       -> AT-S.ERROR:51:Unable to open file
//   (no server: every retry unanswered)                -> AT-S.ERROR:111:Request failed
//   AT+S.TFTPGET=,69,a,b                               -> AT-S.ERROR:7:Invalid argument(s)
//   (radio off)                                        -> AT-S.ERROR:44:Wait for Connection Up
// A relay between the module and the server drops the first DATA (GET) or ACK (PUT, also the
// ACK 0 of the WRQ) once: the transfer still completes, by retransmission.

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/TftpPeer.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view request_failed = "AT-S.ERROR:111:Request failed\r\n";

class TftpTest : public ::testing::Test {
 protected:
  /// Starts the emulator with tftp.example.com:69 mapped to `port` and a short retry timeout.
  void start(std::uint16_t port, std::vector<std::string> arguments = {},
             const std::string& json = R"({"tftp_timeout_ms": 150})") {
    const auto config = m_temp.path() / "config.json";
    std::ofstream{config} << json;
    arguments.insert(arguments.end(), {"--config", config.string(), "--connect-to",
                                       "tftp.example.com:69:127.0.0.1:" + std::to_string(port)});
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state", std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  /// Sends a command and reads its answer through `end` (file bytes need not end with CRLF).
  std::string run(std::string_view command, std::string_view end = ok,
                  std::chrono::milliseconds deadline = 10s) {
    m_host->send(std::string{command} + "\r");
    return m_host->read_until(end, deadline);
  }
  /// Creates a module file with FSC.
  void create(std::string_view name, std::string_view content) {
    m_host->send("AT+S.FSC=" + std::string{name} + "," + std::to_string(content.size()) + "\r" +
                 std::string{content});
    ASSERT_EQ(m_host->read_until(ok), ok);
  }
  /// TFTPPUT of `content` to in.tftpd through a relay that drops the server's ACK of `block`;
  /// the module waits `timeout_ms` for each answer.
  void put_losing_ack(std::uint16_t block, const std::string& content, unsigned timeout_ms) {
    TftpdPeer server;
    TftpRelay relay{server.port(), 4, block};
    start(relay.port(), {}, R"({"tftp_timeout_ms": )" + std::to_string(timeout_ms) + "}");
    create("up.bin", content);
    EXPECT_EQ(run("AT+S.TFTPPUT=tftp.example.com,69,up.bin"), ok);
    EXPECT_EQ(relay.dropped(), 1u);
    EXPECT_EQ(read_file(server.directory() / "up.bin"), content);
  }
  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(TftpTest, GetStoresEverySizeByteForByte) {
  TftpdPeer server;
  start(server.port());
  for (const std::size_t size : {0u, 511u, 512u, 513u, 100000u}) {
    const std::string name = "f" + std::to_string(size) + ".bin";
    const std::string content = random_bytes(size, static_cast<unsigned>(size) + 1);
    server.put_file(name, content);
    EXPECT_EQ(run("AT+S.TFTPGET=tftp.example.com,," + name + "," + name), ok) << name;
    const std::string listing = run("AT+S.FSL=" + name);
    EXPECT_EQ(listing.substr(0, listing.find("AT-S.Free")),
              "AT-S.File:1\t" + std::to_string(size) + "\t" + name + "\r\n");
    if (size > 0) {
      EXPECT_EQ(run("AT+S.FSP=" + name + ",,"), content + std::string{ok}) << name;
    }
  }
}

TEST_F(TftpTest, EmptyLocalFileKeepsTheRemoteNameAndReplacesAnOldFile) {
  TftpdPeer server;
  server.put_file("cfg.txt", "new configuration\n");
  start(server.port());
  create("cfg.txt", "an older, longer configuration file\n");
  EXPECT_EQ(run("AT+S.TFTPGET=tftp.example.com,69,cfg.txt,"), ok);
  EXPECT_EQ(run("AT+S.FSP=cfg.txt,,"), "new configuration\n" + std::string{ok});
}

TEST_F(TftpTest, PutSendsTheModuleFile) {
  TftpdPeer server;
  start(server.port());
  const std::string odd = random_bytes(1300, 7);
  const std::string even = random_bytes(1024, 8);  // a multiple of 512: an empty last block
  create("odd.bin", odd);
  create("even.bin", even);
  EXPECT_EQ(run("AT+S.TFTPPUT=tftp.example.com,69,odd.bin"), ok);
  EXPECT_EQ(run("AT+S.TFTPPUT=tftp.example.com,,even.bin"), ok);
  EXPECT_EQ(read_file(server.directory() / "odd.bin"), odd);
  EXPECT_EQ(read_file(server.directory() / "even.bin"), even);
}

TEST_F(TftpTest, ServerErrorAndMissingLocalFile) {
  TftpdPeer server;
  start(server.port());
  // in.tftpd answers ERROR 1 (File not found): the command fails and stores nothing.
  EXPECT_EQ(run("AT+S.TFTPGET=tftp.example.com,69,missing.bin,x.bin", request_failed),
            request_failed);
  EXPECT_EQ(run("AT+S.FSL=x.bin", "\r\n"), "AT-S.ERROR:57:Unable to open directory\r\n");
  EXPECT_EQ(run("AT+S.TFTPPUT=tftp.example.com,69,nothing.bin", "\r\n"),
            "AT-S.ERROR:51:Unable to open file\r\n");
}

TEST_F(TftpTest, SilentServerFailsAfterBoundedRetries) {
  // A relay towards a port nobody serves (held, so no other test takes the port meanwhile):
  // 1 request + 5 retries of 150 ms each, then 111.
  TftpRelay nobody{unused_port(), 0};
  start(nobody.port());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(run("AT+S.TFTPGET=tftp.example.com,69,a.bin,a.bin", request_failed), request_failed);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

TEST_F(TftpTest, LostDataAndLostAckAreSentAgain) {
  TftpdPeer server;
  const std::string content = random_bytes(1500, 3);
  server.put_file("lost.bin", content);
  {
    TftpRelay relay{server.port(), 3};  // DATA 1 vanishes: the module sends its RRQ again
    start(relay.port());
    EXPECT_EQ(run("AT+S.TFTPGET=tftp.example.com,69,lost.bin,lost.bin"), ok);
    EXPECT_EQ(relay.dropped(), 1u);
  }
  EXPECT_EQ(run("AT+S.FSP=lost.bin,,"), content + std::string{ok});
}

TEST_F(TftpTest, LostAckDuringPutIsRecovered) {
  // The server's ACK of DATA 1 vanishes: DATA 1 goes again.
  put_losing_ack(1, random_bytes(700, 4), 150);
}

TEST_F(TftpTest, LostAckZeroMakesTheModuleSendItsWriteRequestAgain) {
  // in.tftpd's ACK 0 vanishes: the module sends its WRQ again from the same port (RFC 1350: the
  // request is the last packet sent; a new port would start a second transfer). in.tftpd takes
  // that for a duplicate and does not answer it; its transfer sends ACK 0 again after its own
  // timeout (1 s, then longer), and the module goes on from there. With 150 ms per answer the
  // module gave up (6 sends in 0.9 s) before that ACK came: a wait of 400 ms (2.4 s in all) is
  // enough, the factory 1000 ms more so.
  put_losing_ack(0, random_bytes(1100, 5), 400);
}

TEST_F(TftpTest, ParametersAndLink) {
  start(69);
  EXPECT_EQ(run("AT+S.TFTPGET=,69,a,b", "\r\n"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(run("AT+S.TFTPGET=h,70000,a,b", "\r\n"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(run("AT+S.TFTPPUT=h,69,", "\r\n"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(run("AT+S.TFTPGET=h,69", "\r\n"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(run("AT+S.TFTPPUT=h,69,a,b", "\r\n"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(run("AT+S.TFTPGET=h,69,a,bad/name", "\r\n"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(m_host->command("AT+S.WIFI=0"), ok);
  m_host->read_until("+WIND:38:WiFi Powered Down\r\n");
  EXPECT_EQ(run("AT+S.TFTPGET=h,69,a,b", "\r\n"), "AT-S.ERROR:44:Wait for Connection Up\r\n");
}

TEST_F(TftpTest, DeniedDestinationFails) {
  TftpdPeer server;
  server.put_file("a.bin", "x");
  start(server.port(), {"--deny", "127.0.0.0/8"});
  EXPECT_EQ(run("AT+S.TFTPGET=tftp.example.com,69,a.bin,a.bin", request_failed), request_failed);
}

// The module's own server (ip_use_tftpd=1, factory value) on an ephemeral loopback port
// ("tftp_server_port": 0; the trace names the port it bound):
//   (client WRQ hello.txt, 1300 bytes)  -> +WIND:90:File Received::hello.txt, the file in the
//   volume (client RRQ hello.txt)              -> the same bytes; RRQ missing.txt -> ERROR 1
//   AT+S.WIFI=0                         -> the server is gone (requests unanswered)
TEST_F(TftpTest, ModuleServerStoresAndServesFiles) {
  const auto trace = m_temp.path() / "trace.txt";
  start(69, {"--trace", trace.string()}, R"({"tftp_timeout_ms": 150, "tftp_server_port": 0})");
  const std::uint16_t port = wait_for_port(trace, "tftp server listening on 127.0.0.1:");
  ASSERT_NE(port, 0);
  TftpTestClient client{port};
  const std::string content = random_bytes(1300, 11);
  std::string error;
  ASSERT_TRUE(client.put("hello.txt", content, &error, true)) << error;
  EXPECT_EQ(client.stranger_answer(), "5:5");  // another port got ERROR 5 (unknown transfer id)
  EXPECT_EQ(m_host->read_until("\r\n"), "+WIND:90:File Received::hello.txt\r\n");
  EXPECT_EQ(run("AT+S.FSP=hello.txt,,"), content + std::string{ok});

  const auto fetched = client.get("hello.txt", &error, true);
  ASSERT_TRUE(fetched) << error;
  EXPECT_EQ(*fetched, content);
  EXPECT_EQ(client.duplicates(), 0u);  // duplicate ACKs did not make the module repeat blocks
  EXPECT_FALSE(client.get("missing.txt", &error));
  EXPECT_EQ(error, std::string{"1:File not found"} + '\0');

  EXPECT_EQ(m_host->command("AT+S.WIFI=0"), ok);
  m_host->read_until("+WIND:38:WiFi Powered Down\r\n");
  TftpTestClient late{port, 500ms};
  EXPECT_FALSE(late.get("hello.txt", &error));
  EXPECT_EQ(error, "timeout");
}

}  // namespace
}  // namespace spwf::testing
