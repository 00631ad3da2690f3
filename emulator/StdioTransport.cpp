#include "emulator/StdioTransport.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "support/Log.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {
termios g_saved_terminal{};
constexpr char k_escape = '\x01';  // Ctrl-A, as picocom
constexpr char k_quit = '\x18';    // Ctrl-X
}  // namespace

StdioTransport::StdioTransport(asio::any_io_executor executor)
    : m_input(executor, ::dup(STDIN_FILENO)), m_output(executor, ::dup(STDOUT_FILENO)) {
  if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &g_saved_terminal) == 0) {
    termios raw = g_saved_terminal;
    ::cfmakeraw(&raw);
    m_restore_terminal = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  if (m_restore_terminal) {
    std::fputs("spwf04emu: the terminal is in raw mode; Ctrl-A Ctrl-X ends the run\r\n", stderr);
  }
}

StdioTransport::~StdioTransport() {
  if (m_restore_terminal) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
}

asio::awaitable<std::size_t> StdioTransport::read_some(std::span<char> buffer) {
  for (;;) {
    if (m_quit) co_return 0;
    const std::size_t count = co_await read_raw(buffer);
    if (count == 0 || !m_restore_terminal) co_return count;
    // Only a terminal's keys are looked at: a pipe's bytes all go to the module.
    if (const std::size_t kept = take_escapes(buffer.first(count)); kept > 0) co_return kept;
  }
}

std::size_t StdioTransport::take_escapes(std::span<char> bytes) {
  std::size_t kept = 0;
  for (const char byte : bytes) {
    if (m_quit) break;
    if (!m_escape_pending && byte == k_escape) {
      m_escape_pending = true;
      continue;
    }
    if (m_escape_pending) {
      m_escape_pending = false;
      if (byte == k_quit) {
        m_quit = true;
        log::info("Ctrl-A Ctrl-X on the terminal, stopping");
        break;
      }
      // Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A and another key send that key (as picocom).
    }
    bytes[kept++] = byte;
  }
  return kept;
}

asio::awaitable<std::size_t> StdioTransport::read_raw(std::span<char> buffer) {
  auto [error, count] = co_await m_input.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                         asio::as_tuple(asio::use_awaitable));
  if (error) {
    if (error != asio::error::eof) log::info("stdin closed: " + error.message());
    co_return 0;
  }
  co_return count;
}

void StdioTransport::write(std::string_view bytes) {
  m_pending_write += bytes;
  if (m_writing) return;
  m_writing = true;
  asio::co_spawn(m_output.get_executor(), drain(), [](std::exception_ptr failure) {
    if (failure) log::error("stdout writer stopped");
  });
}

asio::awaitable<void> StdioTransport::drain() {
  while (!m_pending_write.empty()) {
    const std::string chunk = std::exchange(m_pending_write, {});
    auto [error, written] = co_await asio::async_write(m_output, asio::buffer(chunk),
                                                       asio::as_tuple(asio::use_awaitable));
    (void)written;
    if (error) {
      log::warn("stdout: " + error.message());
      m_pending_write.clear();
      break;
    }
  }
  m_writing = false;
}

}  // namespace spwf::emulator
