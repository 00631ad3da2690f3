#include "netstack/TftpCodec.hpp"

#include <algorithm>
#include <cctype>

namespace spwf::net::tftp {

namespace {

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xFF));
}

std::uint16_t get_u16(std::string_view bytes) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(bytes[0]) << 8) |
                                    static_cast<unsigned char>(bytes[1]));
}

// A string field up to its NUL (which must be present); the field is removed from `bytes`.
std::optional<std::string> take_string(std::string_view& bytes) {
  const std::size_t end = bytes.find('\0');
  if (end == std::string_view::npos) return std::nullopt;
  std::string field{bytes.substr(0, end)};
  bytes.remove_prefix(end + 1);
  return field;
}

// A string as a field: up to its first NUL, then the terminating NUL.
void put_string(std::string& out, std::string_view text) {
  out.append(text.substr(0, text.find('\0')));
  out.push_back('\0');
}

struct Encoder {
  std::string out;
  void operator()(const Request& request) {
    put_u16(out, static_cast<std::uint16_t>(request.opcode));
    put_string(out, request.file);
    put_string(out, request.mode);
  }
  void operator()(const Data& data) {
    put_u16(out, static_cast<std::uint16_t>(Opcode::data));
    put_u16(out, data.block);
    out.append(std::string_view{data.payload}.substr(0, block_size));
  }
  void operator()(const Ack& ack) {
    put_u16(out, static_cast<std::uint16_t>(Opcode::ack));
    put_u16(out, ack.block);
  }
  void operator()(const Error& error) {
    put_u16(out, static_cast<std::uint16_t>(Opcode::error));
    put_u16(out, static_cast<std::uint16_t>(error.code));
    put_string(out, error.message);
  }
};

std::optional<Packet> decode_request(Opcode opcode, std::string_view body) {
  auto file = take_string(body);
  if (!file || file->empty()) return std::nullopt;
  auto mode = take_string(body);
  if (!mode || mode->empty()) return std::nullopt;
  return Request{opcode, std::move(*file), std::move(*mode)};
}

}  // namespace

std::string encode(const Packet& packet) {
  Encoder encoder;
  std::visit(encoder, packet);
  return std::move(encoder.out);
}

std::optional<Packet> decode(std::string_view datagram) {
  if (datagram.size() < 4 || datagram.size() > max_packet) return std::nullopt;
  const std::uint16_t opcode = get_u16(datagram);
  std::string_view body = datagram.substr(2);
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::read_request:
    case Opcode::write_request:
      return decode_request(static_cast<Opcode>(opcode), body);
    case Opcode::data:
      return Data{get_u16(body), std::string{body.substr(2)}};
    case Opcode::ack:
      if (body.size() != 2) return std::nullopt;
      return Ack{get_u16(body)};
    case Opcode::error: {
      const auto code = static_cast<ErrorCode>(get_u16(body));
      body.remove_prefix(2);
      auto message = take_string(body);
      if (!message) return std::nullopt;
      return Error{code, std::move(*message)};
    }
  }
  return std::nullopt;
}

bool is_octet_mode(std::string_view mode) {
  return mode.size() == octet_mode.size() &&
         std::equal(mode.begin(), mode.end(), octet_mode.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace spwf::net::tftp
