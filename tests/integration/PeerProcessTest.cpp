// PeerProcess, the harness's one way to run a peer program: a readiness line or a port read with
// a deadline, the exit code and output of a short-lived client, and no child left behind, neither
// by the destructor nor by a constructor that fails on an unexpected first line.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "tests/integration/PeerProcess.hpp"

namespace spwf::testing {
namespace {

using namespace std::chrono_literals;

/// True while `pid` is a child of this process that has not been reaped.
bool unreaped(pid_t pid) {
  return ::waitpid(pid, nullptr, WNOHANG) == 0;
}

TEST(PeerProcessTest, ReadsAnAnnouncedPortAndReapsTheProcessWhenDestroyed) {
  pid_t pid = -1;
  {
    PeerProcess peer{{"sh", "-c", "echo port 4242; echo ready; exec sleep 30"}};
    pid = peer.pid();
    EXPECT_EQ(peer.read_port("port ", 5s), 4242);
    EXPECT_EQ(peer.read_line(5s), "ready");
    EXPECT_TRUE(unreaped(pid));
  }
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);  // reaped: no such child any more
  EXPECT_EQ(errno, ECHILD);
}

TEST(PeerProcessTest, AnotherFirstLineThrowsWithTheOutput) {
  auto peer = std::make_unique<PeerProcess>(
      std::vector<std::string>{"sh", "-c", "echo oops >&2; echo not a port; exec sleep 30"},
      PeerProcess::Output::stdout_and_stderr);
  try {
    peer->read_port("port ", 5s);
    FAIL() << "no exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("not a port"), std::string::npos) << error.what();
  }
  const pid_t pid = peer->pid();
  peer.reset();
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
}

TEST(PeerProcessTest, WaitExitGivesTheCodeAndTheWholeOutput) {
  PeerProcess client{{"sh", "-c", "printf 'a\\nb'; exit 3"}};
  EXPECT_EQ(client.wait_exit(5s), 3);
  EXPECT_EQ(client.output(), "a\nb");
  EXPECT_EQ(client.wait_exit(5s), -1);  // already reaped
}

TEST(PeerProcessTest, AProcessStillRunningAtTheDeadlineIsKilled) {
  PeerProcess stuck{{"sleep", "30"}};
  const pid_t pid = stuck.pid();
  EXPECT_EQ(stuck.wait_exit(100ms), -1);
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
}

TEST(PeerProcessTest, AMissingProgramThrows) {
  EXPECT_THROW(PeerProcess({"/nonexistent/peer"}), std::runtime_error);
}

}  // namespace
}  // namespace spwf::testing
