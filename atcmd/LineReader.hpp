#pragma once
// The console's line editor (spec §2.2, §2.3): fed one byte at a time, it keeps a 512-byte line
// buffer and says, per byte, what to echo and whether a command line is complete. Pure: no I/O.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace spwf::atcmd {

/// What the line editor did with one byte.
enum class LineAction {
  none,       ///< byte stored, ignored or dropped; nothing to run
  execute,    ///< a CR at pos >= 2 ended the line: run line()
  repeat,     ///< the repeater character at pos 0: re-run the previous line
  discarded,  ///< the line outgrew the buffer and was dropped silently
};

/// The result of feeding one byte: the action and the bytes to echo (when console_echo=1).
struct LineStep {
  LineAction action = LineAction::none;
  std::array<char, 3> echo_bytes{};
  std::size_t echo_length = 0;
  std::string_view echo() const { return {echo_bytes.data(), echo_length}; }
};

/// Byte-wise line editor with the module's pos-0/pos-1 rules, BS handling and overflow discard.
class LineReader {
 public:
  /// Bytes the buffer holds; the 512th stored character discards the line.
  static constexpr std::size_t capacity = 512;

  /// Feeds one byte. `repeater` is console_repeater.
  LineStep feed(char byte, char repeater);
  /// The completed line (valid after an execute step, until the next feed).
  std::string_view line() const { return m_completed; }
  /// The last executed line, for the repeater (empty before the first command).
  std::string_view previous() const { return m_previous; }
  /// True while a line is being typed (pos > 0): indications are held back then.
  bool in_line() const { return m_length > 0; }
  /// Forgets the partial line (reset); the previous line is kept.
  void clear();

 private:
  std::array<char, capacity> m_buffer{};
  std::size_t m_length = 0;
  std::string m_completed;
  std::string m_previous;
};

}  // namespace spwf::atcmd
