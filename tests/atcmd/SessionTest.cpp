// Tests of atcmd/Session.hpp over the in-memory transport: boot text, line framing and echo
// (spec §2.2, §2.3), final lines (§2.6), +WIND formatting, masking and holding (§2.7, §2.8).
// Every test runs three times: host bytes delivered one at a time, in 8-byte pieces, and all at
// once, so the framing is shown not to depend on how the bytes arrive.
//
// TODO: payload after the CR (§2.5, Session::read_payload) is not tested here yet: no command of
// the table (SOCKW, SOCKDW, TLSCERT, FSC, ...) has a handler so far. Add the tests with the first
// payload command, e.g. "AT+S.SOCKW=0,5\rhello" in 1/8/unlimited pieces.

#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/Wire.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "tests/atcmd/MemoryTransport.hpp"

namespace spwf::atcmd {
namespace {

namespace asio = boost::asio;
using testing::MemoryTransport;
using Clock = std::chrono::steady_clock;

/// The boot indications of a factory module with the radio on (spec §2.9).
constexpr std::string_view factory_boot =
    "+WIND:1:Poweron:171117-0328fe3-SPWF04S\r\n"
    "+WIND:13:Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights Reserved:SPWF04SA\r\n"
    "+WIND:0:Console active\r\n"
    "+WIND:3:Watchdog Running:20\r\n"
    "+WIND:32:WiFi Hardware Started\r\n";

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

/// A booted module on a memory transport; the parameter is the transport's piece size.
class SessionTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  SessionTest()
      : m_flash(m_directory.path()),
        m_state(config::default_emulator_config(), m_flash),
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

  /// Waits for the boot indications and forgets them.
  void boot() {
    ASSERT_TRUE(run_until([this] { return m_transport.output().ends_with(factory_boot); }))
        << m_transport.output();
    settle();
    ASSERT_EQ(m_transport.take_output(), factory_boot);
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

  /// Sets a configuration variable through the console and checks the OK.
  void set_variable(std::string_view name, std::string_view value) {
    const std::string command = "AT+S.SCFG=" + std::string{name} + "," + std::string{value};
    ASSERT_EQ(
        exchange(command + "\r", "AT-S.OK\r\n"),
        (m_state.config().get_uint("console_echo") != 0 ? command + "\r\n" : "") + "AT-S.OK\r\n");
  }

  TemporaryDirectory m_directory;
  config::FlashStore m_flash;
  ModuleState m_state;
  asio::io_context m_io;
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
TEST_P(SessionTest, BootWritesTheFactoryIndications) {
  boot();
  settle();
  EXPECT_EQ(m_transport.output(), "");
  EXPECT_EQ(m_state.wifi_state(), 3u);
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

}  // namespace
}  // namespace spwf::atcmd
