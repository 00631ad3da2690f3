// The HTTP client's response reader (netstack/HttpResponseReader) against a hostile server: what
// it holds while it follows a body's framing stays bounded, whatever the server sends, and the
// body bytes still go through untouched.
//   HTTP/1.1 200 OK / Transfer-Encoding: chunked / "1;" + endless extension  -> bounded, relayed
//   HTTP/1.1 200 OK / Transfer-Encoding: chunked / "0\r\n" + endless trailer -> bounded, relayed
//   HTTP/1.1 200 OK / Transfer-Encoding: chunked / "4\r\nwiki\r\n0\r\n\r\n"   -> complete

#include <gtest/gtest.h>

#include <string>

#include "netstack/HttpResponseReader.hpp"

namespace spwf::net {
namespace {

constexpr std::string_view chunked_head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

/// Feeds `start`, then `piece` `count` times; checks every step relays its bytes and the reader
/// never holds more than a head's worth plus one piece. Returns the body bytes relayed.
std::size_t feed_endless(HttpResponseReader& reader, std::string_view start,
                         const std::string& piece, int count) {
  HttpReadStep step;
  EXPECT_TRUE(reader.feed(chunked_head, step));
  EXPECT_EQ(step.status, 200u);
  std::size_t relayed = 0;
  EXPECT_TRUE(reader.feed(start, step));
  relayed += step.body.size();
  for (int i = 0; i < count; ++i) {
    EXPECT_TRUE(reader.feed(piece, step));
    EXPECT_EQ(step.body, piece);
    relayed += step.body.size();
    if (reader.held_bytes() > HttpResponseReader::max_head_bytes + piece.size()) {
      ADD_FAILURE() << "holds " << reader.held_bytes() << " bytes after " << i + 1 << " pieces";
      return relayed;
    }
  }
  EXPECT_FALSE(reader.message_complete());
  return relayed;
}

TEST(HttpResponseReaderTest, AnEndlessChunkExtensionIsNotHeld) {
  HttpResponseReader reader;
  const std::string piece(4096, 'a');
  EXPECT_EQ(feed_endless(reader, "1;", piece, 256), 2 + 256 * piece.size());
  EXPECT_FALSE(reader.cut_short());  // the framing was given up: a close ends the body
}

TEST(HttpResponseReaderTest, AnEndlessTrailerIsNotHeld) {
  HttpResponseReader reader;
  const std::string piece = std::string(4000, 'x') + ": y\r\n";
  feed_endless(reader, "4\r\nwiki\r\n0\r\n", piece, 256);
  EXPECT_FALSE(reader.cut_short());
}

TEST(HttpResponseReaderTest, AChunkedBodyInSmallPiecesCompletes) {
  const std::string body = "4;ext=1\r\nwiki\r\n0\r\nTrailer: t\r\n\r\n";
  HttpResponseReader reader;
  HttpReadStep step;
  ASSERT_TRUE(reader.feed(chunked_head, step));
  std::string relayed;
  for (char byte : body) {
    ASSERT_TRUE(reader.feed(std::string_view{&byte, 1}, step));
    relayed += step.body;
  }
  EXPECT_EQ(relayed, body);
  EXPECT_TRUE(reader.message_complete());
  EXPECT_EQ(reader.held_bytes(), 0u);
}

}  // namespace
}  // namespace spwf::net
