// A state directory prepared by a hostile hand before the start: the emulator never writes
// through a link to a file outside it, and never overwrites a file it could not parse.
//   state/spwf04emu.lock -> ../outside/victim   (start)  -> exit 2, "cannot create the lock file
//                                                           …/spwf04emu.lock", victim unchanged
//   state/spwf04emu.lock -> ../outside/absent   (start)  -> exit 2, nothing created outside
//   state/spwf04emu.lock = hard link to victim  (start)  -> exit 2, victim unchanged
//   state/config.json = 100,000 nested arrays   (start)  -> exit 2, naming config.json, kept
//   state/config.json = 64 MiB sparse file      (start)  -> exit 2, "…config.json: cannot be
//                                                           read: File too large", kept
//   state/tls/ca, fs/user/big = 64 MiB sparse   (start)  -> runs; AT+S.FSP=big,0,4 -> an error

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream{path, std::ios::binary} << text;
}

/// Starts the emulator on `state`, expects it to refuse (exit 2) and returns its stderr.
std::string refused_start(const fs::path& state) {
  EmulatorProcess emulator{state, {}, false};
  EXPECT_EQ(emulator.wait_exit(), 2);
  return emulator.stderr_text();
}

TEST(HostileStateTest, ALinkAtTheLocksNameIsNotWrittenThrough) {
  TempDir temp;
  const fs::path state = temp.path() / "state";
  fs::create_directories(state);
  fs::create_directories(temp.path() / "outside");
  write_text(temp.path() / "outside" / "victim", "precious\n");
  fs::create_symlink("../outside/victim", state / "spwf04emu.lock");
  const std::string message = refused_start(state);
  EXPECT_NE(message.find("cannot create the lock file " + (state / "spwf04emu.lock").string()),
            std::string::npos)
      << message;
  EXPECT_EQ(read_file(temp.path() / "outside" / "victim"), "precious\n");
  EXPECT_TRUE(fs::is_symlink(state / "spwf04emu.lock"));

  fs::remove(state / "spwf04emu.lock");
  fs::create_symlink("../outside/absent", state / "spwf04emu.lock");
  refused_start(state);
  EXPECT_FALSE(fs::exists(temp.path() / "outside" / "absent"));
}

TEST(HostileStateTest, AHardLinkAtTheLocksNameIsNotWrittenThrough) {
  TempDir temp;
  const fs::path state = temp.path() / "state";
  fs::create_directories(state);
  write_text(temp.path() / "victim", "precious\n");
  fs::create_hard_link(temp.path() / "victim", state / "spwf04emu.lock");
  const std::string message = refused_start(state);
  EXPECT_NE(message.find("the lock file " + (state / "spwf04emu.lock").string() +
                         " is not a plain file of its own"),
            std::string::npos)
      << message;
  EXPECT_EQ(read_file(temp.path() / "victim"), "precious\n");
}

TEST(HostileStateTest, ADeeplyNestedConfigurationIsRefusedAndKept) {
  TempDir temp;
  const fs::path state = temp.path() / "state";
  fs::create_directories(state);
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  const std::string text =
      R"({"format": "spwf04emu-flash", "version": 1, "variables": {"ip_hostname": )" + nested +
      "}}";
  write_text(state / "config.json", text);
  const std::string message = refused_start(state);
  EXPECT_NE(message.find((state / "config.json").string()), std::string::npos) << message;
  EXPECT_EQ(read_file(state / "config.json"), text);
}

TEST(HostileStateTest, AHugeConfigurationIsRefusedUnreadAndKept) {
  TempDir temp;
  const fs::path state = temp.path() / "state";
  fs::create_directories(state);
  write_text(state / "config.json", "");
  fs::resize_file(state / "config.json", 64u << 20);  // sparse: costs no disk
  const std::string message = refused_start(state);
  EXPECT_NE(message.find((state / "config.json").string() + ": cannot be read: File too large"),
            std::string::npos)
      << message;
  EXPECT_EQ(fs::file_size(state / "config.json"), 64u << 20);
}

TEST(HostileStateTest, HugeSlotAndVolumeFilesAreNotReadWhole) {
  TempDir temp;
  const fs::path state = temp.path() / "state";
  for (const char* name : {"tls/ca", "fs/user/big"}) {
    fs::create_directories((state / name).parent_path());
    write_text(state / name, "");
    fs::resize_file(state / name, 64u << 20);
  }
  EmulatorProcess emulator{state};
  PtyHost host{emulator.pty_path()};
  host.read_until(factory_start_text());
  const std::string answer = host.command("AT+S.FSP=big,0,4");
  EXPECT_TRUE(answer.ends_with("\r\n") && answer.find("AT-S.ERROR:") != std::string::npos)
      << answer;
  EXPECT_TRUE(host.command("AT").ends_with("AT-S.OK\r\n"));
  if (!memory_is_sanitized()) {
    EXPECT_LT(peak_resident_kib(emulator.pid()), 48u * 1024);  // neither 64 MiB file was read
  }
}

}  // namespace
}  // namespace spwf::testing
