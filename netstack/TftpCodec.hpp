#pragma once
// TFTP packets (RFC 1350): RRQ, WRQ, DATA, ACK and ERROR, encoded and decoded without any I/O.
// Pure and bounded: a datagram longer than the largest packet is refused before it is read, every
// string field must end with its NUL inside the datagram, and nothing is allocated beyond the
// datagram's own size. Option extensions (RFC 2347) after a request's mode are ignored, as a
// server that does not know them must.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace spwf::net::tftp {

/// Data bytes in a full block; a shorter block ends the transfer.
inline constexpr std::size_t block_size = 512;
/// The largest datagram either side sends: a DATA packet (opcode, block number, 512 bytes).
inline constexpr std::size_t max_packet = 4 + block_size;
/// The well-known server port.
inline constexpr std::uint16_t server_port = 69;

/// The first two bytes of every packet.
enum class Opcode : std::uint16_t {
  read_request = 1,
  write_request = 2,
  data = 3,
  ack = 4,
  error = 5
};

/// The RFC's error codes (ERROR packets).
enum class ErrorCode : std::uint16_t {
  not_defined = 0,
  file_not_found = 1,
  access_violation = 2,
  disk_full = 3,
  illegal_operation = 4,
  unknown_transfer_id = 5,
  file_exists = 6,
  no_such_user = 7,
};

/// RRQ or WRQ: the file name and the transfer mode ("octet", "netascii", any case).
struct Request {
  Opcode opcode = Opcode::read_request;
  std::string file;
  std::string mode;
};
/// One block of the file, numbered from 1 (wrapping at 65535).
struct Data {
  std::uint16_t block = 0;
  std::string payload;
};
/// The acknowledgement of a block (0 acknowledges a WRQ).
struct Ack {
  std::uint16_t block = 0;
};
/// An error; it ends the transfer.
struct Error {
  ErrorCode code = ErrorCode::not_defined;
  std::string message;
};

/// Any packet.
using Packet = std::variant<Request, Data, Ack, Error>;

/// The bytes of a packet. A request's mode is sent as given; payloads longer than a block and
/// names or messages with a NUL are the caller's mistake (cut at block_size / the NUL).
std::string encode(const Packet& packet);
/// Decodes one datagram; nullopt when it is not a well-formed packet (unknown opcode, missing
/// NUL, a DATA payload longer than a block, trailing bytes after ACK, an empty file name).
std::optional<Packet> decode(std::string_view datagram);

/// True when the mode names octet (binary) transfer, in any case.
bool is_octet_mode(std::string_view mode);

/// The mode the emulator sends and accepts.
inline constexpr std::string_view octet_mode = "octet";

}  // namespace spwf::net::tftp
