// The module's flash (the state directory) over a real pty (spec §3.3, §3.9):
//   AT+S.SCFG=user_desc,<0xFF 0x80 0xC3>  -> AT-S.OK
//   AT+S.WCFG                            -> AT-S.OK   (any bytes; never an exception)
//   AT+S.RESET / restart                  -> AT+S.GCFG=user_desc -> AT-S.Var:user_desc=<same bytes>
//   AT+S.WCFG with config.json unwritable -> AT-S.ERROR:101:Failed to write flash
//   AT+S.FSC=log.dat.tmp-1,5\rhello, AT+S.RESET -> AT+S.FSP=log.dat.tmp-1,, -> helloAT-S.OK
//   links planted in the state directory  -> AT+S.FSL does not list them, AT+S.FSP answers
//                                            AT-S.ERROR:51:Unable to open file
//   temporaries left by a kill            -> removed at the next start

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

class FlashStateTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  std::filesystem::path state_dir() const { return m_temp.path() / "state"; }
  PtyHost& host() { return *m_host; }
  void start() {
    m_emulator = std::make_unique<EmulatorProcess>(state_dir());
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    ASSERT_EQ(host().read_until(factory_start_text()), factory_start_text());
    host().send("AT+S.SCFG=console_echo,0\r");
    host().read_until("AT-S.OK\r\n");
  }
  void restart() {
    m_host.reset();
    ASSERT_EQ(m_emulator->terminate(), 0);
    start();
  }
  void reset() {
    ASSERT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
    const std::string boot = "+WIND:2:Reset\r\n" + factory_start_text();
    ASSERT_EQ(host().read_until(boot), boot);
  }
  /// A command whose raw output precedes the final OK (FSP).
  std::string print(std::string_view command) {
    host().send(std::string(command) + "\r");
    return host().read_until("AT-S.OK\r\n");
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(FlashStateTest, AnyBytesOfAStringSurviveWcfgResetAndRestart) {
  const std::string bytes = "\xFF\x80\xC3 \xFE\xC0\xAF";
  EXPECT_EQ(host().command("AT+S.SCFG=user_desc," + bytes), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  reset();
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"),
            "AT-S.Var:user_desc=" + bytes + "\r\nAT-S.OK\r\n");
  restart();
  EXPECT_EQ(host().command("AT+S.GCFG=user_desc"),
            "AT-S.Var:user_desc=" + bytes + "\r\nAT-S.OK\r\n");
}

// Root ignores permission bits, so the flash is made unwritable by putting a non-empty directory
// where config.json goes: nothing can rename a file over it.
TEST_F(FlashStateTest, WcfgThatCannotWriteTheFlashAnswers101) {
  std::filesystem::create_directories(state_dir() / "config.json" / "occupied");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.ERROR:101:Failed to write flash\r\n");
  EXPECT_EQ(host().command("AT&W"), "AT-S.ERROR:101:Failed to write flash\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  std::filesystem::remove_all(state_dir() / "config.json");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  EXPECT_TRUE(std::filesystem::is_empty(state_dir() / "tmp")) << "a temporary was left behind";
}

// The same for the TLS slots: TLSCERT answers 101 after its payload, and the slot keeps what the
// flash holds.
//   AT+S.TLSCERT=auth,4\rabcd  (tls/auth blocked) -> AT-S.ERROR:101:Failed to write flash
TEST_F(FlashStateTest, TlscertThatCannotWriteTheFlashAnswers101) {
  std::filesystem::create_directories(state_dir() / "tls" / "auth" / "occupied");
  host().send("AT+S.TLSCERT=auth,4\rabcd");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.ERROR:101:Failed to write flash\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
  std::filesystem::remove_all(state_dir() / "tls" / "auth");
  host().send("AT+S.TLSCERT=auth,4\rabcd");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
}

TEST_F(FlashStateTest, UserNamesLikeTemporariesSurviveResetAndRestart) {
  host().send("AT+S.FSC=log.dat.tmp-1,5\rhello");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
  reset();
  host().send("AT+S.SCFG=console_echo,0\r");
  host().read_until("AT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=log.dat.tmp-1,,"), "helloAT-S.OK\r\n");
  restart();
  EXPECT_EQ(print("AT+S.FSP=log.dat.tmp-1,,"), "helloAT-S.OK\r\n");
}

TEST_F(FlashStateTest, PlantedLinksAreNeitherListedNorFollowed) {
  { std::ofstream(m_temp.path() / "secret") << "secret"; }
  const auto user = state_dir() / "fs" / "user";
  std::filesystem::create_symlink(m_temp.path() / "secret", user / "leak.dat");
  std::filesystem::create_symlink("/proc/self/environ", user / "environ.dat");
  std::filesystem::create_directories(state_dir() / "tls");
  std::filesystem::create_symlink(m_temp.path() / "secret", state_dir() / "tls" / "ca");
  restart();
  const std::string listing = print("AT+S.FSL");
  EXPECT_EQ(listing.find("AT-S.File"), std::string::npos) << listing;
  EXPECT_EQ(host().command("AT+S.FSP=leak.dat,,"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.FSP=environ.dat,,"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.STS=ip_cert_len_ca"), "AT-S.Var:ip_cert_len_ca=0\r\nAT-S.OK\r\n");
  // Creating the name writes a file of the module, not through the link.
  host().send("AT+S.FSC=leak.dat,4\rmine");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=leak.dat,,"), "mineAT-S.OK\r\n");
  EXPECT_EQ(read_file(m_temp.path() / "secret"), "secret");
}

// A symbolic link in place of a volume's directory is refused at start with a message naming it
// (exit 2): the emulator never writes the module's files outside the state directory.
TEST_F(FlashStateTest, LinkedVolumeDirectoryStopsTheStart) {
  m_host.reset();
  ASSERT_EQ(m_emulator->terminate(), 0);
  std::filesystem::create_directories(m_temp.path() / "outside");
  std::filesystem::remove_all(state_dir() / "fs" / "ext");
  std::filesystem::create_directory_symlink(m_temp.path() / "outside", state_dir() / "fs" / "ext");
  m_emulator = std::make_unique<EmulatorProcess>(state_dir(), std::vector<std::string>{}, false);
  EXPECT_EQ(m_emulator->wait_exit(), 2);
  EXPECT_NE(m_emulator->stderr_text().find((state_dir() / "fs" / "ext").string()),
            std::string::npos)
      << m_emulator->stderr_text();
  EXPECT_TRUE(std::filesystem::is_empty(m_temp.path() / "outside"));
}

TEST_F(FlashStateTest, TemporariesLeftByAKillAreRemovedAtStart) {
  m_host.reset();
  ASSERT_EQ(m_emulator->terminate(), 0);
  const auto tls = state_dir() / "tls";
  std::filesystem::create_directories(tls);
  { std::ofstream(tls / "ca.tmp-4242-0") << "half"; }
  { std::ofstream(state_dir() / "tmp" / "4242-1") << "half"; }
  { std::ofstream(state_dir() / "config.json.tmp-4242-2") << "half"; }
  start();
  EXPECT_FALSE(std::filesystem::exists(tls / "ca.tmp-4242-0"));
  EXPECT_FALSE(std::filesystem::exists(state_dir() / "tmp" / "4242-1"));
  EXPECT_FALSE(std::filesystem::exists(state_dir() / "config.json.tmp-4242-2"));
}

}  // namespace
}  // namespace spwf::testing
