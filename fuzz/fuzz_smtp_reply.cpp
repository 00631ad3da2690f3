// libFuzzer target for the SMTP reply parser (netstack/SmtpReplyReader.hpp): arbitrary server
// bytes, fed in pieces whose sizes come from the input, as the client feeds what each read
// returns. Checks the parser's contract on top of ASan/UBSan: every reply has a code 200..599 and
// between one and limits::smtp_reply_lines lines, each shorter than limits::smtp_reply_line; a
// failed reader takes nothing more; the EHLO extension scan accepts any reply.
//
// Input layout: the first byte is the piece size (0 means all at once), the rest the bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "netstack/SmtpReplyReader.hpp"
#include "support/Limits.hpp"

namespace {

namespace net = spwf::net;
namespace limits = spwf::limits;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_replies(net::SmtpReplyReader& reader) {
  while (auto reply = reader.next()) {
    check(reply->code >= 200 && reply->code <= 599);
    check(!reply->lines.empty() && reply->lines.size() <= limits::smtp_reply_lines);
    for (const auto& line : reply->lines) check(line.size() < limits::smtp_reply_line);
    (void)net::parse_extensions(*reply);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] == 0 ? size : data[0];
  std::string_view bytes{reinterpret_cast<const char*>(data + 1), size - 1};
  net::SmtpReplyReader reader;
  bool failed = false;
  while (!bytes.empty()) {
    const std::string_view part = bytes.substr(0, piece);
    bytes.remove_prefix(part.size());
    const bool accepted = reader.feed(part);
    if (failed) check(!accepted);
    failed = failed || !accepted;
    check(failed == !reader.failure().empty());
    check_replies(reader);
  }
  return 0;
}
