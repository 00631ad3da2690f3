// libFuzzer target for a whole console Session (issue 10): arbitrary host bytes (command lines,
// payloads, garbage, in pieces of the size the first byte picks) go through the Session and
// every command handler over an in-memory transport, against a module whose network is sealed
// (every address denied, no host DNS, short timeouts) so nothing leaves the process.
// A crash, a sanitizer report, an exception that escapes the Session, or a Session that does
// not end once the host has gone and the loop has run for its budget all count as failures.
//
// Input layout: byte 0 chooses the transport's piece size (1 + byte % 64, or unlimited for 0);
// the rest is what the host sends, after which it closes the console.

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string_view>

#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "config/EmulatorConfig.hpp"
#include "config/FlashStore.hpp"
#include "support/Log.hpp"
#include "tests/atcmd/MemoryTransport.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using spwf::atcmd::testing::MemoryTransport;

/// One state directory for the whole run, under the system's temporary directory.
const std::filesystem::path& state_directory() {
  static const std::filesystem::path directory = [] {
    auto path = std::filesystem::temp_directory_path() /
                ("spwf-fuzz-session-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    // Quiet: the fuzzer prints its own progress; errors still show.
    spwf::log::set_level(spwf::log::Level::error);
    // Removed at exit; a copy that is never destroyed, as atexit handlers may run after the
    // static's own destructor.
    static const auto* const leftover = new std::filesystem::path(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*leftover, ignored);
    });
    return path;
  }();
  return directory;
}

spwf::config::EmulatorConfig sealed_settings() {
  auto settings = spwf::config::default_emulator_config();
  settings.deny = {"0.0.0.0/0", "::/0"};
  settings.host_dns = false;
  settings.connect_timeout = 20ms;
  settings.http_idle_timeout = 20ms;
  settings.join_retry_interval = 20ms;
  return settings;
}

// How many ready handlers one input may run, and how long the loop may wait for a timer.
constexpr int k_step_budget = 20000;
constexpr auto k_wait_budget = 200ms;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] == 0 ? MemoryTransport::unlimited : 1 + data[0] % 64;
  const std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};

  asio::io_context io;  // declared first: every I/O object below must be gone before it
  spwf::config::FlashStore flash{state_directory()};
  flash.erase_config();
  flash.load_config();
  spwf::atcmd::ModuleState state{io.get_executor(), sealed_settings(), flash,
                                 spwf::net::LinkPacing::instant};
  if (state.power_on()) std::abort();
  MemoryTransport transport{io.get_executor(), piece};
  spwf::atcmd::Session session{io.get_executor(), transport, state,
                               spwf::atcmd::BootPacing::instant};
  bool finished = false;
  std::exception_ptr failure;
  asio::co_spawn(io, session.run(), [&](std::exception_ptr error) {
    failure = error;
    finished = true;
  });
  transport.push(input);
  transport.close();
  const auto deadline = std::chrono::steady_clock::now() + k_wait_budget;
  for (int step = 0; step < k_step_budget && !finished; ++step) {
    if (io.stopped()) io.restart();
    if (io.run_one_until(deadline) == 0 && std::chrono::steady_clock::now() >= deadline) break;
  }
  if (failure) std::abort();  // an exception escaped the Session
  // A command may still wait on a timer (PING, standby, a payload the host never finished):
  // the loop's budget ends the run there, which is not a failure.
  return 0;
}
