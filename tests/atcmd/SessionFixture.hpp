#pragma once
// The fixture of the Session tests (SessionTest.cpp: boot, framing, echo, the line editor;
// SessionWindPayloadTest.cpp: +WIND holding, masking and prefixes, payloads after the CR): a
// booted module on the in-memory transport, the parameter the transport's piece size, and a
// real TCP peer for the payload commands.

#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "atcmd/CommandTable.hpp"
#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "atcmd/Wire.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "netstack/WifiLink.hpp"
#include "tests/atcmd/MemoryTransport.hpp"

namespace spwf::atcmd::session_test {

namespace asio = boost::asio;
using testing::MemoryTransport;
using Clock = std::chrono::steady_clock;

/// The boot indications of a factory module with the radio on, and its join (spec §2.9).
constexpr std::string_view factory_boot =
    "+WIND:1:Poweron:171117-0328fe3-SPWF04S\r\n"
    "+WIND:13:Copyright (c) 2012-2017 STMicroelectronics, Inc.  All rights Reserved:SPWF04SA\r\n"
    "+WIND:0:Console active\r\n"
    "+WIND:3:Watchdog Running:20\r\n"
    "+WIND:32:WiFi Hardware Started\r\n"
    // The join of the default open network "STTest" follows (instant pacing).
    "+WIND:21:WiFi Scanning\r\n"
    "+WIND:35:WiFi Scan Complete:00\r\n"
    "+WIND:19:WiFi Join:00:11:22:33:44:55\r\n"
    "+WIND:25:WiFi Association successful:STTest\r\n"
    "+WIND:24:WiFi Up:0:192.168.1.100\r\n"
    "+WIND:24:WiFi Up::fe80:0:0:0:280:e1ff:febd:39\r\n";

/// A fresh temporary directory for the module's flash, removed with the object.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "spwf-session-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

/// A real TCP peer on 127.0.0.1:0: accepts one connection and collects what it receives.
class LoopbackPeer {
 public:
  explicit LoopbackPeer(asio::io_context& io) : m_shared(std::make_shared<Shared>(io)) {
    // The coroutine holds the shared part, so it may outlive this object safely.
    asio::co_spawn(io, serve(m_shared), [](std::exception_ptr failure) {
      if (failure) ADD_FAILURE() << "the loopback peer failed";
    });
  }
  ~LoopbackPeer() {
    boost::system::error_code ignored;
    m_shared->acceptor.close(ignored);
    m_shared->socket.close(ignored);
  }
  LoopbackPeer(const LoopbackPeer&) = delete;
  LoopbackPeer& operator=(const LoopbackPeer&) = delete;

  std::uint16_t port() const { return m_shared->acceptor.local_endpoint().port(); }
  /// Everything received so far.
  const std::string& received() const { return m_shared->received; }

 private:
  struct Shared {
    explicit Shared(asio::io_context& io)
        : acceptor(io, {asio::ip::address_v4::loopback(), 0}), socket(io) {}
    asio::ip::tcp::acceptor acceptor;
    asio::ip::tcp::socket socket;
    std::string received;
  };

  static asio::awaitable<void> serve(std::shared_ptr<Shared> shared) {
    const auto token = asio::as_tuple(asio::use_awaitable);
    auto [accept_error] = co_await shared->acceptor.async_accept(shared->socket, token);
    if (accept_error) co_return;
    std::array<char, 1024> buffer;
    for (;;) {
      auto [error, count] = co_await shared->socket.async_read_some(asio::buffer(buffer), token);
      if (error) co_return;
      shared->received.append(buffer.data(), count);
    }
  }

  std::shared_ptr<Shared> m_shared;
};

/// A booted module on a memory transport; the parameter is the transport's piece size.
class SessionTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  SessionTest()
      : m_flash(m_directory.path()),
        m_state(m_io.get_executor(), config::default_emulator_config(), m_flash,
                net::LinkPacing::instant),
        m_transport(m_io.get_executor(), GetParam()),
        m_session(m_io.get_executor(), m_transport, m_state, BootPacing::instant) {
    if (auto problem = m_state.power_on()) throw std::runtime_error(*problem);
  }

  void SetUp() override {
    asio::co_spawn(m_io, m_session.run(), [this](std::exception_ptr failure) {
      m_failure = failure;
      m_finished = true;
    });
  }

  void TearDown() override {
    // The host goes away: the session must end by itself, without an exception.
    m_transport.close();
    EXPECT_TRUE(run_until([this] { return m_finished; })) << "the session did not end";
    if (m_failure) {
      try {
        std::rethrow_exception(m_failure);
      } catch (const std::exception& error) {
        ADD_FAILURE() << "the session ended with an exception: " << error.what();
      }
    }
  }

  /// Runs the io_context until `done` holds or the deadline passes; returns whether it held.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    const auto until = Clock::now() + deadline;
    while (!done()) {
      if (Clock::now() >= until) return false;
      if (m_io.stopped()) m_io.restart();
      m_io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  /// Runs every handler that is ready, until the session waits for the host again.
  void settle() {
    if (m_io.stopped()) m_io.restart();
    while (m_io.poll() > 0) {
      if (m_io.stopped()) m_io.restart();
    }
  }

  /// Waits for the boot indications and the NTP delivery that follows the join (factory
  /// ip_ntp_startup=1; its fields are the host's time), and forgets them.
  void boot() {
    const auto complete = [this] {
      const std::string& output = m_transport.output();
      return output.size() > factory_boot.size() && output.starts_with(factory_boot) &&
             output.ends_with("\r\n");
    };
    ASSERT_TRUE(run_until(complete)) << m_transport.output();
    settle();
    const std::string output = m_transport.take_output();
    ASSERT_TRUE(output.starts_with(factory_boot)) << output;
    EXPECT_TRUE(std::regex_match(
        output.substr(factory_boot.size()),
        std::regex("\\+WIND:84:NTP Server "
                   "delivery:[0-9]+\\.[0-9]+\\.[0-9]+:[0-9]+:[0-9]+\\.[0-9]+\\.0\r\n")))
        << output;
  }

  /// Sends host bytes, waits until the module has written `ending`, then returns all the
  /// module wrote in reply (including anything after `ending` once the session is idle).
  std::string exchange(std::string_view host_bytes, std::string_view ending) {
    m_transport.push(host_bytes);
    const bool arrived = run_until([&] { return m_transport.output().ends_with(ending); });
    settle();
    EXPECT_TRUE(arrived) << "waited for \"" << ending << "\", got \"" << m_transport.output()
                         << "\"";
    return m_transport.take_output();
  }

  /// Sends host bytes that produce no final line and returns what the module wrote by the time
  /// it waits for the host again (echo only, or nothing).
  std::string send(std::string_view host_bytes) {
    m_transport.push(host_bytes);
    EXPECT_TRUE(run_until([this] { return m_transport.pending_input() == 0; }));
    settle();
    return m_transport.take_output();
  }

  /// Opens client socket 0 to `peer` with AT+S.SOCKON and checks the answer.
  void open_socket(const LoopbackPeer& peer) {
    const std::string command = "AT+S.SOCKON=127.0.0.1," + std::to_string(peer.port()) + ",NULL,t";
    ASSERT_EQ(exchange(command + "\r", "AT-S.OK\r\n"),
              command + "\r\nAT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n");
  }

  /// Sets a configuration variable through the console and checks the OK.
  void set_variable(std::string_view name, std::string_view value) {
    const std::string command = "AT+S.SCFG=" + std::string{name} + "," + std::string{value};
    ASSERT_EQ(
        exchange(command + "\r", "AT-S.OK\r\n"),
        (m_state.config().get_uint("console_echo") != 0 ? command + "\r\n" : "") + "AT-S.OK\r\n");
  }

  TemporaryDirectory m_directory;
  config::FlashStore m_flash;
  asio::io_context m_io;  // before every I/O object, which must not outlive it
  ModuleState m_state;
  MemoryTransport m_transport;
  Session m_session;
  bool m_finished = false;
  std::exception_ptr m_failure;
};

inline std::string piece_name(const ::testing::TestParamInfo<std::size_t>& info) {
  if (info.param == MemoryTransport::unlimited) return "unlimited";
  return "pieces_of_" + std::to_string(info.param);
}

}  // namespace spwf::atcmd::session_test
