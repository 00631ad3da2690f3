#include "emulator/StdioTransport.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "support/Log.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;

namespace {
termios g_saved_terminal{};
}  // namespace

StdioTransport::StdioTransport(asio::any_io_executor executor)
    : m_input(executor, ::dup(STDIN_FILENO)), m_output(executor, ::dup(STDOUT_FILENO)) {
  if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &g_saved_terminal) == 0) {
    termios raw = g_saved_terminal;
    ::cfmakeraw(&raw);
    m_restore_terminal = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
}

StdioTransport::~StdioTransport() {
  if (m_restore_terminal) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
}

asio::awaitable<std::size_t> StdioTransport::read_some(std::span<char> buffer) {
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
