#pragma once
// One TFTP transfer (RFC 1350) over a UDP socket of its own, either direction, for the client
// (TFTPGET/TFTPPUT) and the module's server alike. The other side's transfer id (its port) is
// learnt from its first answer: a server answers a request from a new port, so the socket is not
// connected, and datagrams from any other address or port get ERROR 5 and are otherwise ignored.
// The last packet sent is sent again when nothing comes within the timeout, a bounded number of
// times; a duplicate DATA is acknowledged again, a duplicate ACK is ignored (no sorcerer's
// apprentice). Octet mode, 512-byte blocks.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "netstack/TftpCodec.hpp"

namespace spwf::net {

/// How long to wait for each answer and how often to send a packet again before giving up.
struct TftpTiming {
  std::chrono::milliseconds timeout{1000};
  unsigned retries = 5;
};

/// Why a transfer ended.
enum class TftpError {
  none,
  name_not_resolved,  ///< the server's name did not resolve
  refused,            ///< --allow/--deny refuse the destination
  timed_out,          ///< no answer after every retry
  server_error,       ///< the other side sent an ERROR packet (see TftpOutcome::remote)
  local_refused,      ///< the sink had no room (ERROR 3 was sent)
  protocol_error,     ///< a packet that has no place in the transfer (ERROR 4 was sent)
  socket_failed,      ///< the host's UDP socket failed
};

/// The end of a transfer; `remote` holds the other side's ERROR packet for server_error.
struct TftpOutcome {
  TftpError error = TftpError::none;
  tftp::Error remote;
};

/// The readable name of an outcome, for the log.
std::string to_string(const TftpOutcome& outcome);

/// Receives the blocks of a file in order. False: no room for them (ERROR 3 is sent).
using TftpBlockSink = std::function<bool(std::string_view block)>;

/// Where a transfer starts: the first packet, to whom, and whether its answer may come from
/// another port of that address (a request to a server) or must come from `peer` itself.
struct TftpStart {
  std::string first_packet;
  boost::asio::ip::udp::endpoint peer;
  enum class Answer { from_new_port, from_peer } answer = Answer::from_new_port;
};

/// Sends `start.first_packet` (an RRQ, or the ACK 0 that accepts a WRQ) and receives the file's
/// blocks into `sink` until a short block.
boost::asio::awaitable<TftpOutcome> tftp_receive(boost::asio::ip::udp::socket& socket,
                                                 TftpStart start, TftpTiming timing,
                                                 const TftpBlockSink& sink);

/// Sends `content` in blocks: after a WRQ (`start.first_packet`, answered by ACK 0) or, with an
/// empty first packet, at once from block 1 (a server answering an RRQ).
boost::asio::awaitable<TftpOutcome> tftp_send(boost::asio::ip::udp::socket& socket, TftpStart start,
                                              TftpTiming timing, std::string_view content);

}  // namespace spwf::net
