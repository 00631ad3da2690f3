#include "netstack/TlsStream.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using boost::system::error_code;

TlsStream::TlsStream(std::unique_ptr<Stream> plain, tls::ClientSettings settings)
    : m_plain(std::move(plain)),
      m_session(std::make_unique<tls::ClientSession>(std::move(settings))) {}

TlsStream::TlsStream(std::unique_ptr<Stream> plain, std::unique_ptr<tls::Session> session)
    : m_plain(std::move(plain)), m_session(std::move(session)) {}

asio::awaitable<bool> TlsStream::handshake(std::chrono::milliseconds timeout) {
  using asio::experimental::awaitable_operators::operator||;
  if (!m_session->start()) co_return false;
  auto executor = co_await asio::this_coro::executor;
  m_flush_done = std::make_unique<asio::steady_timer>(executor);
  asio::steady_timer deadline{executor, timeout};
  std::array<char, 16384> buffer;
  for (;;) {
    const auto progress = m_session->handshake();
    // Whatever the step produced goes out, also the alert of a failed verification.
    if (const auto error = co_await flush(); error && progress != tls::HandshakeProgress::failed) {
      trace::event(trace::Channel::tls, "handshake send failed: " + error.message());
      co_return false;
    }
    if (progress == tls::HandshakeProgress::done) {
      m_established = true;
      co_return true;
    }
    if (progress == tls::HandshakeProgress::failed) co_return false;
    auto outcome = co_await (m_plain->read_some({buffer.data(), buffer.size()}) ||
                             deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 1) {
      trace::event(trace::Channel::tls,
                   "handshake timed out after " + std::to_string(timeout.count()) + " ms");
      co_return false;
    }
    const auto [error, count] = std::get<0>(outcome);
    if (error) {
      if (error != asio::error::eof) {
        trace::event(trace::Channel::tls, "handshake receive failed: " + error.message());
        co_return false;
      }
      m_session->receive_end();
    }
    m_session->receive({buffer.data(), count});
  }
}

asio::awaitable<error_code> TlsStream::flush() {
  while (m_session->has_output() && !m_closed) {
    if (m_flushing) {
      // Another coroutine is writing: wait for it (cancel() wakes us) so records never interleave.
      m_flush_done->expires_at(asio::steady_timer::time_point::max());
      co_await m_flush_done->async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    m_flushing = true;
    const std::string bytes = m_session->take_output();
    const auto error = co_await m_plain->write_all(bytes);
    m_flushing = false;
    m_flush_done->cancel();
    if (error) co_return error;
  }
  co_return m_closed ? error_code{asio::error::operation_aborted} : error_code{};
}

asio::awaitable<std::pair<error_code, std::size_t>> TlsStream::read_some(std::span<char> buffer) {
  std::array<char, 16384> incoming;
  for (;;) {
    if (m_closed) co_return std::pair{error_code{asio::error::operation_aborted}, std::size_t{0}};
    const auto result = m_session->read(buffer);
    if (m_session->has_output()) (void)co_await flush();
    switch (result.status) {
      case tls::ReadStatus::data:
        co_return std::pair{error_code{}, result.count};
      case tls::ReadStatus::closed:
        co_return std::pair{error_code{asio::error::eof}, std::size_t{0}};
      case tls::ReadStatus::failed:
        co_return std::pair{error_code{asio::error::connection_reset}, std::size_t{0}};
      case tls::ReadStatus::want_read:
        break;
    }
    auto [error, count] = co_await m_plain->read_some({incoming.data(), incoming.size()});
    if (m_closed) co_return std::pair{error_code{asio::error::operation_aborted}, std::size_t{0}};
    if (error == asio::error::eof) {
      m_session->receive_end();
    } else if (error) {
      co_return std::pair{error, std::size_t{0}};
    }
    m_session->receive({incoming.data(), count});
  }
}

asio::awaitable<error_code> TlsStream::write_all(std::string_view bytes) {
  if (m_closed) co_return error_code{asio::error::bad_descriptor};
  if (!m_session->write(bytes)) co_return error_code{asio::error::connection_reset};
  co_return co_await flush();
}

void TlsStream::close() {
  if (m_closed) return;
  m_closed = true;
  if (m_flushing || !m_established) {
    m_plain->close();
    return;
  }
  // close_notify goes out on its own coroutine, which takes the plain stream along and closes it
  // once the alert is written; a pending read on it then ends with operation_aborted.
  m_session->close_notify();
  std::string alert = m_session->take_output();
  auto executor = m_flush_done->get_executor();
  asio::co_spawn(
      executor,
      [plain = std::shared_ptr<Stream>(std::move(m_plain)),
       alert = std::move(alert)]() -> asio::awaitable<void> {
        if (!alert.empty()) (void)co_await plain->write_all(alert);
        plain->close();
      },
      [](std::exception_ptr failure) {
        if (failure) log::error("TLS close_notify failed");
      });
}

asio::awaitable<std::unique_ptr<Stream>> tls_connect(std::unique_ptr<Stream> plain,
                                                     tls::ClientSettings settings,
                                                     std::chrono::milliseconds timeout) {
  settings.forced_certificate_error = plain->forced_certificate_error();
  auto stream = std::make_unique<TlsStream>(std::move(plain), std::move(settings));
  // A named local, not `if (!co_await ...)`: see WifiLink::run_access_point for why.
  const bool established = co_await stream->handshake(timeout);
  if (!established) {
    stream->close();
    co_return nullptr;
  }
  co_return stream;
}

StreamWrapper tls_client_wrapper(tls::ClientSettings settings, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  return [settings = std::move(settings),
          deadline](std::unique_ptr<Stream> plain) -> asio::awaitable<std::unique_ptr<Stream>> {
    // A copy: the wrapper object may be destroyed while this coroutine runs.
    tls::ClientSettings copy = settings;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      trace::event(trace::Channel::tls, "the connect used up the open timeout: no handshake");
      plain->close();
      co_return nullptr;
    }
    co_return co_await tls_connect(std::move(plain), std::move(copy), left);
  };
}

}  // namespace spwf::net
