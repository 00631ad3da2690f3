// Starting the emulator as a user does: options from the command line and SPWF04EMU_ARGS,
// start-up problems (exit 2, "spwf04emu: error:" and words a user understands), the log
// (--log-file, --log-level debug), the locks on the state directory and the pty link, SIGHUP.
//   AT+S.FOO   -> AT-S.ERROR:1:Command not found, and with --log-level debug the log says
//                 command "AT+S.FOO": AT-S.ERROR:1:Command not found
//   AT+S.SOCKON=127.0.0.1,<closed port>,,t -> AT-S.ERROR:74, the log: ... failed: Connection
//   refused AT+S.SSIDTXT=NobodyOffersThis, AT+S.WIFI=0, =1 -> the log: no network
//   'NobodyOffersThis' ...

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {

/// Starts the emulator with `arguments`, expects exit 2, and returns its stderr.
std::string refused_start(const std::vector<std::string>& arguments) {
  TempDir temp;
  EmulatorProcess emulator{temp.path() / "state", arguments, false};
  EXPECT_EQ(emulator.wait_exit(), 2);
  return emulator.stderr_text();
}

/// Expects `message` to be one user-facing start-up error containing `words`.
void expect_error(const std::string& message, const std::string& words) {
  EXPECT_EQ(message.rfind("spwf04emu: error: ", 0), 0u) << message;
  EXPECT_NE(message.find(words), std::string::npos) << message;
  EXPECT_EQ(message.find("->"), std::string::npos) << message;  // no CLI11 internals
}

TEST(StartupErrorTest, BadOptionValuesExitTwoInWords) {
  expect_error(refused_start({"--boot", "sleepy"}), "--boot sleepy: expected instant or real");
  expect_error(refused_start({"--log-level", "loud"}), "--log-level loud: expected trace, debug");
  expect_error(refused_start({"--no-such-option"}), "--no-such-option");
  expect_error(refused_start({"--listen"}), "--listen");
}

TEST(StartupErrorTest, OptionsThatCannotBeHonouredAreRefused) {
  expect_error(refused_start({"--allow", "10.0.0.0/33"}), "--allow 10.0.0.0/33");
  expect_error(refused_start({"--deny", "::/129"}), "--deny ::/129");
  expect_error(refused_start({"--stdio", "--pty-link", "x"}), "--pty-link");
  expect_error(refused_start({"--listen", "127.0.0.1:0", "--pty-link", "x"}), "--pty-link");
}

TEST(StartupErrorTest, MissingPtyLinkDirectoryIsNamed) {
  const std::string message = refused_start({"--pty-link", "/nonexistent-spwf-dir/console"});
  expect_error(message, "the directory /nonexistent-spwf-dir does not exist");
  EXPECT_EQ(message.find("/dev/pts"), std::string::npos) << message;
}

TEST(StartupErrorTest, PortInUseIsNamed) {
  const int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(busy, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string listen = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  expect_error(refused_start({"--listen", listen}), "--listen " + listen);
  ::close(busy);
}

TEST(StartupErrorTest, UnwritableSslKeyLogFileNamesTheVariable) {
  ::setenv("SSLKEYLOGFILE", "/nonexistent-spwf-dir/keys.log", 1);
  const std::string message = refused_start({});
  ::unsetenv("SSLKEYLOGFILE");
  expect_error(message, "SSLKEYLOGFILE=/nonexistent-spwf-dir/keys.log");
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
}

TEST(StartupOptionsTest, ArgumentsComeFromTheEnvironmentToo) {
  TempDir temp;
  const auto link = temp.path() / "console";
  ::setenv("SPWF04EMU_ARGS", ("--pty-link '" + link.string() + "' --log-level debug").c_str(), 1);
  EmulatorProcess emulator{temp.path() / "state"};
  ::unsetenv("SPWF04EMU_ARGS");
  ASSERT_TRUE(std::filesystem::is_symlink(link));
  PtyHost host{link.string()};
  host.read_until(factory_start_text());
  EXPECT_EQ(host.command("AT"), "AT\r\nAT-S.OK\r\n");
  EXPECT_EQ(emulator.terminate(), 0);
  EXPECT_NE(emulator.stderr_text().find("debug: command \"AT\": OK"), std::string::npos)
      << emulator.stderr_text();
}

TEST(StartupOptionsTest, ABadValueInTheEnvironmentIsRefusedToo) {
  ::setenv("SPWF04EMU_ARGS", "--boot never", 1);
  const std::string message = refused_start({});
  ::unsetenv("SPWF04EMU_ARGS");
  expect_error(message, "--boot never");
}

TEST(StartupOptionsTest, ListenOnAPortAloneIsLoopbackOnly) {
  TempDir temp;
  EmulatorProcess emulator{temp.path() / "state", {"--listen", ":0"}};
  EXPECT_EQ(emulator.pty_path().rfind("tcp:127.0.0.1:", 0), 0u) << emulator.pty_path();
}

TEST(StartupLogTest, LogFileTakesTheLogAndDebugShowsVerdictsAndReasons) {
  TempDir temp;
  const auto log = temp.path() / "emulator.log";
  EmulatorProcess emulator{temp.path() / "state",
                           {"--log-file", log.string(), "--log-level", "debug"}};
  PtyHost host{emulator.pty_path()};
  host.read_until(factory_start_text());
  EXPECT_EQ(host.command("AT+S.FOO"), "AT+S.FOO\r\nAT-S.ERROR:1:Command not found\r\n");
  const std::string refused = std::to_string(unused_port());
  host.command("AT+S.SOCKON=127.0.0.1," + refused + ",,t");
  EXPECT_TRUE(wait_for_text(log, "command \"AT+S.FOO\": AT-S.ERROR:1:Command not found"));
  EXPECT_TRUE(wait_for_text(log, "127.0.0.1:" + refused + " failed: Connection refused"));
  host.command("AT+S.SSIDTXT=NobodyOffersThis");
  host.command("AT+S.WIFI=0");
  host.command("AT+S.WIFI=1");
  EXPECT_TRUE(wait_for_text(log, "no network 'NobodyOffersThis'"));
  EXPECT_EQ(emulator.terminate(), 0);
  EXPECT_TRUE(wait_for_text(log, "host opened " + emulator.pty_path()));
  EXPECT_EQ(emulator.stderr_text(), "");
}

TEST(StartupLockTest, ASecondEmulatorOnTheSameStateDirectoryIsRefused) {
  TempDir temp;
  EmulatorProcess first{temp.path() / "state"};
  EmulatorProcess second{temp.path() / "state", {}, false};
  EXPECT_EQ(second.wait_exit(), 2);
  expect_error(second.stderr_text(), "--state-dir " + (temp.path() / "state").string() +
                                         " is in use by another spwf04emu (pid " +
                                         std::to_string(first.pid()) + ",");
  EXPECT_EQ(first.terminate(), 0);
  EmulatorProcess third{temp.path() / "state"};  // free again once the first has stopped
  EXPECT_EQ(third.terminate(), 0);
}

TEST(StartupLockTest, ASecondEmulatorOnTheSamePtyLinkIsRefusedAndTheLinkKept) {
  TempDir temp;
  const auto link = temp.path() / "console";
  EmulatorProcess first{temp.path() / "one", {"--pty-link", link.string()}};
  EmulatorProcess second{temp.path() / "two", {"--pty-link", link.string()}, false};
  EXPECT_EQ(second.wait_exit(), 2);
  expect_error(second.stderr_text(), "--pty-link " + link.string() +
                                         " is in use by another spwf04emu (pid " +
                                         std::to_string(first.pid()) + ",");
  EXPECT_EQ(std::filesystem::read_symlink(link).string(), first.pty_path());
}

TEST(StartupLockTest, LocksOfAKilledEmulatorAreTakenOver) {
  TempDir temp;
  const auto link = temp.path() / "console";
  EmulatorProcess killed{temp.path() / "state", {"--pty-link", link.string()}};
  ::kill(killed.pid(), SIGKILL);
  killed.wait_exit();
  EmulatorProcess next{temp.path() / "state", {"--pty-link", link.string()}};
  EXPECT_EQ(std::filesystem::read_symlink(link).string(), next.pty_path());
  PtyHost host{link.string()};
  host.read_until(factory_start_text());
}

TEST(StartupSignalTest, SighupEndsCleanlyAndRemovesThePtyLink) {
  TempDir temp;
  const auto link = temp.path() / "console";
  EmulatorProcess emulator{temp.path() / "state", {"--pty-link", link.string()}};
  ASSERT_TRUE(std::filesystem::is_symlink(link));
  ::kill(emulator.pid(), SIGHUP);
  EXPECT_EQ(emulator.wait_exit(), 0);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(link)));
}

TEST(StdioTerminalTest, CtrlACtrlXEndsTheRunAndRestoresTheTerminal) {
  TempDir temp;
  const auto process = spawn_on_terminal(
      {"--stdio", "--boot", "instant", "--state-dir", (temp.path() / "state").string()});
  FdHost terminal{process.master};
  terminal.read_until("Ctrl-A Ctrl-X ends the run");
  terminal.read_until("+WIND:0:Console active");
  terminal.send("AT\r");
  terminal.read_until("AT-S.OK\r\n");
  terminal.send("\x01\x18");
  EXPECT_EQ(wait_process(process.pid), 0);
  termios settings{};  // the master reads the terminal's modes: cooked again
  ASSERT_EQ(::tcgetattr(process.master, &settings), 0);
  EXPECT_NE(settings.c_lflag & ICANON, 0u);
  EXPECT_NE(settings.c_lflag & ECHO, 0u);
}

}  // namespace
}  // namespace spwf::testing
