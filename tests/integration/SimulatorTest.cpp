// The module plugged into a simulator's UART (issue 17): --attach on the pty a simulator made
// (as Zephyr native_sim does), --connect to the TCP or Unix socket a simulator listens on (QEMU,
// Renode, esp-emulator), the test playing the simulator. Over each, mbed's socket sequence:
//   (power on) ... +WIND:0:Console active ... +WIND:84:NTP Server delivery:...
//   AT+S.SCFG=console_echo,0          -> AT+S.SCFG=console_echo,0 / AT-S.OK
//   AT+S.SOCKON=127.0.0.1,<echo>,,t   -> AT-S.On:127.0.0.1:0 / AT-S.OK
//   AT+S.SOCKW=0,5\rhello             -> AT-S.OK, then +WIND:55:Pending Data::0:5:5
//   AT+S.SOCKR=0,5                    -> AT-S.Reading:5:5 / hello AT-S.OK
//   AT+S.SOCKC=0                      -> AT-S.OK
// The simulator going away and coming back: the log says so, the emulator reopens the device
// (behind the same link) or connects again, and with --power-cycle-on-attach the module boots
// again for it (the boot indications, the RAM configuration reloaded):
//   AT+S.SCFG=user_desc,changed -> AT-S.OK; (simulator restarts) ... boot ...
//   AT+S.GCFG=user_desc         -> AT-S.Var:user_desc=anonymous / AT-S.OK

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/FdHost.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/SimulatorPeer.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view k_change = "AT+S.SCFG=user_desc,changed\r";
constexpr std::string_view k_read_back = "AT+S.GCFG=user_desc\r";

/// The mbed driver's socket sequence against a loopback echo peer, echo turned off first.
void mbed_socket_sequence(FdHost& simulator) {
  TcpPeer peer{TcpPeer::echo};
  simulator.send("AT+S.SCFG=console_echo,0\r");
  EXPECT_EQ(simulator.read_until("AT-S.OK\r\n"), "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  simulator.send("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t\r");
  EXPECT_EQ(simulator.read_until("AT-S.OK\r\n"), "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  simulator.send("AT+S.SOCKW=0,5\rhello");
  EXPECT_EQ(simulator.read_until("+WIND:55:Pending Data::0:5:5\r\n"),
            "AT-S.OK\r\n+WIND:55:Pending Data::0:5:5\r\n");
  simulator.send("AT+S.SOCKR=0,5\r");
  EXPECT_EQ(simulator.read_until("AT-S.OK\r\n"), "AT-S.Reading:5:5\r\nhelloAT-S.OK\r\n");
  simulator.send("AT+S.SOCKC=0\r");
  EXPECT_EQ(simulator.read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
}

/// A simulator that finds the module as after power-on, changes the RAM configuration, and
/// leaves when `simulator` goes out of scope.
void boot_and_change(std::unique_ptr<FdHost> simulator) {
  ASSERT_TRUE(simulator);
  simulator->read_until(factory_start_text());
  simulator->send(k_read_back);
  EXPECT_EQ(simulator->read_until("AT-S.OK\r\n"),
            std::string{k_read_back} + "\nAT-S.Var:user_desc=anonymous\r\nAT-S.OK\r\n");
  simulator->send(k_change);
  simulator->read_until("AT-S.OK\r\n");
}

TEST(AttachTest, MbedSocketSequenceOnASimulatorsPty) {
  TempDir temp;
  SimulatorPty pty;
  EmulatorProcess emulator{temp.path() / "state", {"--attach", pty.slave_path}};
  EXPECT_EQ(emulator.pty_path(), "attach:" + pty.slave_path);
  FdHost simulator{pty.take_master()};
  simulator.read_until(factory_start_text());
  mbed_socket_sequence(simulator);
}

TEST(AttachTest, ASimulatorRestartedBehindTheSameLinkIsAttachedAgain) {
  TempDir temp;
  const auto link = temp.path() / "uart";
  const auto log = temp.path() / "emulator.log";
  auto pty = std::make_unique<SimulatorPty>();
  std::filesystem::create_symlink(pty->slave_path, link);
  EmulatorProcess emulator{
      temp.path() / "state",
      {"--attach", link.string(), "--power-cycle-on-attach", "--log-file", log.string()}};
  for (int run = 1; run <= 3; ++run) {
    boot_and_change(std::make_unique<FdHost>(pty->take_master()));
    if (run == 3) break;
    // The simulator has exited and taken its link with it: a link left pointing at the freed pty
    // number would lead the emulator to whatever pty gets that number next (another test's).
    std::filesystem::remove(link);
    // Its pty is gone, and the log says so.
    ASSERT_TRUE(wait_for_text(log, "the device " + link.string() + " disappeared")) << run;
    std::filesystem::resize_file(log, 0);
    // It starts again with a new pty behind the same link (renamed into place at once). Its
    // master reads fail until the emulator has the slave open, as with a real simulator.
    pty = std::make_unique<SimulatorPty>();
    std::filesystem::create_symlink(pty->slave_path, temp.path() / "uart.new");
    std::filesystem::rename(temp.path() / "uart.new", link);
    ASSERT_TRUE(wait_for_text(log, "the device is back")) << run;
  }
}

/// Connects the emulator to `listener` and plays a simulator that restarts twice, each time
/// finding the module booted again (--power-cycle-on-attach). `restart` replaces the listener,
/// so it is reached through its owner each time.
void restart_twice(const std::unique_ptr<SimulatorListener>& listener, const std::string& connect,
                   const std::function<void()>& restart) {
  TempDir temp;
  const auto log = temp.path() / "emulator.log";
  EmulatorProcess emulator{
      temp.path() / "state",
      {"--connect", connect, "--power-cycle-on-attach", "--log-file", log.string()}};
  EXPECT_EQ(emulator.pty_path(), "connect:" + connect);
  for (int run = 1; run <= 3; ++run) {
    const int connection = listener->accept();
    ASSERT_GE(connection, 0) << "run " << run << ": the emulator did not connect";
    boot_and_change(std::make_unique<FdHost>(connection));
    if (run == 3) break;
    ASSERT_TRUE(wait_for_text(log, "the connection was closed by the simulator")) << run;
    std::filesystem::resize_file(log, 0);
    restart();
  }
}

TEST(ConnectTest, MbedSocketSequenceOverTcp) {
  TempDir temp;
  SimulatorListener listener;
  const std::string connect = "127.0.0.1:" + std::to_string(listener.port());
  EmulatorProcess emulator{temp.path() / "state", {"--connect", connect}};
  FdHost simulator{listener.accept()};
  ASSERT_GE(simulator.fd(), 0);
  simulator.read_until(factory_start_text());
  mbed_socket_sequence(simulator);
}

TEST(ConnectTest, MbedSocketSequenceOverAUnixSocketThatComesLater) {
  TempDir temp;
  const auto socket_path = temp.path() / "uart.sock";
  // The emulator starts first, with the trace and its options from the environment.
  const auto trace = temp.path() / "trace.txt";
  ::setenv("SPWF04EMU_ARGS", ("--connect unix:" + socket_path.string()).c_str(), 1);
  EmulatorProcess emulator{temp.path() / "state", {"--trace", trace.string()}};
  ::unsetenv("SPWF04EMU_ARGS");
  EXPECT_EQ(emulator.pty_path(), "connect:unix:" + socket_path.string());
  SimulatorListener listener{socket_path};
  FdHost simulator{listener.accept()};
  ASSERT_GE(simulator.fd(), 0);
  simulator.read_until(factory_start_text());
  mbed_socket_sequence(simulator);
  EXPECT_TRUE(wait_for_text(trace, "--connect unix:" + socket_path.string() + ": connected"));
  EXPECT_TRUE(wait_for_text(trace, "AT+S.SOCKC=0"));
}

TEST(ConnectTest, ATcpSimulatorThatRestartsIsConnectedAgainAndSeesTheBoot) {
  auto listener = std::make_unique<SimulatorListener>();
  const std::uint16_t port = listener->port();
  restart_twice(listener, "127.0.0.1:" + std::to_string(port), [&] {
    listener.reset();  // the simulator exits: its port refuses for a while
    listener = std::make_unique<SimulatorListener>(port);
  });
}

TEST(ConnectTest, AUnixSocketSimulatorThatRestartsIsConnectedAgainAndSeesTheBoot) {
  TempDir temp;
  const auto socket_path = temp.path() / "uart.sock";
  auto listener = std::make_unique<SimulatorListener>(socket_path);
  restart_twice(listener, "unix:" + socket_path.string(), [&] {
    listener.reset();
    listener = std::make_unique<SimulatorListener>(socket_path);
  });
}

/// Starts the emulator with `arguments`, expects exit 2, and returns its stderr.
std::string refused_start(const std::vector<std::string>& arguments) {
  TempDir temp;
  EmulatorProcess emulator{temp.path() / "state", arguments, false};
  EXPECT_EQ(emulator.wait_exit(), 2);
  return emulator.stderr_text();
}

TEST(SimulatorOptionsTest, StartUpProblemsExitTwoInWords) {
  EXPECT_EQ(refused_start({"--attach", "/nonexistent-spwf-tty"}),
            "spwf04emu: error: --attach /nonexistent-spwf-tty: cannot open "
            "/nonexistent-spwf-tty: No such file or directory\n");
  EXPECT_EQ(refused_start({"--attach", "/dev/null"}),
            "spwf04emu: error: --attach /dev/null: /dev/null is not a terminal or serial device\n");
  EXPECT_EQ(refused_start({"--connect", "localhost"}),
            "spwf04emu: error: --connect localhost: expected HOST:PORT (e.g. 127.0.0.1:4321 or "
            "[::1]:4321) or unix:PATH\n");
  EXPECT_EQ(refused_start({"--connect", "unix:"}).find("--connect unix:: expected"), 18u);
  EXPECT_EQ(refused_start({"--connect", "127.0.0.1:1", "--listen", ":0"}),
            "spwf04emu: error: --stdio, --listen, --attach and --connect exclude each other: "
            "choose one console\n");
  EXPECT_EQ(refused_start({"--attach", "/dev/null", "--pty-link", "x"}),
            "spwf04emu: error: --pty-link names the emulator's own pty; it has no meaning with "
            "--attach\n");
}

}  // namespace
}  // namespace spwf::testing
