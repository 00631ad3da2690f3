// The transcript runner: every tests/transcripts/*.txt is one test. It starts the peers the file
// asks for (TLS vhosts with the certificates of scripts/make-test-certs.sh, refused ports), the
// real spwf04emu on a real pty, replays the host's bytes step by step and compares the module's
// bytes exactly, placeholders aside (format: tests/transcripts/README.md). A transcript ends with
// the runner's own check that nothing else is pending:
//   AT            (the host, after the last step)
//   AT            (the echo, when echo is on)
//   AT-S.OK
// Files are listed when ctest runs (DISCOVERY_MODE PRE_TEST), so a new log needs no rebuild.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/Peers.hpp"
#include "tests/integration/TlsPeer.hpp"
#include "tests/integration/Transcript.hpp"

namespace spwf::testing {
namespace {

namespace fs = std::filesystem;
using transcript::Match;

/// How long one step may take (a TLS handshake on a loaded machine included).
constexpr auto step_deadline = 20s;

const fs::path transcript_directory{SPWF_TRANSCRIPT_DIR};

/// The transcript files, by name without ".txt", sorted.
std::vector<std::string> transcript_names() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(transcript_directory, error)) {
    if (entry.path().extension() == ".txt") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// A test name GoogleTest accepts ("8.3-https-get" -> "8_3_https_get").
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

class TranscriptTest : public ::testing::TestWithParam<std::string> {
 protected:
  /// Reads the module's bytes until they match the step; false (with the test failed) when
  /// they cannot.
  bool expect(const transcript::Step& step, const std::string& where) {
    std::string received;
    const auto until = std::chrono::steady_clock::now() + step_deadline;
    for (;;) {
      const Match verdict = transcript::match(step.expected, received);
      if (verdict == Match::full) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      std::string more;
      if (verdict == Match::partial && left.count() > 0) more = m_host->read_exactly(1, left);
      if (more.empty()) {
        // Complete the line that differs, for the message.
        if (verdict == Match::mismatch && !received.ends_with("\n")) {
          received += m_host->read_until("\n", 1s);
        }
        ADD_FAILURE() << where << ": the module's bytes "
                      << (verdict == Match::mismatch ? "differ" : "stopped short")
                      << "\n--- expected (module lines, each ending in \\r\\n) ---\n"
                      << step.expected_text << "--- received ---\n"
                      << transcript::visible(received);
        return false;
      }
      received += more;
    }
  }

  /// Sends the host's bytes of a step.
  void send(const transcript::Step& step) {
    for (const auto& input : step.inputs) {
      switch (input.kind) {
        case transcript::HostInput::Kind::line:
          m_host->send(input.text + "\r");
          break;
        case transcript::HostInput::Kind::file:
          m_host->send(read_file(certificates() / input.text));
          break;
        case transcript::HostInput::Kind::fill:
          m_host->send(std::string(input.count, input.fill));
          break;
        case transcript::HostInput::Kind::text:
          m_host->send(input.text);
          break;
      }
    }
  }

  /// Makes the certificates (once per test) with the script's extra options.
  bool make_certificates(const std::vector<std::string>& options) {
    m_certificates = std::make_unique<TempDir>();
    std::string command =
        std::string{SPWF_MAKE_TEST_CERTS} + " '" + m_certificates->path().string() + "'";
    for (const auto& option : options) command += " " + option;
    const std::string output = run(command + " 2>&1; echo exit=$?");
    EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
    return output.find("exit=0") != std::string::npos;
  }
  fs::path certificates() const { return m_certificates ? m_certificates->path() : fs::path{}; }

  /// Starts the peers of the transcript and returns the emulator's --connect-to arguments.
  std::vector<std::string> start_peers(const transcript::Transcript& parsed) {
    std::vector<std::string> arguments;
    for (const auto& peer : parsed.peers) {
      std::uint16_t port = 0;
      if (peer.kind == transcript::Peer::Kind::https) {
        TlsPeerOptions options;
        options.default_identity = {certificates() / peer.certificate, certificates() / peer.key};
        m_tls_peers.push_back(std::make_unique<TlsPeer>(std::move(options)));
        port = m_tls_peers.back()->port();
      } else {
        port = unused_port();
      }
      arguments.push_back("--connect-to");
      arguments.push_back(peer.name + ":" + std::to_string(peer.port) +
                          ":127.0.0.1:" + std::to_string(port));
    }
    return arguments;
  }

  TempDir m_temp;
  std::unique_ptr<TempDir> m_certificates;
  std::vector<std::unique_ptr<TlsPeer>> m_tls_peers;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

TEST_P(TranscriptTest, ModuleBytesMatchTheLog) {
  const fs::path file = transcript_directory / (GetParam() + ".txt");
  std::string text = read_file(file);
  std::string error;
  // First pass: which peers and certificates the file needs.
  const auto outline = transcript::parse(text, error);
  ASSERT_TRUE(outline) << file.string() << ": " << error;
  if (!outline->skip.empty()) GTEST_SKIP() << outline->skip;
  const bool needs_certificates = !outline->peers.empty() ||
                                  text.find("{size:") != std::string::npos ||
                                  text.find("\n+ file ") != std::string::npos;
  if (needs_certificates) {
    ASSERT_TRUE(make_certificates(outline->certificate_options));
  }
  text = transcript::expand_sizes(std::move(text), [&](const std::string& name) {
    std::error_code missing;
    const auto size = fs::file_size(certificates() / name, missing);
    EXPECT_FALSE(missing) << "{size:" << name << "}: " << missing.message();
    return missing ? std::uintmax_t{0} : size;
  });
  const auto parsed = transcript::parse(text, error);
  ASSERT_TRUE(parsed) << file.string() << ": " << error;
  SCOPED_TRACE("source: " + parsed->source);

  m_emulator = std::make_unique<EmulatorProcess>(m_temp.path() / "state", start_peers(*parsed));
  m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
  for (const auto& step : parsed->steps) {
    send(step);
    const std::string where = file.filename().string() + ":" + std::to_string(step.line_number);
    if (!expect(step, where)) return;
  }
  // Nothing else may be pending: the next command's answer comes straight.
  transcript::Step sentinel;
  sentinel.inputs.push_back({transcript::HostInput::Kind::line, "AT", 0, 'x'});
  sentinel.expected_text = std::string{parsed->echo_at_end ? "AT\n" : ""} + "AT-S.OK\n";
  sentinel.expected.push_back(
      {std::string{parsed->echo_at_end ? "AT\r\n" : ""} + "AT-S.OK\r\n", std::nullopt});
  send(sentinel);
  expect(sentinel, file.filename().string() + ": after the last line");
}

INSTANTIATE_TEST_SUITE_P(Logs, TranscriptTest, ::testing::ValuesIn(transcript_names()), test_name);

}  // namespace
}  // namespace spwf::testing
