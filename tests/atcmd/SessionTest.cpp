// Tests of atcmd/Session.hpp over the in-memory transport: boot text, line framing and echo
// (spec §2.2, §2.3), final lines (§2.6), +WIND formatting, masking and holding (§2.7, §2.8).
// Every test runs three times: host bytes delivered one at a time, in 8-byte pieces, and all at
// once, so the framing is shown not to depend on how the bytes arrive.
//
// Payload after the CR (§2.5, Session::read_payload) is tested through AT+S.SOCKW, the first
// payload command with a handler, writing to a real TCP peer on 127.0.0.1:0.

#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "atcmd/CommandTable.hpp"
#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/Wire.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "netstack/WifiLink.hpp"
#include "tests/atcmd/MemoryTransport.hpp"

namespace spwf::atcmd {
namespace {

namespace asio = boost::asio;
using testing::MemoryTransport;
using Clock = std::chrono::steady_clock;

/// The boot indications of a factory module with the radio on, and its join (spec §2.9).
constexpr std::string_view factory_boot =
    "+WIND:1:Poweron:171117-0328fe3-SPWF04S\r\n"
    "+WIND:13:Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights Reserved:SPWF04SA\r\n"
    "+WIND:0:Console active\r\n"
    "+WIND:3:Watchdog Running:20\r\n"
    "+WIND:32:WiFi Hardware Started\r\n"
    // The join of the default open network "STTest" follows (instant pacing).
    "+WIND:21:WiFi Scanning\r\n"
    "+WIND:35:WiFi Scan Complete:00\r\n"
    "+WIND:19:WiFi Join:00:11:22:33:44:55\r\n"
    "+WIND:25:WiFi Association successful:STTest\r\n"
    "+WIND:24:WiFi Up:0:192.168.1.100\r\n"
    "+WIND:24:WiFi Up::fe80:0:0:0:280:e1ff:febd:39\r\n";

/// A fresh temporary directory for the module's flash, removed with the object.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "spwf-session-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

/// A real TCP peer on 127.0.0.1:0: accepts one connection and collects what it receives.
class LoopbackPeer {
 public:
  explicit LoopbackPeer(asio::io_context& io) : m_shared(std::make_shared<Shared>(io)) {
    // The coroutine holds the shared part, so it may outlive this object safely.
    asio::co_spawn(io, serve(m_shared), [](std::exception_ptr failure) {
      if (failure) ADD_FAILURE() << "the loopback peer failed";
    });
  }
  ~LoopbackPeer() {
    boost::system::error_code ignored;
    m_shared->acceptor.close(ignored);
    m_shared->socket.close(ignored);
  }
  LoopbackPeer(const LoopbackPeer&) = delete;
  LoopbackPeer& operator=(const LoopbackPeer&) = delete;

  std::uint16_t port() const { return m_shared->acceptor.local_endpoint().port(); }
  /// Everything received so far.
  const std::string& received() const { return m_shared->received; }

 private:
  struct Shared {
    explicit Shared(asio::io_context& io)
        : acceptor(io, {asio::ip::address_v4::loopback(), 0}), socket(io) {}
    asio::ip::tcp::acceptor acceptor;
    asio::ip::tcp::socket socket;
    std::string received;
  };

  static asio::awaitable<void> serve(std::shared_ptr<Shared> shared) {
    const auto token = asio::as_tuple(asio::use_awaitable);
    auto [accept_error] = co_await shared->acceptor.async_accept(shared->socket, token);
    if (accept_error) co_return;
    std::array<char, 1024> buffer;
    for (;;) {
      auto [error, count] = co_await shared->socket.async_read_some(asio::buffer(buffer), token);
      if (error) co_return;
      shared->received.append(buffer.data(), count);
    }
  }

  std::shared_ptr<Shared> m_shared;
};

/// A booted module on a memory transport; the parameter is the transport's piece size.
class SessionTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  SessionTest()
      : m_flash(m_directory.path()),
        m_state(m_io.get_executor(), config::default_emulator_config(), m_flash,
                net::LinkPacing::instant),
        m_transport(m_io.get_executor(), GetParam()),
        m_session(m_io.get_executor(), m_transport, m_state, BootPacing::instant) {
    if (auto problem = m_state.power_on()) throw std::runtime_error(*problem);
  }

  void SetUp() override {
    asio::co_spawn(m_io, m_session.run(), [this](std::exception_ptr failure) {
      m_failure = failure;
      m_finished = true;
    });
  }

  void TearDown() override {
    // The host goes away: the session must end by itself, without an exception.
    m_transport.close();
    EXPECT_TRUE(run_until([this] { return m_finished; })) << "the session did not end";
    if (m_failure) {
      try {
        std::rethrow_exception(m_failure);
      } catch (const std::exception& error) {
        ADD_FAILURE() << "the session ended with an exception: " << error.what();
      }
    }
  }

  /// Runs the io_context until `done` holds or the deadline passes; returns whether it held.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    const auto until = Clock::now() + deadline;
    while (!done()) {
      if (Clock::now() >= until) return false;
      if (m_io.stopped()) m_io.restart();
      m_io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  /// Runs every handler that is ready, until the session waits for the host again.
  void settle() {
    if (m_io.stopped()) m_io.restart();
    while (m_io.poll() > 0) {
      if (m_io.stopped()) m_io.restart();
    }
  }

  /// Waits for the boot indications and the NTP delivery that follows the join (factory
  /// ip_ntp_startup=1; its fields are the host's time), and forgets them.
  void boot() {
    const auto complete = [this] {
      const std::string& output = m_transport.output();
      return output.size() > factory_boot.size() && output.starts_with(factory_boot) &&
             output.ends_with("\r\n");
    };
    ASSERT_TRUE(run_until(complete)) << m_transport.output();
    settle();
    const std::string output = m_transport.take_output();
    ASSERT_TRUE(output.starts_with(factory_boot)) << output;
    EXPECT_TRUE(std::regex_match(
        output.substr(factory_boot.size()),
        std::regex("\\+WIND:84:NTP Server "
                   "delivery:[0-9]+\\.[0-9]+\\.[0-9]+:[0-9]+:[0-9]+\\.[0-9]+\\.0\r\n")))
        << output;
  }

  /// Sends host bytes, waits until the module has written `ending`, then returns all the
  /// module wrote in reply (including anything after `ending` once the session is idle).
  std::string exchange(std::string_view host_bytes, std::string_view ending) {
    m_transport.push(host_bytes);
    const bool arrived = run_until([&] { return m_transport.output().ends_with(ending); });
    settle();
    EXPECT_TRUE(arrived) << "waited for \"" << ending << "\", got \"" << m_transport.output()
                         << "\"";
    return m_transport.take_output();
  }

  /// Sends host bytes that produce no final line and returns what the module wrote by the time
  /// it waits for the host again (echo only, or nothing).
  std::string send(std::string_view host_bytes) {
    m_transport.push(host_bytes);
    EXPECT_TRUE(run_until([this] { return m_transport.pending_input() == 0; }));
    settle();
    return m_transport.take_output();
  }

  /// Opens client socket 0 to `peer` with AT+S.SOCKON and checks the answer.
  void open_socket(const LoopbackPeer& peer) {
    const std::string command = "AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",NULL,t";
    ASSERT_EQ(exchange(command + "\r", "AT-S.OK\r\n"),
              command + "\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  }

  /// Sets a configuration variable through the console and checks the OK.
  void set_variable(std::string_view name, std::string_view value) {
    const std::string command = "AT+S.SCFG=" + std::string{name} + "," + std::string{value};
    ASSERT_EQ(
        exchange(command + "\r", "AT-S.OK\r\n"),
        (m_state.config().get_uint("console_echo") != 0 ? command + "\r\n" : "") + "AT-S.OK\r\n");
  }

  TemporaryDirectory m_directory;
  config::FlashStore m_flash;
  asio::io_context m_io;  // before every I/O object, which must not outlive it
  ModuleState m_state;
  MemoryTransport m_transport;
  Session m_session;
  bool m_finished = false;
  std::exception_ptr m_failure;
};

std::string piece_name(const ::testing::TestParamInfo<std::size_t>& info) {
  if (info.param == MemoryTransport::unlimited) return "unlimited";
  return "pieces_of_" + std::to_string(info.param);
}

INSTANTIATE_TEST_SUITE_P(Fragmentation, SessionTest,
                         ::testing::Values(std::size_t{1}, std::size_t{8},
                                           MemoryTransport::unlimited),
                         piece_name);

// (power on)
// <- +WIND:1:Poweron:171117-0328fe3-SPWF04S
// <- +WIND:13:Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights Reserved:SPWF04SA
// <- +WIND:0:Console active
// <- +WIND:3:Watchdog Running:20
// <- +WIND:32:WiFi Hardware Started
// <- +WIND:21:WiFi Scanning … +WIND:24:WiFi Up::fe80:0:0:0:280:e1ff:febd:39   (join of STTest)
TEST_P(SessionTest, BootWritesTheFactoryIndications) {
  boot();
  settle();
  EXPECT_EQ(m_transport.output(), "");
  EXPECT_EQ(m_state.wifi_state(), 10u);
}

// -> AT<CR>
// <- AT<CR><LF>            (echo; the CR comes back as CR LF)
// <- AT-S.OK<CR><LF>
TEST_P(SessionTest, AtWithCrIsEchoedAndAnsweredOk) {
  boot();
  EXPECT_EQ(exchange("AT\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
  // Lower case works too, and a second command after the first.
  EXPECT_EQ(exchange("at\r", "AT-S.OK\r\n"), "at\r\nAT-S.OK\r\n");
}

// -> AT<CR><LF>
// <- AT<CR><LF> AT-S.OK<CR><LF> <LF>   (the LF is read after the command ran, at pos 0, and
//                                       echoed there)
TEST_P(SessionTest, AtWithCrLfEchoesTheLfAfterTheFinalLine) {
  boot();
  EXPECT_EQ(exchange("AT\r\n", "AT-S.OK\r\n\n"), "AT\r\nAT-S.OK\r\n\n");
}

// -> AT<LF><CR>
// <- AT<CR><LF> AT-S.OK<CR><LF>        (an LF inside a line is neither stored nor echoed)
TEST_P(SessionTest, AtWithLfCrExecutesOnce) {
  boot();
  EXPECT_EQ(exchange("AT\n\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
}

// -> AT<LF>
// <- AT                                (nothing runs: only a CR ends a line)
// -> <CR>
// <- <CR><LF> AT-S.OK<CR><LF>
TEST_P(SessionTest, LfAloneNeverEndsALine) {
  boot();
  EXPECT_EQ(send("AT\n"), "AT");
  EXPECT_EQ(exchange("\r", "AT-S.OK\r\n"), "\r\nAT-S.OK\r\n");
}

// -> <LF>AT<CR>
// <- <LF> AT<CR><LF> AT-S.OK<CR><LF>   (an LF at pos 0 is discarded but echoed)
TEST_P(SessionTest, StrayLfBeforeACommandIsHarmless) {
  boot();
  EXPECT_EQ(exchange("\n\nAT\r", "AT-S.OK\r\n"), "\n\nAT\r\nAT-S.OK\r\n");
}

// -> XAT<CR>
// <- XAT<CR><LF>                       (the A falls at pos 1: the line is dropped silently)
// -> AT<CR>
// <- AT<CR><LF> AT-S.OK<CR><LF>
TEST_P(SessionTest, StrayByteBeforeACommandDropsTheLineSilently) {
  boot();
  EXPECT_EQ(send("XAT\r"), "XAT\r\n");
  EXPECT_EQ(exchange("AT\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
}

// -> ATX<BS>I<CR>
// <- ATX<BS> <BS>I<CR><LF>
// <- AT-S.ERROR:1:Command not found<CR><LF>        (ATI does not exist)
// -> AT+<BS><CR>
// <- AT+<BS> <BS><CR><LF> AT-S.OK<CR><LF>           (the line is "AT")
TEST_P(SessionTest, BackspaceDeletesTheLastCharacter) {
  boot();
  EXPECT_EQ(exchange("ATX\bI\r", "found\r\n"), "ATX\b \bI\r\nAT-S.ERROR:1:Command not found\r\n");
  EXPECT_EQ(exchange("AT+\b\r", "AT-S.OK\r\n"), "AT+\b \b\r\nAT-S.OK\r\n");
}

// -> AT+S.STS=xxxx…x (512 characters, no CR)
// <- the 512 characters echoed, nothing else  (the 512th discards the line silently)
// -> <CR><LF>AT<CR>
// <- <CR><LF> <LF>                    (CR stored at pos 0, LF at pos 1 resets: dropped)
// <- AT<CR><LF> AT-S.OK<CR><LF>
TEST_P(SessionTest, OverlongLineIsDroppedSilentlyAndTheNextCommandWorks) {
  boot();
  std::string line = "AT+S.STS=";
  line.resize(512, 'x');
  EXPECT_EQ(send(line), line);
  EXPECT_EQ(exchange("\r\nAT\r", "AT-S.OK\r\n"), "\r\n\nAT\r\nAT-S.OK\r\n");
  if (GetParam() != MemoryTransport::unlimited) {
    EXPECT_GE(m_transport.deliveries(), (line.size() + 5) / GetParam());
  }
}

// -> AT+S.FOOxxx…x<CR> (511 characters before the CR)
// <- the line echoed, <CR><LF>, AT-S.ERROR:1:Command not found<CR><LF>  (it still executes)
TEST_P(SessionTest, LineOf511CharactersStillExecutes) {
  boot();
  std::string line = "AT+S.FOO";
  line.resize(511, 'x');
  EXPECT_EQ(exchange(line + "\r", "found\r\n"), line + "\r\nAT-S.ERROR:1:Command not found\r\n");
}

// -> AT                               (half typed)
//    (the module raises WIND 55)      nothing is written
// -> <CR>
// <- <CR><LF> AT-S.OK<CR><LF>
// <- +WIND:55:Pending Data::0:120:120<CR><LF>   (after the final line)
TEST_P(SessionTest, WindRaisedWhileALineIsTypedFollowsTheFinalLine) {
  boot();
  EXPECT_EQ(send("AT"), "AT");
  m_session.indicate(Wind::pending_data, ":0:120:120");
  m_session.indicate(Wind::socket_closed, "1:0");
  settle();
  EXPECT_EQ(m_transport.output(), "");
  EXPECT_EQ(exchange("\r", "Socket Closed:1:0\r\n"),
            "\r\nAT-S.OK\r\n"
            "+WIND:55:Pending Data::0:120:120\r\n"
            "+WIND:58:Socket Closed:1:0\r\n");
}

// A host that sends ahead (echo off):
// -> AT<CR> x 3000                  (one push)
// <- AT-S.OK<CR><LF> x 3000         in order; no single write holds more than about 4 KiB
TEST_P(SessionTest, CommandsSentAheadAreAnsweredInOrderWithoutHoldingMuch) {
  boot();
  set_variable("console_echo", "0");
  std::string commands;
  std::string answers;
  for (int index = 0; index < 3000; ++index) {
    commands += "AT\r";
    answers += "AT-S.OK\r\n";
  }
  EXPECT_EQ(exchange(commands, answers), answers);
  EXPECT_LE(m_transport.largest_write(), 4096u + 9u);
}

// (idle: no line open)
//    (the module raises WIND 58)
// <- +WIND:58:Socket Closed:0:0<CR><LF>        (written at once)
TEST_P(SessionTest, WindRaisedOutsideACommandIsWrittenAtOnce) {
  boot();
  EXPECT_EQ(exchange("AT\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
  m_session.indicate(Wind::socket_closed, "0:0");
  EXPECT_EQ(m_transport.take_output(), "+WIND:58:Socket Closed:0:0\r\n");
  // And the session still works afterwards.
  EXPECT_EQ(exchange("AT\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
}

// -> A                                (a line starts)
//    (the module raises WIND 58)      held
// -> X                                (pos 1 is not T: the line is dropped)
// <- AX +WIND:58:Socket Closed:0:0<CR><LF>     (released with the discard)
TEST_P(SessionTest, WindHeldByADroppedLineIsReleasedWithTheDrop) {
  boot();
  EXPECT_EQ(send("A"), "A");
  m_session.indicate(Wind::socket_closed, "0:0");
  EXPECT_EQ(m_transport.output(), "");
  EXPECT_EQ(send("X"), "X+WIND:58:Socket Closed:0:0\r\n");
}

// -> AT+S.SCFG=console_wind_off_medium,0x00800000<CR>   (bit 23: WIND 55)
// <- AT+S.SCFG=console_wind_off_medium,0x00800000<CR><LF> AT-S.OK<CR><LF>
//    (WIND 55 raised)                 dropped, never written
//    (WIND 58 raised)
// <- +WIND:58:Socket Closed:0:0<CR><LF>
// -> AT  (WIND 55 raised)  <CR>
// <- AT<CR><LF> AT-S.OK<CR><LF>       (a masked WIND is not queued either)
TEST_P(SessionTest, MaskedWindsAreDropped) {
  boot();
  set_variable("console_wind_off_medium", "0x00800000");
  m_session.indicate(Wind::pending_data, ":0:120:120");
  settle();
  EXPECT_EQ(m_transport.take_output(), "");
  m_session.indicate(Wind::socket_closed, "0:0");
  EXPECT_EQ(m_transport.take_output(), "+WIND:58:Socket Closed:0:0\r\n");

  EXPECT_EQ(send("AT"), "AT");
  m_session.indicate(Wind::pending_data, ":0:120:120");
  EXPECT_EQ(exchange("\r", "AT-S.OK\r\n"), "\r\nAT-S.OK\r\n");

  // The low and high masks cover WINDs 0-31 and 64-94 the same way.
  set_variable("console_wind_off_low", "0x00000001");   // WIND 0
  set_variable("console_wind_off_high", "0x00100000");  // WIND 84
  m_session.indicate(Wind::console_active);
  m_session.indicate(Wind::ntp_delivery, "2019:1:1");
  settle();
  EXPECT_EQ(m_transport.take_output(), "");
  m_session.indicate(Wind::watchdog_running, "20");  // WIND 3: not masked
  EXPECT_EQ(m_transport.take_output(), "+WIND:3:Watchdog Running:20\r\n");
}

// console_winds=2:  <- +WIND:55:Pending Data::0:120:120
// console_winds=1:  <- +WIND:55::0:120:120
// console_winds=0:  <- +WIND::0:120:120      and, without fields, +WIND
TEST_P(SessionTest, ConsoleWindsChoosesThePrefix) {
  boot();
  m_session.indicate(Wind::pending_data, ":0:120:120");
  EXPECT_EQ(m_transport.take_output(), "+WIND:55:Pending Data::0:120:120\r\n");

  set_variable("console_winds", "1");
  m_session.indicate(Wind::pending_data, ":0:120:120");
  EXPECT_EQ(m_transport.take_output(), "+WIND:55::0:120:120\r\n");
  m_session.indicate(Wind::console_active);
  EXPECT_EQ(m_transport.take_output(), "+WIND:0\r\n");

  set_variable("console_winds", "0");
  m_session.indicate(Wind::pending_data, ":0:120:120");
  EXPECT_EQ(m_transport.take_output(), "+WIND::0:120:120\r\n");
  m_session.indicate(Wind::console_active);
  EXPECT_EQ(m_transport.take_output(), "+WIND\r\n");
}

// -> AT+S.SCFG=console_echo,0<CR>
// <- AT+S.SCFG=console_echo,0<CR><LF> AT-S.OK<CR><LF>   (echoed: it was still on)
// -> AT<CR>
// <- AT-S.OK<CR><LF>                  (no echo)
TEST_P(SessionTest, EchoOffWritesOnlyTheResponse) {
  boot();
  EXPECT_EQ(exchange("AT+S.SCFG=console_echo,0\r", "AT-S.OK\r\n"),
            "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  EXPECT_EQ(exchange("AT\r\n", "AT-S.OK\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(exchange("AT+S.FOO\r", "found\r\n"), "AT-S.ERROR:1:Command not found\r\n");
}

// -> !                                (nothing run yet: echoed only)
// <- !
// -> AT<CR>
// <- AT<CR><LF> AT-S.OK<CR><LF>
// -> !                                (re-runs "AT" at once, no CR needed)
// <- ! AT-S.OK<CR><LF>
TEST_P(SessionTest, RepeaterReRunsThePreviousLine) {
  boot();
  EXPECT_EQ(send("!"), "!");
  EXPECT_EQ(exchange("AT\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
  EXPECT_EQ(exchange("!", "AT-S.OK\r\n"), "!AT-S.OK\r\n");
}

// -> AT+S.SCFG=console_errs,1<CR>     then AT+S.FOO<CR>
// <- … AT-S.ERROR:1<CR><LF>
// -> AT+S.SCFG=console_errs,0<CR>     then AT+S.FOO<CR>
// <- … AT-S.ERROR<CR><LF>
TEST_P(SessionTest, ConsoleErrsShapesTheErrorLine) {
  boot();
  set_variable("console_errs", "1");
  EXPECT_EQ(exchange("AT+S.FOO\r", "AT-S.ERROR:1\r\n"), "AT+S.FOO\r\nAT-S.ERROR:1\r\n");
  set_variable("console_errs", "0");
  EXPECT_EQ(exchange("AT+S.FOO\r", "ERROR\r\n"), "AT+S.FOO\r\nAT-S.ERROR\r\n");
}

// -> AT+S.SOCKON=127.0.0.1,<port>,NULL,t<CR>
// <- AT+S.SOCKON=127.0.0.1,<port>,NULL,t<CR><LF> AT-S.On:127.0.0.1:0<CR><LF> AT-S.OK<CR><LF>
// -> AT+S.SOCKW=0,10<CR>AT<CR><LF>x<BS>!A<CR>T     (10 payload bytes: raw, not echoed, not edited)
// <- AT+S.SOCKW=0,10<CR><LF> AT-S.OK<CR><LF>
//    (the peer receives exactly the 10 bytes)
TEST_P(SessionTest, PayloadAfterTheCrIsReadRawAndNotEchoed) {
  boot();
  LoopbackPeer peer{m_io};
  open_socket(peer);
  const std::string payload = "AT\r\nx\b!A\rT";
  ASSERT_EQ(payload.size(), 10u);
  EXPECT_EQ(exchange("AT+S.SOCKW=0,10\r" + payload, "AT-S.OK\r\n"),
            "AT+S.SOCKW=0,10\r\nAT-S.OK\r\n");
  EXPECT_TRUE(run_until([&] { return peer.received().size() >= payload.size(); }));
  EXPECT_EQ(peer.received(), payload);
}

// -> AT+S.SOCKW=0,5<CR>helloAT<CR>             (one burst: payload, then the next command)
// <- AT+S.SOCKW=0,5<CR><LF> AT-S.OK<CR><LF> AT<CR><LF> AT-S.OK<CR><LF>
TEST_P(SessionTest, CommandAfterThePayloadIsFramedNormally) {
  boot();
  LoopbackPeer peer{m_io};
  open_socket(peer);
  EXPECT_EQ(exchange("AT+S.SOCKW=0,5\rhelloAT\r", "AT-S.OK\r\nAT\r\nAT-S.OK\r\n"),
            "AT+S.SOCKW=0,5\r\nAT-S.OK\r\nAT\r\nAT-S.OK\r\n");
  EXPECT_TRUE(run_until([&] { return peer.received() == "hello"; })) << peer.received();
}

// -> AT+S.SOCKW=0,5<CR>hel                     (the module waits for the rest of the payload)
// <- AT+S.SOCKW=0,5<CR><LF>
//    (WIND 55 raised)                           held: the command is still running
// -> lo
// <- AT-S.OK<CR><LF> +WIND:55:Pending Data::1:10:10<CR><LF>
TEST_P(SessionTest, WindRaisedWhileAPayloadIsReadFollowsTheFinalLine) {
  boot();
  LoopbackPeer peer{m_io};
  open_socket(peer);
  EXPECT_EQ(send("AT+S.SOCKW=0,5\rhel"), "AT+S.SOCKW=0,5\r\n");
  m_session.indicate(Wind::pending_data, ":1:10:10");
  settle();
  EXPECT_EQ(m_transport.output(), "");
  EXPECT_EQ(exchange("lo", "Pending Data::1:10:10\r\n"),
            "AT-S.OK\r\n+WIND:55:Pending Data::1:10:10\r\n");
  EXPECT_TRUE(run_until([&] { return peer.received() == "hello"; })) << peer.received();
}

// -> AT+S.SOCKW=3,4<CR>abcd                    (socket 3 is not open)
// <- AT+S.SOCKW=3,4<CR><LF> AT-S.ERROR:76:Illegal Socket ID<CR><LF>
// <- abcd            (the error comes before the payload is read, so the line editor sees
//                     the bytes: echoed, and dropped since they do not start with AT)
// -> AT<CR>
// <- AT<CR><LF> AT-S.OK<CR><LF>
TEST_P(SessionTest, PayloadOfACommandThatFailsEarlyGoesToTheLineEditor) {
  boot();
  EXPECT_EQ(exchange("AT+S.SOCKW=3,4\rabcd", "ID\r\nabcd"),
            "AT+S.SOCKW=3,4\r\nAT-S.ERROR:76:Illegal Socket ID\r\nabcd");
  EXPECT_EQ(exchange("AT\r", "AT-S.OK\r\n"), "AT\r\nAT-S.OK\r\n");
}

// -> AT+S.SOCKW=0,5<CR>he                      (then the host goes away for good)
//    no AT-S.OK; the session ends without an exception (checked in TearDown); the peer gets
//    nothing
TEST_P(SessionTest, TransportEndingDuringAPayloadEndsTheSession) {
  boot();
  LoopbackPeer peer{m_io};
  open_socket(peer);
  EXPECT_EQ(send("AT+S.SOCKW=0,5\rhe"), "AT+S.SOCKW=0,5\r\n");
  m_transport.close();
  EXPECT_TRUE(run_until([this] { return m_finished; }));
  // No OK: the payload never came. (The handler's "AT-S.ERROR:79:Write failed" goes to the ended
  // transport, where nobody reads it.)
  EXPECT_EQ(m_transport.output().find("AT-S.OK"), std::string::npos) << m_transport.output();
  EXPECT_EQ(peer.received(), "");
}

// Every command of FW 1.1.0's table (spec §3.1) runs a handler and every listed one is in
// AT+S.HELP; a name outside the table answers the module's error:
// -> AT+S.NOSUCHCOMMAND=1,2
// <- AT-S.ERROR:1:Command not found
TEST_P(SessionTest, EveryCommandHasAHandlerAndAnUnknownOneIsNotFound) {
  boot();
  set_variable("console_echo", "0");
  const std::string help = exchange("AT+S.HELP\r", "AT-S.OK\r\n");
  for (const CommandSpec& command : command_table()) {
    EXPECT_NE(command.handler, nullptr) << command.name;
    if (command.listing != Listing::listed) continue;
    const std::string name{command.name};
    EXPECT_NE(help.find("AT-S.Command:" + name + std::string{command.syntax}), std::string::npos)
        << name;
  }
  EXPECT_EQ(exchange("AT+S.NOSUCHCOMMAND=1,2\r", "\r\n"), "AT-S.ERROR:1:Command not found\r\n");
}

}  // namespace
}  // namespace spwf::atcmd
