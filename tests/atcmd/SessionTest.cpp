// Tests of atcmd/Session.hpp over the in-memory transport: boot text, line framing and echo
// (spec §2.2, §2.3), the line editor, final lines (§2.6) and the command table. Every test runs
// three times: host bytes delivered one at a time, in 8-byte pieces, and all at once, so the
// framing is shown not to depend on how the bytes arrive (the fixture: SessionFixture.hpp).

#include <gtest/gtest.h>

#include "tests/atcmd/SessionFixture.hpp"

namespace spwf::atcmd::session_test {
namespace {

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
}  // namespace spwf::atcmd::session_test
