// Commands with a payload after the CR, whatever length they announce (spec §2.5, issue 10):
//   AT+S.CMDREQ=300000\r<300000 bytes>          -> AT-S.ERROR:7:Invalid argument(s), then AT works
//   AT+S.BYPASS=1099511627776\r<bytes…>         -> consumed as they come, never allocated
//   AT+S.SOCKW=0,18446744073709551615\r<bytes…> -> streamed to the peer as they come
//   AT+S.SOCKW=0,300000\r<300000 bytes>         -> AT-S.OK, the peer has every byte
//   a peer that stops reading                   -> AT-S.ERROR:79:Write failed after 10 s, AT works

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <random>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {

/// Collects what a TCP peer receives and lets the test wait for an amount, without polling.
class Collector {
 public:
  TcpPeer::Handler handler() {
    return [this](int fd) {
      char buffer[65536];
      for (;;) {
        const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
        if (count <= 0) break;
        std::lock_guard lock{m_mutex};
        m_bytes.append(buffer, static_cast<std::size_t>(count));
        m_changed.notify_all();
      }
    };
  }
  /// Waits until at least `count` bytes have arrived; returns what has arrived by then.
  std::string wait_for(std::size_t count, std::chrono::milliseconds deadline = 10s) {
    std::unique_lock lock{m_mutex};
    m_changed.wait_for(lock, deadline, [&] { return m_bytes.size() >= count; });
    return m_bytes;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::string m_bytes;
};

class PayloadTest : public ConsoleFixture {
 protected:
  bool alive() const { return ::kill(m_emulator->pid(), 0) == 0; }
  long memory_kb() const { return resident_kb(m_emulator->pid()); }
};

// Before the fix these lengths were allocated up front: the process died of bad_alloc (or
// length_error) and exited as if stopped cleanly.
TEST_F(PayloadTest, ProductionCommandsConsumeAnyLengthInBoundedMemory) {
  start();
  host().send("AT+S.CMDREQ=300000\r" + random_bytes(300000, 1));
  EXPECT_EQ(host().read_until("\r\n", 10s), "AT-S.ERROR:7:Invalid argument(s)\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");

  const long before = memory_kb();
  host().send("AT+S.BYPASS=1099511627776\r");
  const std::string junk = random_bytes(1 << 20, 2);
  for (int round = 0; round < 8; ++round) host().send(junk);
  // The 8 MiB went through the pty, so the emulator has taken most of it; it is still there and
  // has not kept it.
  EXPECT_TRUE(alive());
  if (resident_memory_is_meaningful) {
    EXPECT_LT(memory_kb() - before, 4 * 1024) << "resident memory grew with the payload";
  }
  host().send("AT+S.CMDREQ=99999999999999999999\r");  // part of the BYPASS payload: no answer
  EXPECT_TRUE(alive());
}

TEST_F(PayloadTest, AnEndlessSocketWriteIsStreamedToThePeer) {
  Collector collector;
  TcpPeer peer{collector.handler()};
  start();
  ASSERT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  const long before = memory_kb();
  host().send("AT+S.SOCKW=0,18446744073709551615\r");
  const std::string data = random_bytes(4 << 20, 3);
  host().send(data);
  // Handed over in pieces of one UDP datagram at most (65507 bytes): all but the last piece.
  const std::size_t expected = data.size() - data.size() % 65507;
  const std::string received = collector.wait_for(expected);
  ASSERT_GE(received.size(), expected);
  EXPECT_TRUE(received == data.substr(0, received.size()));
  EXPECT_TRUE(alive());
  if (resident_memory_is_meaningful) {
    EXPECT_LT(memory_kb() - before, 4 * 1024) << "resident memory grew with the payload";
  }
}

TEST_F(PayloadTest, ALongSocketWriteArrivesWhole) {
  Collector collector;
  TcpPeer peer{collector.handler()};
  start();
  ASSERT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  const std::string data = random_bytes(300000, 4);
  host().send("AT+S.SOCKW=0,300000\r" + data);
  EXPECT_EQ(host().read_until("\r\n", 10s), "AT-S.OK\r\n");
  EXPECT_TRUE(collector.wait_for(data.size()) == data);
}

// A peer that accepts and then never reads: once its window and the module's queue are full,
// the write fails after the send timeout instead of blocking the console for ever.
TEST_F(PayloadTest, APeerThatStopsReadingFailsTheWriteAndTheConsoleLives) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  TcpPeer peer{[released](int) { released.wait(); }};
  // Lets the peer's handler end before the peer is destroyed, however the test ends.
  struct Release {
    std::promise<void>& promise;
    ~Release() { promise.set_value(); }
  } release_at_end{release};
  start();
  ASSERT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  const std::string piece = random_bytes(65536, 5);
  std::string answer;
  for (int round = 0; round < 400 && answer.find("ERROR") == std::string::npos; ++round) {
    host().send("AT+S.SOCKW=0,65536\r" + piece);
    answer = host().read_until("\r\n", 20s);
    if (answer != "AT-S.OK\r\n") break;
  }
  EXPECT_EQ(answer, "AT-S.ERROR:79:Write failed\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");
}

// Every payload command with its payload in two writes: the announced length, part of the bytes,
// then the rest (as a host whose UART driver sends in pieces):
//   AT+S.SOCKW=0,10\r01234 … 56789       -> AT-S.OK, the peer gets all ten bytes
//   AT+S.FSC=/split.txt,10\r01234 … 56789 -> AT-S.OK, FSP prints the ten bytes
//   AT+S.TLSCERT=auth,10\r… / CMDREQ / BYPASS likewise, each with its own answer
TEST_F(PayloadTest, EveryPayloadCommandTakesItsPayloadInPieces) {
  Collector collector;
  TcpPeer peer{collector.handler()};
  start();
  ASSERT_EQ(host().command("AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",,t"),
            "AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  const auto split = [&](const std::string& command, const std::string& answer) {
    host().send(command + "\r01234");
    host().send("56789");
    EXPECT_EQ(host().read_until("\r\n"), answer) << command;
    EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n") << command;
  };
  split("AT+S.SOCKW=0,10", "AT-S.OK\r\n");
  EXPECT_EQ(collector.wait_for(10), "0123456789");
  split("AT+S.FSC=/split.txt,10", "AT-S.OK\r\n");
  host().send("AT+S.FSP=/split.txt,,\r");
  EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "0123456789AT-S.OK\r\n");
  split("AT+S.TLSCERT=auth,10", "AT-S.OK\r\n");
  split("AT+S.CMDREQ=10", "AT-S.ERROR:7:Invalid argument(s)\r\n");
  split("AT+S.BYPASS=10", "AT-S.ERROR:7:Invalid argument(s)\r\n");
}

}  // namespace
}  // namespace spwf::testing
