// Tests of atcmd/Session.hpp over the in-memory transport: +WIND formatting, masking and
// holding (spec §2.7, §2.8), and payload after the CR (§2.5, Session::read_payload), tested
// through AT+S.SOCKW, the first payload command with a handler, writing to a real TCP peer on
// 127.0.0.1:0. Instantiated with SessionTest.cpp's piece sizes (1, 8, all at once).

#include <gtest/gtest.h>

#include "tests/atcmd/SessionFixture.hpp"

namespace spwf::atcmd::session_test {
namespace {

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

}  // namespace
}  // namespace spwf::atcmd::session_test
