// The SMTP client's pure parts (netstack/SmtpReplyReader, netstack/SmtpClient): replies split from
// raw bytes in any pieces, their bounds, the EHLO extensions, and the message text the client
// writes after DATA (headers, CRLF normalisation, dot-stuffing).

#include <gtest/gtest.h>

#include <string>

#include "netstack/SmtpClient.hpp"
#include "netstack/SmtpReplyReader.hpp"
#include "support/Limits.hpp"

namespace spwf::net {
namespace {

TEST(SmtpReplyReaderTest, MultiLineReplyInAnyPieces) {
  const std::string bytes =
      "250-mail.test\r\n250-SIZE 1000\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n";
  for (std::size_t piece = 1; piece <= bytes.size(); ++piece) {
    SmtpReplyReader reader;
    for (std::size_t start = 0; start < bytes.size(); start += piece) {
      ASSERT_TRUE(reader.feed(std::string_view{bytes}.substr(start, piece)));
      if (start + piece < bytes.size()) {
        EXPECT_FALSE(reader.next());
      }
    }
    const auto reply = reader.next();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->code, 250u);
    EXPECT_EQ(reply->lines,
              (std::vector<std::string>{"mail.test", "SIZE 1000", "STARTTLS", "AUTH LOGIN PLAIN"}));
    EXPECT_FALSE(reader.has_unread());
  }
}

TEST(SmtpReplyReaderTest, BareCodeAndLfOnlyLinesAndTwoReplies) {
  SmtpReplyReader reader;
  ASSERT_TRUE(reader.feed("220\n354 go ahead\r\n"));
  EXPECT_EQ(reader.next()->code, 220u);
  const auto second = reader.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->code, 354u);
  EXPECT_EQ(second->lines, std::vector<std::string>{"go ahead"});
  EXPECT_FALSE(reader.next());
}

TEST(SmtpReplyReaderTest, MalformedLinesFail) {
  for (const std::string_view bad :
       {"hello\r\n", "25\r\n", "650 x\r\n", "2x0 x\r\n", "250_x\r\n", "250-a\r\n251 b\r\n"}) {
    SmtpReplyReader reader;
    EXPECT_FALSE(reader.feed(bad)) << bad;
    EXPECT_FALSE(reader.failure().empty());
    EXPECT_FALSE(reader.feed("250 ok\r\n")) << "a failed reader takes nothing more";
  }
}

TEST(SmtpReplyReaderTest, BoundsOnLinesRepliesAndLineLength) {
  SmtpReplyReader long_line;
  EXPECT_FALSE(long_line.feed("250 " + std::string(limits::smtp_reply_line, 'x')));
  SmtpReplyReader many_lines;
  std::string lines;
  for (std::size_t index = 0; index <= limits::smtp_reply_lines; ++index) lines += "250-x\r\n";
  EXPECT_FALSE(many_lines.feed(lines));
  SmtpReplyReader many_replies;
  std::string replies;
  for (std::size_t index = 0; index <= limits::smtp_queued_replies; ++index) replies += "250 x\n";
  EXPECT_FALSE(many_replies.feed(replies));
}

TEST(SmtpReplyReaderTest, ExtensionsOfAnEhloReply) {
  const SmtpReply reply{250, {"mail.test greets you", "starttls", "AUTH=LOGIN", "8BITMIME"}};
  const auto extensions = parse_extensions(reply);
  EXPECT_TRUE(extensions.starttls);
  EXPECT_TRUE(extensions.auth_offered);
  EXPECT_TRUE(extensions.auth_login);
  EXPECT_FALSE(extensions.auth_plain);
  const auto bare = parse_extensions({250, {"STARTTLS AUTH PLAIN"}});
  EXPECT_FALSE(bare.starttls) << "the first line is the greeting";
  const auto other = parse_extensions({250, {"x", "AUTH CRAM-MD5"}});
  EXPECT_TRUE(other.auth_offered);
  EXPECT_FALSE(other.auth_plain || other.auth_login);
}

TEST(SmtpMessageTest, HeadersNormalisedLineEndsAndDotStuffing) {
  SmtpMail mail;
  mail.from = "Alice <alice@example.com>";
  mail.to = "bob@example.com";
  mail.subject = "Hi";
  mail.body = ".first\rsecond\n\n..third\r\nlast";
  EXPECT_EQ(smtp_message_data(mail),
            "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Hi\r\n\r\n"
            "..first\r\nsecond\r\n\r\n...third\r\nlast\r\n.\r\n");
  mail.body = "";
  EXPECT_EQ(smtp_message_data(mail).substr(smtp_message_data(mail).size() - 7), "\r\n\r\n.\r\n");
  mail.body = "ends\r\n";
  EXPECT_EQ(smtp_message_data(mail).substr(smtp_message_data(mail).size() - 9), "ends\r\n.\r\n");
}

TEST(SmtpMessageTest, EnvelopePaths) {
  EXPECT_EQ(smtp_path("bob@example.com"), "<bob@example.com>");
  EXPECT_EQ(smtp_path("<bob@example.com>"), "<bob@example.com>");
  EXPECT_EQ(smtp_path("Bob <bob@example.com>"), "<bob@example.com>");
  EXPECT_EQ(smtp_path(""), "<>");
}

}  // namespace
}  // namespace spwf::net
