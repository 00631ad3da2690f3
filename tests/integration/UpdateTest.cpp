// Firmware and file-system downloads and the web input text over a real pty (spec §3.14, §9
// Q39), images served by scripted HTTP servers on loopback (names reach them through
// --connect-to), the stored images read back from the state directory:
//   AT+S.FWUPDATE=e,www.example.com,/spwf04.ota,80,0,,   (X-CUBE's form; 200, 96 KiB)
//     (sent)  GET /spwf04.ota HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n
//     -> AT-S.OK   (the image is <state>/update/firmware.pending, byte for byte)
//   AT+S.RESET -> the log says the image was applied; update/firmware.applied holds it;
//                 AT+S.STS=fw_version -> AT-S.Var:fw_version=1.1.0 (identity unchanged)
//   AT+S.FSUPDATE=e,www.example.com,/outfile.img,80,,,   -> AT-S.OK  (<state>/update/fs-e.img)
//   (404)      -> AT-S.Http Server Error:404\r\nAT-S.ERROR:111:Request failed
//   (refused)  -> AT-S.Http Client Error:1\r\nAT-S.ERROR:111:Request failed
//   (> 2 MiB)  -> AT-S.Write chunk\r\nAT-S.ERROR:111:Request failed
//   (cut short of Content-Length) -> AT-S.Disconnected, 111; (silent) -> AT-S.Timeout, 111
//   AT+S.FWUPDATE=e,www.example.com,/fw.sfota,80,0,,  (aes128_key all zero) -> 111, no request
//   AT+S.INPUTSSI=5\rhello -> AT-S.OK;  AT+S.INPUTSSI=0 -> AT-S.OK;  =513 -> AT-S.ERROR:32:...
// HTTPS (CN rule, Certificate Error:5) is in UpdateTlsTest below.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view request_failed = "AT-S.ERROR:111:Request failed\r\n";
constexpr std::size_t image_limit = 2 * 1024 * 1024;  // limits::update_image_bytes

/// Reads a request head (through the blank line) and records it.
std::string read_head(int fd) {
  std::string head;
  char byte;
  while (!head.ends_with("\r\n\r\n") && ::recv(fd, &byte, 1, 0) == 1) head += byte;
  return head;
}

/// A server that records the request heads and answers each with `response` (then closes).
class ImageServer {
 public:
  explicit ImageServer(std::string response)
      : m_peer([this, response](int fd) {
          {
            const std::string head = read_head(fd);
            std::lock_guard lock{m_mutex};
            m_heads.push_back(head);
          }
          write_all(fd, response);
        }) {}
  std::uint16_t port() const { return m_peer.port(); }
  std::vector<std::string> heads() const {
    std::lock_guard lock{m_mutex};
    return m_heads;
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_heads;
  TcpPeer m_peer;  // last: its threads are joined before the rest goes
};

std::string ok_response(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class UpdateTest : public ::testing::Test {
 protected:
  /// Starts with www.example.com:80 mapped to `port`, the log in a file and `config` (JSON).
  void start(std::uint16_t port, const std::string& config = "{}") {
    const auto config_path = m_temp.path() / "config.json";
    std::ofstream{config_path} << config;
    m_emulator = std::make_unique<EmulatorProcess>(
        state(), std::vector<std::string>{
                     "--connect-to", "www.example.com:80:127.0.0.1:" + std::to_string(port),
                     "--log-file", log().string(), "--config", config_path.string()});
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  std::filesystem::path state() const { return m_temp.path() / "state"; }
  std::filesystem::path log() const { return m_temp.path() / "emulator.log"; }
  std::string stored(std::string_view relative) const {
    return read_file(state() / "update" / relative);
  }
  bool exists(std::string_view relative) const {
    return std::filesystem::exists(state() / "update" / relative);
  }
  PtyHost& host() { return *m_host; }
  /// AT+S.RESET and the boot that follows it.
  void reset() {
    ASSERT_EQ(host().command("AT+S.RESET"), ok);
    host().read_until("+WIND:2:Reset\r\n" + factory_start_text(), 10s);
    ASSERT_EQ(host().command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(UpdateTest, FirmwareImageIsKeptThenAppliedAtResetWithTheIdentityUnchanged) {
  const std::string image = random_bytes(96 * 1024, 15);
  ImageServer server{ok_response(image)};
  start(server.port());
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/spwf04.ota,80,0,,", 10s), ok);
  ASSERT_EQ(server.heads().size(), 1u);
  EXPECT_EQ(server.heads()[0],
            "GET /spwf04.ota HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(stored("firmware.pending"), image);
  EXPECT_FALSE(exists("firmware.applied"));
  reset();
  EXPECT_TRUE(wait_for_text(log(), "the pending image (98304 bytes) was applied at this power-on"));
  EXPECT_FALSE(exists("firmware.pending"));
  EXPECT_EQ(stored("firmware.applied"), image);
  EXPECT_EQ(host().command("AT+S.STS=fw_version"), "AT-S.Var:fw_version=1.1.0\r\nAT-S.OK\r\n");
  // Applied once: the next reset has nothing pending.
  std::filesystem::resize_file(log(), 0);
  reset();
  EXPECT_EQ(read_file(log()).find("was applied"), std::string::npos);
  EXPECT_EQ(stored("firmware.applied"), image);
}

TEST_F(UpdateTest, PendingFirmwareIsAppliedWhenTheEmulatorStartsAgain) {
  const std::string image = random_bytes(1000, 16);
  ImageServer server{ok_response(image)};
  start(server.port());
  EXPECT_EQ(host().command("AT+S.FWUPDATE=E,www.example.com,/a.bin,,,,", 10s), ok);
  m_host.reset();
  ASSERT_EQ(m_emulator->terminate(), 0);
  start(server.port());
  EXPECT_TRUE(wait_for_text(log(), "the pending image (1000 bytes) was applied"));
  EXPECT_EQ(stored("firmware.applied"), image);
}

TEST_F(UpdateTest, FileSystemImageIsKeptPerTargetAndNoVolumeChanges) {
  const std::string image = random_bytes(64 * 1024, 17);
  ImageServer server{ok_response(image)};
  start(server.port());
  const std::string listing = host().command("AT+S.FSL");
  // X-CUBE's exact form: empty <TLS>, <usn>, <pwd>.
  EXPECT_EQ(host().command("AT+S.FSUPDATE=e,www.example.com,/outfile.img,80,,,", 10s), ok);
  EXPECT_EQ(stored("fs-e.img"), image);
  EXPECT_EQ(host().command("AT+S.FSUPDATE=i,www.example.com,/outfile.img,80,0,,", 10s), ok);
  EXPECT_EQ(stored("fs-i.img"), image);
  EXPECT_EQ(host().command("AT+S.FSL"), listing);
  EXPECT_FALSE(exists("firmware.pending"));
}

TEST_F(UpdateTest, AnImageUpToTheLimitIsKeptOneByteMoreIsRefused) {
  ImageServer exact{ok_response(random_bytes(image_limit, 18))};
  start(exact.port());
  EXPECT_EQ(host().command("AT+S.FSUPDATE=x,www.example.com,/big.img,80,,,", 20s), ok);
  EXPECT_EQ(std::filesystem::file_size(state() / "update" / "fs-x.img"), image_limit);
  ImageServer larger{ok_response(random_bytes(image_limit + 1, 19))};
  EXPECT_EQ(
      host().command("AT+S.FWUPDATE=e,127.0.0.1,/big.bin," + std::to_string(larger.port()) + ",0,,",
                     20s),
      "AT-S.Write chunk\r\n" + std::string{request_failed});
  EXPECT_FALSE(exists("firmware.pending"));
}

TEST_F(UpdateTest, ServerErrorStatusPrintsHttpServerErrorAndStoresNothing) {
  ImageServer server{"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"};
  start(server.port());
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/missing.ota,80,0,,"),
            "AT-S.Http Server Error:404\r\n" + std::string{request_failed});
  EXPECT_EQ(host().command("AT+S.FSUPDATE=e,www.example.com,/missing.img,80,,,"),
            "AT-S.Http Server Error:404\r\n" + std::string{request_failed});
  EXPECT_FALSE(std::filesystem::exists(state() / "update"));
}

TEST_F(UpdateTest, RefusedConnectionIsHttpClientError1) {
  start(unused_port());
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/a.ota,80,0,,"),
            "AT-S.Http Client Error:1\r\n" + std::string{request_failed});
}

TEST_F(UpdateTest, BodyCutShortIsDisconnectedSilenceIsTimeout) {
  ImageServer cut{"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(500, 'x')};
  std::atomic<bool> release{false};
  TcpPeer silent{[&release](int fd) {
    read_head(fd);
    write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    wait_until(release, 10s);
  }};
  start(cut.port(), R"({"http_idle_timeout_ms": 300})");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/a.ota,80,0,,"),
            "AT-S.Disconnected\r\n" + std::string{request_failed});
  EXPECT_EQ(
      host().command("AT+S.FSUPDATE=e,127.0.0.1,/a.img," + std::to_string(silent.port()) + ",,,"),
      "AT-S.Timeout\r\n" + std::string{request_failed});
  release = true;
  EXPECT_FALSE(std::filesystem::exists(state() / "update"));
}

TEST_F(UpdateTest, FlashThatCannotBeWrittenIsWriteChunk) {
  ImageServer server{ok_response("image")};
  start(server.port());
  std::filesystem::create_directories(state() / "update" / "firmware.pending" / "occupied");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/a.ota,80,0,,"),
            "AT-S.Write chunk\r\n" + std::string{request_failed});
}

TEST_F(UpdateTest, EncryptedImageNeedsTheAesKey) {
  ImageServer server{ok_response("sealed")};
  start(server.port());
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/fw.SFOTA,80,0,,"), request_failed);
  EXPECT_TRUE(server.heads().empty());
  EXPECT_EQ(host().command("AT+S.SCFG=aes128_key,01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10"),
            ok);
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/fw.sfota,80,0,,"), ok);
  EXPECT_EQ(stored("firmware.pending"), "sealed");
}

TEST_F(UpdateTest, BadParametersGetTheModulesErrors) {
  start(unused_port());
  EXPECT_EQ(host().command("AT+S.FWUPDATE"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/a,80,0,"),
            "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSUPDATE=e,www.example.com,/a,80,0,,,"),
            "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=i,www.example.com,/a,80,0,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=,www.example.com,/a,80,0,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSUPDATE=ee,www.example.com,/a,80,0,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSUPDATE=e,www.example.com,/a,80,3,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,,/a,80,0,,"), "AT-S.ERROR:65:DNS address failure\r\n");
  EXPECT_EQ(host().command("AT+S.WIFI=0"), ok);
  host().read_until("+WIND:38:WiFi Powered Down\r\n");
  EXPECT_EQ(host().command("AT+S.FWUPDATE=e,www.example.com,/a,80,0,,"),
            "AT-S.ERROR:44:Wait for Connection Up\r\n");
  EXPECT_EQ(host().command("AT+S.FSUPDATE=e,www.example.com,/a,80,,,"),
            "AT-S.ERROR:44:Wait for Connection Up\r\n");
}

TEST_F(UpdateTest, InputSsiSetsClearsRefusesTooLongAndIsLostAtReset) {
  start(unused_port());
  host().send("AT+S.INPUTSSI=5\rhello");
  EXPECT_EQ(host().read_until(ok), ok);
  EXPECT_TRUE(wait_for_text(log(), "INPUTSSI: the input text is now 5 bytes"));
  EXPECT_EQ(host().command("AT+S.INPUTSSI=0"), ok);
  EXPECT_TRUE(wait_for_text(log(), "INPUTSSI: the input text is cleared"));
  // The longest text, with CR and LF in it, then one byte too many (refused before the payload,
  // whose bytes the line editor then drops: they do not start with AT).
  std::string text(512, 'y');
  text[10] = '\r';
  text[11] = '\n';
  host().send("AT+S.INPUTSSI=512\r" + text);
  EXPECT_EQ(host().read_until(ok), ok);
  EXPECT_TRUE(wait_for_text(log(), "INPUTSSI: the input text is now 512 bytes"));
  EXPECT_EQ(host().command("AT+S.INPUTSSI=513"), "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.INPUTSSI"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.INPUTSSI=1,2"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT"), ok);
  reset();
  EXPECT_TRUE(wait_for_text(log(), "INPUTSSI: the input text (512 bytes) is lost at power-on"));
}

}  // namespace
}  // namespace spwf::testing
