// libFuzzer target for the TFTP decoder (netstack/TftpCodec.hpp): arbitrary datagrams are
// decoded as the client and the module's server do. Checks the decoder's contract on top of
// ASan/UBSan: nothing longer than a DATA packet decodes; a DATA payload never exceeds a block; a
// decoded DATA, ACK or ERROR encodes back to exactly the datagram it came from, and a decoded
// request encodes back to a prefix of it (options after the mode are ignored).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "netstack/TftpCodec.hpp"

namespace {

namespace tftp = spwf::net::tftp;

// abort() rather than assert(): the check must survive NDEBUG builds.
void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view datagram{reinterpret_cast<const char*>(data), size};
  const auto packet = tftp::decode(datagram);
  if (!packet) return 0;
  check(size <= tftp::max_packet);
  const std::string encoded = tftp::encode(*packet);
  if (const auto* block = std::get_if<tftp::Data>(&*packet)) {
    check(block->payload.size() <= tftp::block_size);
  }
  if (std::holds_alternative<tftp::Request>(*packet)) {
    check(datagram.substr(0, encoded.size()) == encoded);
  } else if (std::holds_alternative<tftp::Error>(*packet)) {
    // Bytes after the message's NUL are ignored, as for a request's options.
    check(datagram.substr(0, encoded.size()) == encoded);
  } else {
    check(encoded == datagram);
  }
  return 0;
}
