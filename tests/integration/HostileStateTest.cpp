// A state directory prepared by a hostile hand before the start: the emulator never writes
// through a link to a file outside it, and never overwrites a file it could not parse.
//   state/spwf04emu.lock -> ../outside/victim   (start)  -> exit 2, "cannot create the lock file
//                                                           …/spwf04emu.lock", victim unchanged
//   state/spwf04emu.lock -> ../outside/absent   (start)  -> exit 2, nothing created outside
//   state/config.json = 100,000 nested arrays   (start)  -> exit 2, naming config.json, kept

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace spwf::testing
