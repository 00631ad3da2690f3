#include "netstack/TftpClient.hpp"

#include <variant>

#include "netstack/Connector.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

/// The outcome of a destination that could not be used.
TftpOutcome destination_failure(NetError error) {
  return TftpOutcome{
      error == NetError::name_not_resolved ? TftpError::name_not_resolved : TftpError::refused, {}};
}

/// A socket on an ephemeral port (the client's transfer id) of the destination's family.
bool open_socket(udp::socket& socket, const udp::endpoint& destination) {
  boost::system::error_code error;
  socket.open(destination.protocol(), error);
  if (!error) socket.bind(udp::endpoint{destination.protocol(), 0}, error);
  if (error) {
    trace::event(trace::Channel::network, "tftp: cannot open a socket: " + error.message());
    return false;
  }
  return true;
}

/// Resolves the server and opens the socket; the start of the transfer, or why there is none.
asio::awaitable<std::variant<TftpStart, TftpOutcome>> prepare(
    asio::any_io_executor executor, const HostMapper& mapper, const TftpTarget& target,
    tftp::Opcode opcode, std::chrono::milliseconds timeout, udp::socket& socket) {
  auto destination =
      co_await resolve_destination(executor, mapper, target.host, target.port, timeout);
  if (const auto* error = std::get_if<NetError>(&destination)) {
    co_return destination_failure(*error);
  }
  const auto& endpoint = std::get<udp::endpoint>(destination);
  if (!open_socket(socket, endpoint)) co_return TftpOutcome{TftpError::socket_failed, {}};
  trace::event(trace::Channel::network,
               std::string{opcode == tftp::Opcode::read_request ? "tftp: RRQ " : "tftp: WRQ "} +
                   target.remote_file + " to " + printable_address(endpoint.address()) + ":" +
                   std::to_string(endpoint.port()));
  const tftp::Request request{opcode, target.remote_file, std::string{tftp::octet_mode}};
  co_return TftpStart{tftp::encode(request), endpoint, TftpStart::Answer::from_new_port};
}

}  // namespace

asio::awaitable<TftpOutcome> tftp_get(asio::any_io_executor executor, const HostMapper& mapper,
                                      TftpTarget target, TftpTiming timing,
                                      std::chrono::milliseconds resolve_timeout,
                                      TftpBlockSink sink) {
  udp::socket socket{executor};
  auto start = co_await prepare(executor, mapper, target, tftp::Opcode::read_request,
                                resolve_timeout, socket);
  if (auto* outcome = std::get_if<TftpOutcome>(&start)) co_return std::move(*outcome);
  co_return co_await tftp_receive(socket, std::move(std::get<TftpStart>(start)), timing, sink);
}

asio::awaitable<TftpOutcome> tftp_put(asio::any_io_executor executor, const HostMapper& mapper,
                                      TftpTarget target, TftpTiming timing,
                                      std::chrono::milliseconds resolve_timeout,
                                      std::string content) {
  udp::socket socket{executor};
  auto start = co_await prepare(executor, mapper, target, tftp::Opcode::write_request,
                                resolve_timeout, socket);
  if (auto* outcome = std::get_if<TftpOutcome>(&start)) co_return std::move(*outcome);
  co_return co_await tftp_send(socket, std::move(std::get<TftpStart>(start)), timing, content);
}

}  // namespace spwf::net
