// The file-system commands over a real pty against the real executable (spec §3.9, §2.5):
//   AT+S.FSC=/hello.txt,5\rhello        -> AT-S.OK            (create)
//   AT+S.FSC=/hello.txt,6\r, world      -> AT-S.OK            (append)
//   AT+S.FSL                            -> AT-S.File:1\t11\thello.txt
//                                          AT-S.Free RAM Disk:16384
//                                          AT-S.Free VOL Disk:1048565
//                                          AT-S.Free EXT Disk:4194304
//                                          AT-S.OK
//   AT+S.FSP=/hello.txt,,               -> hello, worldAT-S.OK (raw bytes, then OK)
//   AT+S.HASH=2,/hello.txt              -> AT-S.SHA256:<lower-case hex>
//   AT+S.FSR=/hello.txt,/b / AT+S.FSD=/b -> AT-S.OK; then AT-S.ERROR:56:Unable to delete file
//   AT+S.RESET / restart                -> the user volume persists, the RAM disk (2:) is emptied

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_emulator = std::make_unique<EmulatorProcess>(state_dir());
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    echo_off();
  }
  std::filesystem::path state_dir() const { return m_temp.path() / "state"; }
  PtyHost& host() { return *m_host; }
  /// Turns echo off (it may already be off when a test saved console_echo=0).
  void echo_off() {
    host().send("AT+S.SCFG=console_echo,0\r");
    host().read_until("AT-S.OK\r\n");
  }
  /// A command whose raw output precedes the final OK (FSP); returns everything through the OK.
  std::string print(std::string_view command) {
    host().send(std::string(command) + "\r");
    return host().read_until("AT-S.OK\r\n");
  }
  /// FSC with its payload right after the CR, as hosts send it; returns the final line.
  std::string create(std::string_view name, std::string_view data) {
    host().send("AT+S.FSC=" + std::string(name) + "," + std::to_string(data.size()) + "\r" +
                std::string(data));
    return host().read_until("\r\n");
  }
  void reset() {
    ASSERT_EQ(host().command("AT+S.RESET"), "AT-S.OK\r\n");
    host().read_until("+WIND:2:Reset\r\n" + factory_start_text());
    echo_off();
  }
  void restart() {
    m_host.reset();
    ASSERT_EQ(m_emulator->terminate(), 0);
    m_emulator = std::make_unique<EmulatorProcess>(state_dir());
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    echo_off();
  }
  /// `openssl dgst -<algorithm> -r` of a file, lower-case hex.
  static std::string openssl_digest(std::string_view algorithm, const std::filesystem::path& path) {
    const std::string command =
        "openssl dgst -" + std::string(algorithm) + " -r '" + path.string() + "' 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return {};
    char buffer[256] = {};
    if (std::fgets(buffer, sizeof buffer, pipe.get()) == nullptr) return {};
    std::string line(buffer);
    return line.substr(0, line.find(' '));
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(FileSystemTest, CreateAppendListPrint) {
  EXPECT_EQ(host().command("AT+S.FSL"),
            "AT-S.Free RAM Disk:16384\r\nAT-S.Free VOL Disk:1048576\r\n"
            "AT-S.Free EXT Disk:4194304\r\nAT-S.OK\r\n");
  EXPECT_EQ(create("/hello.txt", "hello"), "AT-S.OK\r\n");
  EXPECT_EQ(create("/hello.txt", ", world"), "AT-S.OK\r\n");
  EXPECT_EQ(create("2:/ram.bin", std::string("\0\r\nAT\r", 6)), "AT-S.OK\r\n");
  EXPECT_EQ(create("3:/Ext.TXT", "e"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSL"),
            "AT-S.File:1\t12\thello.txt\r\n"
            "AT-S.File:2\t6\tram.bin\r\n"
            "AT-S.File:3\t1\tExt.TXT\r\n"
            "AT-S.Free RAM Disk:16378\r\nAT-S.Free VOL Disk:1048564\r\n"
            "AT-S.Free EXT Disk:4194303\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSL=/HELLO.TXT"),
            "AT-S.File:1\t12\thello.txt\r\n"
            "AT-S.Free RAM Disk:16378\r\nAT-S.Free VOL Disk:1048564\r\n"
            "AT-S.Free EXT Disk:4194303\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSL=2:"),
            "AT-S.File:2\t6\tram.bin\r\n"
            "AT-S.Free RAM Disk:16378\r\nAT-S.Free VOL Disk:1048564\r\n"
            "AT-S.Free EXT Disk:4194303\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSL=/nothing"), "AT-S.ERROR:57:Unable to open directory\r\n");

  // X-CUBE's form, then ranges.
  EXPECT_EQ(print("AT+S.FSP=/hello.txt,,"), "hello, worldAT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=hello.txt,7,"), "worldAT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=hello.txt,0,5"), "helloAT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=hello.txt,5,0"), ", worldAT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=hello.txt,10,100"), "ldAT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=hello.txt,12,"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSP=hello.txt,13,"), "AT-S.ERROR:52:Unable to seek file\r\n");
  EXPECT_EQ(print("AT+S.FSP=2:ram.bin,,"), std::string("\0\r\nAT\rAT-S.OK\r\n", 15));
  EXPECT_EQ(host().command("AT+S.FSP=/missing,,"), "AT-S.ERROR:51:Unable to open file\r\n");
}

TEST_F(FileSystemTest, HashMatchesKnownDigestsAndOpenssl) {
  EXPECT_EQ(create("/abc", "abc"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=0,/abc"),
            "AT-S.SHA1:a9993e364706816aba3e25717850c26c9cd0d89d\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=1,/abc"),
            "AT-S.SHA224:23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=2,abc"),
            "AT-S.SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\r\n"
            "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=3,/ABC"),
            "AT-S.MD5:900150983cd24fb0d6963f7d28e17f72\r\nAT-S.OK\r\n");

  // A binary file with every byte value, checked against openssl on the stored file.
  std::string data;
  for (int round = 0; round < 8; ++round) {
    for (int byte = 0; byte < 256; ++byte) data += static_cast<char>(byte);
  }
  EXPECT_EQ(create("/all.bin", data), "AT-S.OK\r\n");
  const auto stored = state_dir() / "fs" / "user" / "all.bin.dat";
  const std::pair<const char*, const char*> algorithms[] = {
      {"0", "sha1"}, {"1", "sha224"}, {"2", "sha256"}, {"3", "md5"}};
  const char* labels[] = {"SHA1", "SHA224", "SHA256", "MD5"};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string expected = openssl_digest(algorithms[i].second, stored);
    ASSERT_FALSE(expected.empty()) << algorithms[i].second;
    EXPECT_EQ(host().command(std::string("AT+S.HASH=") + algorithms[i].first + ",/all.bin"),
              std::string("AT-S.") + labels[i] + ":" + expected + "\r\nAT-S.OK\r\n");
  }

  EXPECT_EQ(host().command("AT+S.HASH=4,/abc"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=x,/abc"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=2,/missing"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=2"), "AT-S.ERROR:2:Missing argument(s)\r\n");
}

TEST_F(FileSystemTest, RenameAndDelete) {
  EXPECT_EQ(create("/a", "1"), "AT-S.OK\r\n");
  EXPECT_EQ(create("/b", "22"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSR=/a,/b"), "AT-S.ERROR:55:Unable to rename file\r\n");
  EXPECT_EQ(host().command("AT+S.FSR=/x,/y"), "AT-S.ERROR:55:Unable to rename file\r\n");
  EXPECT_EQ(host().command("AT+S.FSR=/a,/../a"), "AT-S.ERROR:55:Unable to rename file\r\n");
  EXPECT_EQ(host().command("AT+S.FSR=/a,/c"), "AT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=/c,,"), "1AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSD=/B"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSD=/b"), "AT-S.ERROR:56:Unable to delete file\r\n");
  EXPECT_EQ(host().command("AT+S.FSD=0:/index.html"), "AT-S.ERROR:56:Unable to delete file\r\n");
  EXPECT_EQ(host().command("AT+S.FSL=1:"),
            "AT-S.File:1\t1\tc\r\n"
            "AT-S.Free RAM Disk:16384\r\nAT-S.Free VOL Disk:1048575\r\n"
            "AT-S.Free EXT Disk:4194304\r\nAT-S.OK\r\n");
}

TEST_F(FileSystemTest, ArgumentAndVolumeErrors) {
  EXPECT_EQ(host().command("AT+S.FSC=/a"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=/a,1,2"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSD"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSR=/a"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSL=a,b"), "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSP=/a,1"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSM"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=1"), "AT-S.ERROR:2:Missing argument(s)\r\n");
  // Errors found before the payload come at once: no payload is sent here.
  EXPECT_EQ(host().command("AT+S.FSC=/a,0"), "AT-S.ERROR:33:Argument evaluated to zero\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=0:/index.html,4"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=/../escape,4"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=/" + std::string(65, 'n') + ",4"),
            "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=5:/x,4"), "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=2:/big,16385"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=/big,1048577"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(host().command("AT+S.FSM=4"), "AT-S.ERROR:59:Unable to (un)mount volume\r\n");
  EXPECT_EQ(host().command("AT+S.FSM=x"), "AT-S.ERROR:59:Unable to (un)mount volume\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=9,0"), "AT-S.ERROR:59:Unable to (un)mount volume\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=1,2"), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_TRUE(std::filesystem::is_empty(state_dir() / "fs" / "user"));
  EXPECT_FALSE(std::filesystem::exists(state_dir() / "fs" / "escape.dat"));
  EXPECT_FALSE(std::filesystem::exists(state_dir() / "escape.dat"));
}

TEST_F(FileSystemTest, UnmountedVolumesRefuseAndEraseEmpties) {
  EXPECT_EQ(create("/keep", "k"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=1,0"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.STS=user_fs"), "AT-S.Var:user_fs=0\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSC=/x,1"), "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.FSP=/keep,,"), "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.FSD=/keep"), "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.FSR=/keep,/k"), "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.HASH=0,/keep"), "AT-S.ERROR:50:Unable to access filesystem\r\n");
  EXPECT_EQ(host().command("AT+S.FSL"),
            "AT-S.Free RAM Disk:16384\r\nAT-S.Free VOL Disk:0\r\n"
            "AT-S.Free EXT Disk:4194304\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSM=1"), "AT-S.OK\r\n");
  EXPECT_EQ(print("AT+S.FSP=/keep,,"), "kAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=1,1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSM=1"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSP=/keep,,"), "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=0,1"), "AT-S.ERROR:59:Unable to (un)mount volume\r\n");
}

TEST_F(FileSystemTest, UserVolumePersistsRamDiskIsEmptiedByResetAndRestart) {
  EXPECT_EQ(create("/persist", "flash"), "AT-S.OK\r\n");
  EXPECT_EQ(create("2:/volatile", "ram"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSU=3,0"), "AT-S.OK\r\n");
  reset();
  EXPECT_EQ(host().command("AT+S.FSL"),
            "AT-S.File:1\t5\tpersist\r\n"
            "AT-S.Free RAM Disk:16384\r\nAT-S.Free VOL Disk:1048571\r\n"
            "AT-S.Free EXT Disk:4194304\r\nAT-S.OK\r\n");
  EXPECT_EQ(create("2:/volatile", "again"), "AT-S.OK\r\n");
  restart();
  EXPECT_EQ(print("AT+S.FSP=/persist,,"), "flashAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.FSP=2:/volatile,,"), "AT-S.ERROR:51:Unable to open file\r\n");
}

TEST_F(FileSystemTest, RamDiskSizeFollowsRamdiskMemsizeAfterReset) {
  EXPECT_EQ(host().command("AT+S.SCFG=ramdisk_memsize,2"), "AT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.WCFG"), "AT-S.OK\r\n");
  reset();
  EXPECT_EQ(host().command("AT+S.FSC=2:/big,2049"),
            "AT-S.ERROR:32:Argument exceeds allowed size\r\n");
  EXPECT_EQ(create("2:/fits", std::string(2048, 'f')), "AT-S.OK\r\n");
}

TEST_F(FileSystemTest, CommandAndPayloadInOneBytePieces) {
  host().send_in_pieces(std::string("AT+S.FSC=/pieces,10\r0123\r\n\0AT+", 30), 1);
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
  host().send_in_pieces("AT+S.FSC=/pieces,2\rxyAT+S.FSP=/pieces,,\r", 1);
  EXPECT_EQ(host().read_until("xyAT-S.OK\r\n"),
            std::string("AT-S.OK\r\n0123\r\n\0AT+xyAT-S.OK\r\n", 30));
}

}  // namespace
}  // namespace spwf::testing
