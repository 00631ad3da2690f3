#pragma once
// The fixture of the TLS integration tests (TlsTest.cpp: client sockets; TlsCertStoreTest.cpp:
// AT+S.TLSCERT): the emulator on a pty with the seed names mapped to a loopback server, the
// certificates of scripts/make-test-certs.sh, and the store's answers.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/CertificateSuite.hpp"
#include "tests/integration/EmulatorProcess.hpp"
#include "tests/integration/TlsPeer.hpp"

namespace spwf::testing {

/// 2024-06-01T00:00:00Z: inside every normal certificate's validity.
constexpr std::string_view time_2024 = "1717200000";
/// 2050-06-01: after the leaves' notAfter (2049-12-31), before the root's.
constexpr std::string_view time_2050 = "2537395200";
/// 2019-06-01: before the leaves' notBefore (2020-01-01), after the root's.
constexpr std::string_view time_2019 = "1559347200";

/// The SubjectKeyId as `openssl x509 -ext subjectKeyIdentifier` prints it (upper hex with ':').
inline std::string openssl_subject_key_id(const std::filesystem::path& certificate) {
  const std::string text =
      run("openssl x509 -noout -ext subjectKeyIdentifier -in '" + certificate.string() + "'");
  const auto line = text.find('\n');
  std::string value = line == std::string::npos ? std::string{} : text.substr(line + 1);
  std::erase_if(value, [](char c) { return c == ' ' || c == '\n'; });
  return value;
}

class TlsTest : public CertificateSuite {
 protected:
  static TlsIdentity identity(std::string_view name) {
    return {cert(std::string{name} + ".pem"), cert(std::string{name} + ".key")};
  }
  /// An echo server with the seed identity that requires a client certificate from root-ca.
  static TlsPeerOptions mutual_authentication_echo() {
    TlsPeerOptions options;
    options.default_identity = identity("seed");
    options.mode = TlsPeerMode::echo;
    options.client_auth = ClientAuth::required;
    options.client_ca = cert("root-ca.pem");
    return options;
  }

  std::filesystem::path state_dir() const { return m_temp.path() / "state"; }

  /// Starts the emulator (echo off) with the two seed names pointed at `port`.
  void start(std::uint16_t port = 0, std::vector<std::string> arguments = {}) {
    if (port != 0) {
      for (const char* name : {"www.ssllabs.com", "ssllabs.com"}) {
        arguments.push_back("--connect-to");
        arguments.push_back(std::string{name} + ":443:127.0.0.1:" + std::to_string(port));
      }
    }
    m_arguments = arguments;
    m_host.reset();
    m_emulator.reset();  // one emulator owns the state directory at a time
    m_emulator = std::make_unique<EmulatorProcess>(state_dir(), std::move(arguments));
    m_host = std::make_unique<PtyHost>(m_emulator->pty_path());
    m_host->read_until(factory_start_text());
    ASSERT_EQ(m_host->command("AT+S.SCFG=console_echo,0"),
              "AT+S.SCFG=console_echo,0\r\nAT-S.OK\r\n");
  }
  /// Stops the emulator and starts it again on the same flash.
  void restart() {
    m_host.reset();
    m_emulator->terminate();
    m_emulator.reset();
    start(0, m_arguments);
  }
  PtyHost& host() { return *m_host; }

  /// TLSCERT=<keyword>,<length> followed at once by the payload; returns the answer.
  std::string load(std::string_view keyword, std::string_view payload) {
    host().send("AT+S.TLSCERT=" + std::string{keyword} + "," + std::to_string(payload.size()) +
                "\r");
    host().send(payload);
    return read_answer();
  }
  std::string load_file(std::string_view keyword, std::string_view file) {
    return load(keyword, read_file(cert(file)));
  }
  /// Everything through the final OK or ERROR line.
  std::string read_answer(std::chrono::milliseconds deadline = 10s) {
    std::string answer;
    for (;;) {
      const std::string line = host().read_until("\r\n", deadline);
      answer += line;
      if (line.empty() || line == "AT-S.OK\r\n" || line.starts_with("AT-S.ERROR:")) return answer;
    }
  }
  std::string ca_loaded_answer() {
    return "AT-S.SubjectKeyId:" + openssl_subject_key_id(cert("root-ca.pem")) + "\r\nAT-S.OK\r\n";
  }
  std::string content(std::size_t ca, std::size_t certificate, std::size_t key, std::size_t id) {
    return "AT-S.CA:" + std::to_string(ca) + "\r\nAT-S.Cert:" + std::to_string(certificate) +
           "\r\nAT-S.Key:" + std::to_string(key) + "\r\nAT-S.Id:" + std::to_string(id) +
           "\r\nAT-S.OK\r\n";
  }
  std::size_t size_of(std::string_view file) { return read_file(cert(file)).size(); }
  void set_time(std::string_view seconds) {
    ASSERT_EQ(host().command("AT+S.TIME=" + std::string{seconds}), "AT-S.OK\r\n");
  }
  /// SOCKON with a deadline long enough for a handshake that has to time out.
  std::string sockon(std::string_view arguments, std::chrono::milliseconds deadline = 15s) {
    host().send("AT+S.SOCKON=" + std::string{arguments} + "\r");
    return read_answer(deadline);
  }
  /// Sends `data` on socket `id` and returns what the server answers (one WIND 55's worth).
  std::string exchange(unsigned id, std::string_view data) {
    host().send("AT+S.SOCKW=" + std::to_string(id) + "," + std::to_string(data.size()) + "\r");
    host().send(data);
    EXPECT_EQ(host().read_until("AT-S.OK\r\n"), "AT-S.OK\r\n");
    const std::string wind =
        host().read_until("+WIND:55:Pending Data::" + std::to_string(id) + ":", 10s);
    host().read_until("\r\n");
    host().send("AT+S.SOCKR=" + std::to_string(id) + ",0\r");
    std::string header = host().read_until("\r\n");
    unsigned count = 0, pending = 0;
    EXPECT_EQ(std::sscanf(header.c_str(), "AT-S.Reading:%u:%u", &count, &pending), 2) << header;
    std::string received = host().read_exactly(count);
    EXPECT_EQ(host().read_exactly(9), "AT-S.OK\r\n");
    return received;
  }

  TempDir m_temp;
  std::vector<std::string> m_arguments;
  std::unique_ptr<EmulatorProcess> m_emulator;
  std::unique_ptr<PtyHost> m_host;
};

}  // namespace spwf::testing
