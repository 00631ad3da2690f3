#include "netstack/TftpServer.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// The texts of the server's ERROR packets (for the client's log; RFC 1350 leaves them free).
constexpr std::string_view busy_text = "Server busy";
constexpr std::string_view mode_text = "Only octet mode";
constexpr std::string_view not_found_text = "File not found";
constexpr std::string_view illegal_text = "Illegal TFTP operation";
constexpr std::string_view cannot_store_text = "Cannot store the file";

}  // namespace

struct TftpServer::Transfer {
  explicit Transfer(asio::any_io_executor executor) : socket(executor) {}
  udp::socket socket;
  udp::endpoint client;
  tftp::Request request;
};

TftpServer::TftpServer(asio::any_io_executor executor, TftpTiming timing, TftpServerFiles files,
                       std::size_t max_transfers)
    : m_executor(std::move(executor)),
      m_timing(timing),
      m_files(std::move(files)),
      m_max_transfers(max_transfers) {}

TftpServer::~TftpServer() {
  *m_alive = false;
  stop();
}

bool TftpServer::start(const udp::endpoint& where) {
  if (m_listener) return true;
  auto listener = std::make_shared<udp::socket>(m_executor);
  boost::system::error_code error;
  listener->open(where.protocol(), error);
  if (!error) listener->bind(where, error);
  if (error) {
    log::info("TFTP server: cannot listen on " + where.address().to_string() + ":" +
              std::to_string(where.port()) + ": " + error.message());
    return false;
  }
  m_listener = listener;
  trace::event(trace::Channel::network, "tftp server listening on " + where.address().to_string() +
                                            ":" +
                                            std::to_string(listener->local_endpoint(error).port()));
  asio::co_spawn(m_executor, serve(listener), [](std::exception_ptr failure) {
    if (failure) log::error("TFTP server stopped by an exception");
  });
  return true;
}

void TftpServer::stop() {
  boost::system::error_code ignored;
  if (m_listener) m_listener->close(ignored);
  m_listener.reset();
  for (auto& transfer : m_transfers) transfer->socket.close(ignored);
  m_transfers.clear();
}

void TftpServer::refuse(udp::socket& socket, const udp::endpoint& client, tftp::ErrorCode code,
                        std::string_view text) {
  const std::string bytes = tftp::encode(tftp::Error{code, std::string{text}});
  boost::system::error_code ignored;
  socket.send_to(asio::buffer(bytes), client, 0, ignored);
}

asio::awaitable<void> TftpServer::serve(std::shared_ptr<udp::socket> listener) {
  const auto alive = m_alive;
  std::array<char, tftp::max_packet + 1> buffer{};
  for (;;) {
    udp::endpoint client;
    const auto [error, length] = co_await listener->async_receive_from(
        asio::buffer(buffer), client, asio::as_tuple(asio::use_awaitable));
    if (!*alive || !listener->is_open()) co_return;
    if (error) continue;  // an ICMP report of an earlier answer's client having gone
    auto packet = tftp::decode(std::string_view{buffer.data(), length});
    auto* request = packet ? std::get_if<tftp::Request>(&*packet) : nullptr;
    if (request == nullptr) {
      refuse(*listener, client, tftp::ErrorCode::illegal_operation, illegal_text);
      continue;
    }
    if (!tftp::is_octet_mode(request->mode)) {
      refuse(*listener, client, tftp::ErrorCode::not_defined, mode_text);
      continue;
    }
    if (m_transfers.size() >= m_max_transfers) {
      refuse(*listener, client, tftp::ErrorCode::not_defined, busy_text);
      continue;
    }
    auto transfer = std::make_shared<Transfer>(m_executor);
    boost::system::error_code open_error;
    const udp::endpoint local = listener->local_endpoint(open_error);
    transfer->socket.open(local.protocol(), open_error);
    if (!open_error) transfer->socket.bind(udp::endpoint{local.address(), 0}, open_error);
    if (open_error) {
      refuse(*listener, client, tftp::ErrorCode::not_defined, busy_text);
      continue;
    }
    transfer->client = client;
    transfer->request = std::move(*request);
    m_transfers.push_back(transfer);
    asio::co_spawn(m_executor, run(transfer), [](std::exception_ptr failure) {
      if (failure) log::error("TFTP server transfer ended by an exception");
    });
  }
}

asio::awaitable<void> TftpServer::run(std::shared_ptr<Transfer> transfer) {
  const auto alive = m_alive;
  const std::string name = transfer->request.file;
  const bool upload = transfer->request.opcode == tftp::Opcode::write_request;
  trace::event(trace::Channel::network, std::string{"tftp server: "} + (upload ? "WRQ " : "RRQ ") +
                                            name + " from " +
                                            transfer->client.address().to_string());
  TftpOutcome outcome;
  std::string content;
  // Declared here, not in an if-condition: g++ 12 mishandles such a variable across a co_await.
  std::optional<std::string> file;
  if (!upload) file = m_files.load(name);
  if (upload && !m_files.has_room(name, 0)) {
    refuse(transfer->socket, transfer->client, tftp::ErrorCode::access_violation,
           cannot_store_text);
    outcome.error = TftpError::server_error;
  } else if (upload) {
    // A named std::function: tftp_receive takes it by reference across its suspensions.
    const TftpBlockSink sink = [&](std::string_view block) {
      content.append(block);
      return content.size() <= limits::tftp_download_bytes &&
             m_files.has_room(name, content.size());
    };
    TftpStart start{tftp::encode(tftp::Ack{0}), transfer->client, TftpStart::Answer::from_peer};
    outcome = co_await tftp_receive(transfer->socket, std::move(start), m_timing, sink);
  } else if (file) {
    TftpStart start{{}, transfer->client, TftpStart::Answer::from_peer};
    outcome = co_await tftp_send(transfer->socket, std::move(start), m_timing, *file);
  } else {
    refuse(transfer->socket, transfer->client, tftp::ErrorCode::file_not_found, not_found_text);
    outcome.error = TftpError::server_error;
  }
  if (!*alive) co_return;
  std::erase(m_transfers, transfer);
  if (outcome.error != TftpError::none) {
    log::info("TFTP server: " + name + ": " + to_string(outcome));
    co_return;
  }
  if (upload && !m_files.store(name, content)) {
    // The last block is acknowledged already; the client can only learn it from a later one.
    log::warn("TFTP server: " + name + ": " + std::string{cannot_store_text});
  }
}

}  // namespace spwf::net
