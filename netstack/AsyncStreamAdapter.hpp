#pragma once
// The emulator's own net::Stream (TCP, or TLS over it) seen as an Asio AsyncStream, so that
// Boost.Beast's websocket::stream can run over it: the TLS, host mapping, allow/deny and trace of
// the module's connections then apply to WebSocket too, and no second TLS stack is involved.
// Each initiating function runs the stream's coroutine member (co_spawn) and completes the
// caller's handler with its result, on the handler's executor.
//
// Not supported: per-operation cancellation (a timeout closes the stream instead, which ends the
// pending operations with operation_aborted; Beast's own timeouts do that through
// beast_close_socket below). One read and one write may be pending at once, as Beast does.

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "netstack/Stream.hpp"

namespace spwf::net {

/// A net::Stream with async_read_some / async_write_some.
class AsyncStreamAdapter {
 public:
  using executor_type = boost::asio::any_io_executor;
  /// Largest number of bytes one async_write_some gathers from its buffers (the rest is left for
  /// the next call, as a partial write).
  static constexpr std::size_t write_gather_limit = 65536;

  AsyncStreamAdapter(executor_type executor, std::shared_ptr<Stream> stream)
      : m_executor(std::move(executor)), m_stream(std::move(stream)) {}

  executor_type get_executor() const noexcept { return m_executor; }
  Stream& stream() { return *m_stream; }
  const Stream& stream() const { return *m_stream; }
  /// Closes the stream; pending operations end with an error.
  void close() { m_stream->close(); }

  /// Reads into the first non-empty buffer; an empty sequence completes at once with 0 bytes.
  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [stream = m_stream, executor = m_executor](auto handler, const MutableBuffers& buffers) {
          boost::asio::mutable_buffer target;
          for (auto it = boost::asio::buffer_sequence_begin(buffers);
               it != boost::asio::buffer_sequence_end(buffers) && target.size() == 0; ++it) {
            target = boost::asio::mutable_buffer(*it);
          }
          if (target.size() == 0) return complete_now(executor, std::move(handler));
          run(executor, read_into(stream, target), std::move(handler));
        },
        token, buffers);
  }

  /// Writes what the buffers hold (up to write_gather_limit bytes) with one write_all.
  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [stream = m_stream, executor = m_executor](auto handler, const ConstBuffers& buffers) {
          std::string bytes;
          for (auto it = boost::asio::buffer_sequence_begin(buffers);
               it != boost::asio::buffer_sequence_end(buffers) && bytes.size() < write_gather_limit;
               ++it) {
            const boost::asio::const_buffer piece(*it);
            const std::size_t take = std::min(piece.size(), write_gather_limit - bytes.size());
            bytes.append(static_cast<const char*>(piece.data()), take);
          }
          if (bytes.empty()) return complete_now(executor, std::move(handler));
          run(executor, write_bytes(stream, std::move(bytes)), std::move(handler));
        },
        token, buffers);
  }

 private:
  using Result = std::pair<boost::system::error_code, std::size_t>;

  // Coroutines take their arguments by value: the frame owns them (a capturing lambda would not
  // outlive the initiation).
  static boost::asio::awaitable<Result> read_into(std::shared_ptr<Stream> stream,
                                                  boost::asio::mutable_buffer target) {
    co_return co_await stream->read_some({static_cast<char*>(target.data()), target.size()});
  }
  static boost::asio::awaitable<Result> write_bytes(std::shared_ptr<Stream> stream,
                                                    std::string bytes) {
    const auto error = co_await stream->write_all(bytes);
    co_return Result{error, error ? 0 : bytes.size()};
  }

  template <typename Handler>
  static void complete_now(const executor_type& executor, Handler handler) {
    auto target = boost::asio::get_associated_executor(handler, executor);
    boost::asio::post(target, boost::asio::append(std::move(handler), boost::system::error_code{},
                                                  std::size_t{0}));
  }

  template <typename Handler>
  static void run(const executor_type& executor, boost::asio::awaitable<Result> operation,
                  Handler handler) {
    auto target = boost::asio::get_associated_executor(handler, executor);
    boost::asio::co_spawn(
        executor, std::move(operation),
        boost::asio::bind_executor(target, [handler = std::move(handler)](
                                               std::exception_ptr failure, Result result) mutable {
          if (failure) result = {boost::asio::error::operation_aborted, 0};
          std::move(handler)(result.first, result.second);
        }));
  }

  executor_type m_executor;
  std::shared_ptr<Stream> m_stream;
};

/// Beast's customisation points: closing the "socket" (its timeouts) and the WebSocket
/// teardown, which for this stream is simply closing it (a TLS stream sends close_notify).
inline void beast_close_socket(AsyncStreamAdapter& stream) {
  stream.close();
}
inline void teardown(boost::beast::role_type, AsyncStreamAdapter& stream,
                     boost::system::error_code& error) {
  stream.close();
  error = {};
}
template <typename TeardownHandler>
void async_teardown(boost::beast::role_type, AsyncStreamAdapter& stream,
                    TeardownHandler&& handler) {
  stream.close();
  auto target = boost::asio::get_associated_executor(handler, stream.get_executor());
  boost::asio::post(target, boost::asio::append(std::forward<TeardownHandler>(handler),
                                                boost::system::error_code{}));
}

}  // namespace spwf::net
