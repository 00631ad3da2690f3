// Hostile peers: what a server sends cannot make the emulator hold more than its bounds, however
// long it goes on; the body still reaches the host untouched.
//   AT+S.HTTPGET=127.0.0.1,/,<port>,0,,,,
//     (server) HTTP/1.1 200 OK / Transfer-Encoding: chunked / "1;" + 32 MiB of chunk extension,
//              then closes
//     -> AT-S.Http Server Status Code:200\r\n1;aaaa…(32 MiB)AT-S.OK\r\n, and the emulator's peak
//        resident memory stays far below 32 MiB

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "tests/integration/ConsoleFixture.hpp"
#include "tests/integration/Peers.hpp"

namespace spwf::testing {
namespace {

class HostilePeerTest : public ConsoleFixture {};

constexpr std::size_t endless = 32u << 20;
constexpr std::size_t piece = 64u << 10;

/// Reads the request head, answers with a chunked head and a chunk-size line that never ends
/// (`endless` bytes of extension), then closes.
void endless_chunk_line(int fd) {
  std::string request;
  char byte = 0;
  while (!request.ends_with("\r\n\r\n") && ::recv(fd, &byte, 1, 0) == 1) request += byte;
  std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;";
  const std::string filler(piece, 'a');
  for (std::size_t sent = 0; sent < endless; sent += piece) {
    bytes += filler;
    if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(bytes.size())) {
      return;
    }
    bytes.clear();
  }
  ::shutdown(fd, SHUT_WR);
}

TEST_F(HostilePeerTest, AnEndlessChunkLineIsRelayedWithoutBeingHeld) {
  TcpPeer server{endless_chunk_line};
  start();
  host().send("AT+S.HTTPGET=127.0.0.1,/," + std::to_string(server.port()) + ",0,,,,\r");
  EXPECT_EQ(host().read_exactly(34), "AT-S.Http Server Status Code:200\r\n");
  std::size_t relayed = 0;
  while (relayed < 2 + endless) {
    const std::string bytes = host().read_exactly(std::min(piece, 2 + endless - relayed), 10s);
    if (bytes.empty()) break;
    relayed += bytes.size();
  }
  EXPECT_EQ(relayed, 2 + endless);
  EXPECT_EQ(host().answer(), "AT-S.OK\r\n");
  if (!memory_is_sanitized()) {
    EXPECT_LT(peak_resident_kib(m_emulator->pid()), 24u * 1024);  // not the 32 MiB line
  }
}

}  // namespace
}  // namespace spwf::testing
