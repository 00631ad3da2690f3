#pragma once
// The console on standard input and output (--stdio), for pipes and containers. When stdin is a
// terminal it is put in raw mode for the run and restored at exit; as in picocom, Ctrl-A Ctrl-X
// then ends the run and Ctrl-A Ctrl-A sends one Ctrl-A. End of input ends the run.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <string>

#include "atcmd/Transport.hpp"

namespace spwf::emulator {

/// The AT console served on file descriptors 0 and 1.
class StdioTransport : public atcmd::Transport {
 public:
  explicit StdioTransport(boost::asio::any_io_executor executor);
  ~StdioTransport() override;
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  boost::asio::awaitable<std::size_t> read_some(std::span<char> buffer) override;
  void write(std::string_view bytes) override;

 private:
  boost::asio::awaitable<void> drain();
  boost::asio::awaitable<std::size_t> read_raw(std::span<char> buffer);
  /// Removes the terminal's escape sequences from `bytes`; returns how many bytes remain.
  std::size_t take_escapes(std::span<char> bytes);

  boost::asio::posix::stream_descriptor m_input;
  boost::asio::posix::stream_descriptor m_output;
  std::string m_pending_write;
  bool m_writing = false;
  bool m_restore_terminal = false;
  bool m_escape_pending = false;
  bool m_quit = false;
};

}  // namespace spwf::emulator
