// The console's byte-wise line editor, following the table of spec §2.2, the echo rules of
// §2.3 and the adopted answers of §9 Q1 (pos-0 bytes are stored, a CR there echoes "\r\n"),
// Q2 (the 512th stored character discards the line) and Q3 (an LF after the CR is an ordinary
// pos-0 byte, echoed when it is read).

#include "atcmd/LineReader.hpp"

namespace spwf::atcmd {

namespace {

constexpr char carriage_return = '\r';
constexpr char line_feed = '\n';
constexpr char backspace = '\b';

LineStep make_step(LineAction action, std::string_view echo) {
  LineStep step;
  step.action = action;
  step.echo_length = echo.copy(step.echo_bytes.data(), step.echo_bytes.size());
  return step;
}

// Echo of a byte that is echoed "as received": the console turns a CR into CR LF (§2.3) and
// sends every other byte unchanged, NUL and bytes >= 0x80 included.
LineStep echo_as_received(LineAction action, char byte) {
  if (byte == carriage_return) return make_step(action, "\r\n");
  return make_step(action, std::string_view(&byte, 1));
}

bool is_letter(char byte, char lower) {
  return byte == lower || byte == lower - ('a' - 'A');
}

}  // namespace

LineStep LineReader::feed(char byte, char repeater) {
  m_completed.clear();

  if (m_length == 0) {
    // The repeater is looked at first, so even a repeater set to 'A' or LF re-runs.
    if (byte == repeater) {
      // Before any command has run there is nothing to repeat (§2.2 ≈): echo only.
      if (m_previous.empty()) return echo_as_received(LineAction::none, byte);
      m_completed = m_previous;
      return echo_as_received(LineAction::repeat, byte);
    }
    if (byte == line_feed) return make_step(LineAction::none, "\n");
    // 'A'/'a' and every other byte (CR, NUL, binary included) are stored (§9 Q1): only the
    // second character is checked, so "xT..." reaches the parser.
    m_buffer[m_length++] = byte;
    return echo_as_received(LineAction::none, byte);
  }

  if (m_length == 1) {
    if (is_letter(byte, 't')) {
      m_buffer[m_length++] = byte;
      return echo_as_received(LineAction::none, byte);
    }
    // Not a command line: forget it, dropping this byte too, but still echo it (§2.3).
    m_length = 0;
    return echo_as_received(LineAction::none, byte);
  }

  switch (byte) {
    case carriage_return:
      m_completed.assign(m_buffer.data(), m_length);
      m_previous = m_completed;
      m_length = 0;
      return make_step(LineAction::execute, "\r\n");
    case line_feed:
      // Inside a line an LF is neither stored nor echoed, so "AT\n\r" still executes once.
      return make_step(LineAction::none, {});
    case backspace:
      // The firmware only special-cases BS from pos 2 on; deleting the 'T' leaves pos 1, where
      // the next byte must again be 'T'/'t' or the line is reset.
      --m_length;
      return make_step(LineAction::none, "\b \b");
    default:
      break;
  }

  m_buffer[m_length++] = byte;
  if (m_length == capacity) {
    // The 512th stored character: the line is dropped without an error line (§2.2, §9 Q2);
    // the bytes still to come start a new line at pos 0.
    m_length = 0;
    return echo_as_received(LineAction::discarded, byte);
  }
  return echo_as_received(LineAction::none, byte);
}

void LineReader::clear() {
  m_length = 0;
  m_completed.clear();
}

}  // namespace spwf::atcmd
