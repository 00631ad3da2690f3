// HTTP client commands over a real pty against real HTTP servers on loopback (spec §3.8); names
// reach the servers through --connect-to, as firmware names would reach test servers.
//   AT+S.HTTPGET=www.example.com,/index.html,,0,,,,
//     (sent)  GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n
//     -> AT-S.Http Server Status Code:200\r\n<body bytes, untouched>AT-S.OK\r\n
//   AT+S.HTTPGET=www.example.com,/,,0,,,,      (server closes inside the head)
//     -> AT-S.Http Client Error:4\r\nAT-S.ERROR:111:Request failed\r\n
//   AT+S.HTTPGET=www.example.com,/,,0,,,,      (nobody listens: refused, spec §3.8 ✔)
//     -> AT-S.Http Client Error:1\r\nAT-S.ERROR:111:Request failed\r\n
//   AT+S.HTTPGET=www.example.com,/missing,,0,,,,   (404)
//     -> AT-S.Http Server Status Code:404\r\nAT-S.Http Server Error:404\r\n<body>
//        AT-S.ERROR:111:Request failed\r\n
//   AT+S.HTTPPOST=www.example.com,/form,,0,,,,form.txt
//     (sent)  POST /form ... Content-Type: application/x-www-form-urlencoded\r\n
//             Content-Length: 7\r\n\r\na=1&b=2
//   AT+S.HTTPGET=www.example.com,/page,,0,,,page.html,
//     -> AT-S.Http Server Status Code:200\r\nAT-S.OK\r\n  (the body is in the file page.html)
// HTTPS is in HttpsTest.cpp.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/TlsPeer.hpp"

namespace spwf::testing {
namespace {

constexpr std::string_view ok = "AT-S.OK\r\n";
constexpr std::string_view request_failed = "AT-S.ERROR:111:Request failed\r\n";

/// "AT-S.Http Client Error:<number>" then the final 111 line.
std::string client_error(unsigned number) {
  return "AT-S.Http Client Error:" + std::to_string(number) + "\r\n" + std::string{request_failed};
}

/// What the scripted servers received, shared with their connection threads.
class Recorder {
 public:
  void add(std::string request) {
    std::lock_guard lock{m_mutex};
    m_requests.push_back(std::move(request));
  }
  std::vector<std::string> requests() const {
    std::lock_guard lock{m_mutex};
    return m_requests;
  }
  /// The only request (fails the test when there were others).
  std::string request() const {
    const auto all = requests();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? std::string{} : all.front();
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_requests;
};

/// Reads one request: the head up to the blank line and a Content-Length body.
std::string read_request(int fd) {
  std::string request;
  char buffer[4096];
  std::size_t wanted = std::string::npos;
  while (wanted == std::string::npos || request.size() < wanted) {
    const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
    if (count <= 0) break;
    request.append(buffer, static_cast<std::size_t>(count));
    const std::size_t head_end = request.find("\r\n\r\n");
    if (wanted == std::string::npos && head_end != std::string::npos) {
      std::size_t length = 0;
      const std::size_t field = request.find("\r\nContent-Length: ");
      if (field != std::string::npos && field < head_end) {
        length = std::stoul(request.substr(field + 18));
      }
      wanted = head_end + 4 + length;
    }
  }
  return request;
}

/// A server that records each request, then runs `respond(fd)`; the connection closes after.
TcpPeer::Handler http_server(Recorder& recorder, std::function<void(int)> respond) {
  return [&recorder, respond](int fd) {
    recorder.add(read_request(fd));
    respond(fd);
  };
}

/// Sends `response` (then the connection closes).
std::function<void(int)> reply(std::string response) {
  return [response](int fd) { write_all(fd, response); };
}

/// Sends `response` and keeps the connection open until the client closes it.
std::function<void(int)> reply_and_hold(std::string response) {
  return [response](int fd) {
    write_all(fd, response);
    char byte;
    while (::recv(fd, &byte, 1, 0) > 0) {
    }
  };
}

class HttpTest : public ::testing::Test {
 protected:
  /// Starts the emulator with www.example.com:80 mapped to the server's port.
  void start(std::uint16_t port, std::vector<std::string> arguments = {}) {
    arguments.push_back("--connect-to");
    arguments.push_back("www.example.com:80:127.0.0.1:" + std::to_string(port));
    m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state", std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  /// Starts with a configuration file holding `json`.
  void start_with_config(std::uint16_t port, const std::string& json) {
    const auto path = m_temp.path() / "config.json";
    std::ofstream{path} << json;
    start(port, {"--config", path.string()});
  }
  PtyHost& host() { return *m_host; }
  /// Sends a command and reads its answer through `end` (a body need not end with CRLF, so
  /// PtyHost::command's line-based search does not apply).
  std::string run(std::string_view command, std::string_view end = ok,
                  std::chrono::milliseconds deadline = 5s) {
    host().send(std::string{command} + "\r");
    return host().read_until(end, deadline);
  }

  TempDir m_temp;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_F(HttpTest, ContentLengthBodyAndTheExactRequest) {
  Recorder recorder;
  TcpPeer server{http_server(
      recorder,
      reply("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/index.html,,0,,,,"),
            "AT-S.Http Server Status Code:200\r\nhelloAT-S.OK\r\n");
  EXPECT_EQ(recorder.request(),
            "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n");
}

TEST_F(HttpTest, EmptyPathIsSlashAndEmptyPortIs80) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 204 No Content\r\n\r\n"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,,,0,,,,"),
            "AT-S.Http Server Status Code:204\r\nAT-S.OK\r\n");
  EXPECT_EQ(recorder.request(),
            "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n");
}

TEST_F(HttpTest, ChunkedBodyKeepsItsFramingByteForByte) {
  Recorder recorder;
  const std::string body = "78b7\r\n<!doctype html>\r\n5\r\nhello\r\n0\r\n\r\n";
  TcpPeer server{
      http_server(recorder, reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body))};
  start(server.port());
  host().send("AT+S.HTTPGET=www.example.com,/,80,0,,,,\r");
  EXPECT_EQ(host().read_exactly(34), "AT-S.Http Server Status Code:200\r\n");
  EXPECT_EQ(host().read_exactly(body.size()), body);
  EXPECT_EQ(host().read_exactly(ok.size()), ok);
}

TEST_F(HttpTest, CompleteResponseEndsEvenWhenTheServerHoldsTheConnection) {
  Recorder recorder;
  const std::string chunked = "4\r\nwiki\r\n0\r\n\r\n";
  TcpPeer server{http_server(
      recorder, reply_and_hold("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked))};
  start_with_config(server.port(), R"({"http_idle_timeout_ms": 60000})");
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,"),
            "AT-S.Http Server Status Code:200\r\n" + chunked + "AT-S.OK\r\n");
}

TEST_F(HttpTest, ErrorStatusAddsServerErrorAndEndsWith111) {
  // Spec §3.8: the real log's two lines, then (adopted) the body and 111.
  Recorder recorder;
  TcpPeer server{
      http_server(recorder, reply("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/missing,,0,,,,", request_failed),
            "AT-S.Http Server Status Code:404\r\nAT-S.Http Server Error:404\r\nnot found" +
                std::string{request_failed});
  // With <DownFile> the body goes to the file and the command still fails.
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/missing,,0,,,nf.html,", request_failed),
            "AT-S.Http Server Status Code:404\r\nAT-S.Http Server Error:404\r\n" +
                std::string{request_failed});
  EXPECT_EQ(run("AT+S.FSP=nf.html,,"), "not foundAT-S.OK\r\n");
}

TEST_F(HttpTest, StatusBelow400EndsWithOk) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 399 Odd\r\nContent-Length: 3\r\n\r\nodd"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,"),
            "AT-S.Http Server Status Code:399\r\noddAT-S.OK\r\n");
}

TEST_F(HttpTest, RedirectIsReportedNotFollowed) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 301 Moved Permanently\r\n"
                                             "Location: http://www.example.com/new\r\n"
                                             "Content-Length: 0\r\n\r\n"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/old,,0,,,,"),
            "AT-S.Http Server Status Code:301\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT"), "AT-S.OK\r\n");  // nothing else arrives
  EXPECT_EQ(recorder.requests().size(), 1u);
}

TEST_F(HttpTest, BodyWithoutLengthEndsWhenTheServerCloses) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.0 200 OK\r\n\r\nuntil the close\r\n"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,"),
            "AT-S.Http Server Status Code:200\r\nuntil the close\r\nAT-S.OK\r\n");
}

TEST_F(HttpTest, ServerClosingInsideTheHeadFailsWith111) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 200 OK\r\nContent-Le"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,", request_failed), client_error(4));
}

TEST_F(HttpTest, GarbageInsteadOfAResponseFailsWith111) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("SSH-2.0-OpenSSH_9.0\r\n\r\n"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,", request_failed), client_error(5));
}

TEST_F(HttpTest, SlowButProgressingServerWorks) {
  Recorder recorder;
  // 20 pieces, 40 ms apart: 0.8 s in all, each gap well inside the 300 ms idle timeout.
  std::string body;
  for (int piece = 0; piece < 20; ++piece) body += "piece " + std::to_string(piece) + "\r\n";
  TcpPeer server{http_server(recorder, [body](int fd) {
    write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    std::size_t start = 0;
    while (start < body.size()) {
      const std::size_t end = body.find("\r\n", start) + 2;
      std::this_thread::sleep_for(40ms);  // the server's own pacing
      if (!write_all(fd, std::string_view{body}.substr(start, end - start))) return;
      start = end;
    }
  })};
  start_with_config(server.port(), R"({"http_idle_timeout_ms": 300})");
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/slow,,0,,,,"),
            "AT-S.Http Server Status Code:200\r\n" + body + "AT-S.OK\r\n");
}

TEST_F(HttpTest, SilentServerTimesOutWith111) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, [](int fd) {
    write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
    char byte;
    while (::recv(fd, &byte, 1, 0) > 0) {
    }
  })};
  start_with_config(server.port(), R"({"http_idle_timeout_ms": 300})");
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,", request_failed),
            "AT-S.Http Server Status Code:200\r\nonly part" + client_error(7));
}

TEST_F(HttpTest, BasicAuthorizationHeader) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/secret,,0,Aladdin,open sesame,,"),
            "AT-S.Http Server Status Code:200\r\nokAT-S.OK\r\n");
  EXPECT_EQ(recorder.request(),
            "GET /secret HTTP/1.1\r\nHost: www.example.com\r\n"
            "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nConnection: close\r\n\r\n");
}

TEST_F(HttpTest, PostBodyFromAFile) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"))};
  start(server.port());
  host().send("AT+S.FSC=/form.txt,7\ra=1&b=2");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(run("AT+S.HTTPPOST=www.example.com,/form,,0,,,,form.txt"),
            "AT-S.Http Server Status Code:201\r\nAT-S.OK\r\n");
  EXPECT_EQ(recorder.request(),
            "POST /form HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2");
}

TEST_F(HttpTest, PostWithoutFileSendsAnEmptyBodyAndAMissingFileIs51) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))};
  start(server.port());
  EXPECT_EQ(run("AT+S.HTTPPOST=www.example.com,/p,,0,,,,"),
            "AT-S.Http Server Status Code:200\r\nAT-S.OK\r\n");
  EXPECT_EQ(recorder.request(),
            "POST /p HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(host().command("AT+S.HTTPPOST=www.example.com,/p,,0,,,,missing.txt"),
            "AT-S.ERROR:51:Unable to open file\r\n");
  // NULL is a file name like any other (spec §9 Q6).
  EXPECT_EQ(host().command("AT+S.HTTPPOST=www.example.com,/p,,0,,,,NULL"),
            "AT-S.ERROR:51:Unable to open file\r\n");
  EXPECT_EQ(recorder.requests().size(), 1u);
}

TEST_F(HttpTest, DownFileReceivesTheBody) {
  Recorder recorder;
  TcpPeer server{http_server(
      recorder,
      reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))};
  start(server.port());
  host().send("AT+S.FSC=page.html,3\rold");
  EXPECT_EQ(host().read_until("\r\n"), "AT-S.OK\r\n");
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/page,,0,,,page.html,"),
            "AT-S.Http Server Status Code:200\r\nAT-S.OK\r\n");
  EXPECT_EQ(run("AT+S.FSP=page.html,,"), "3\r\nabc\r\n0\r\n\r\nAT-S.OK\r\n");
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/page,,0,,,bad/name,"),
            "AT-S.ERROR:51:Unable to open file\r\n");
}

TEST_F(HttpTest, OneMebibyteBodyArrivesIntact) {
  Recorder recorder;
  const std::string body = random_bytes(1024 * 1024, 7);
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 200 OK\r\nContent-Length: " +
                                             std::to_string(body.size()) + "\r\n\r\n" + body))};
  start(server.port());
  host().send("AT+S.HTTPGET=www.example.com,/big,,0,,,,\r");
  EXPECT_EQ(host().read_exactly(34), "AT-S.Http Server Status Code:200\r\n");
  EXPECT_TRUE(host().read_exactly(body.size(), 30s) == body);
  EXPECT_EQ(host().read_exactly(ok.size()), ok);
}

TEST_F(HttpTest, VerboseOffHidesTheStatusLine) {
  Recorder recorder;
  TcpPeer server{http_server(recorder, reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))};
  start(server.port());
  EXPECT_EQ(host().command("AT+S.SCFG=console_verbose,0"), "AT-S.OK\r\n");
  EXPECT_EQ(run("AT+S.HTTPGET=www.example.com,/,,0,,,,"), "hiAT-S.OK\r\n");
}

TEST_F(HttpTest, Failures) {
  start(unused_port());
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/,,0,,,"),
            "AT-S.ERROR:2:Missing argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/,,0,,,,,"),
            "AT-S.ERROR:6:Too many argument(s)\r\n");
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/,,3,,,,"),
            "AT-S.ERROR:7:Invalid argument(s)\r\n");
  // Nobody listens on the mapped port: refused is 1 (spec §3.8 ✔).
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/,,0,,,,"), client_error(1));
  // A name the resolver cannot map to an address.
  EXPECT_EQ(host().command("AT+S.HTTPPOST=,/,,0,,,,"), "AT-S.ERROR:65:DNS address failure\r\n");
  EXPECT_EQ(host().command("AT+S.WIFI=0"), "AT-S.OK\r\n");
  host().read_until("+WIND:38:WiFi Powered Down\r\n");
  EXPECT_EQ(host().command("AT+S.HTTPGET=www.example.com,/,,0,,,,"),
            "AT-S.ERROR:44:Wait for Connection Up\r\n");
}

}  // namespace
}  // namespace spwf::testing
