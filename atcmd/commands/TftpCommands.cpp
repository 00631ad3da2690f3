// The module's TFTP client commands over net::tftp_get / net::tftp_put (RFC 1350, octet mode).
// Order of checks: parameter count (2/6), wifi_state (44), <host> and the remote name not empty
// and <port> a number up to 65535 (7; empty port: 69), the local file (TFTPGET: a name the volume
// takes, 50/51; TFTPPUT: the file exists, else 51), the heap (91), then the transfer.
// TFTPGET with an empty <LocalFile> (X-CUBE sends "TFTPGET=%s,%d,%s,") stores the file under the
// remote name's last part (after its last '/'; ? adopted: the module's choice is not known). The
// file is written only when the transfer is complete, replacing an older file of that name; a
// failed transfer leaves the volume as it was. Failures (wire::tftp): DNS 65; no answer, an ERROR
// packet, a refused destination 111; a download the volume has no room for is the file system's
// error (32), as for HTTP.

#include "atcmd/commands/TftpCommands.hpp"

#include <string>
#include <string_view>

#include "atcmd/CommandContext.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/commands/FileCommands.hpp"
#include "config/ModuleFileSystem.hpp"
#include "netstack/TftpClient.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

using config::FileError;

// Field positions of TFTPGET/TFTPPUT.
namespace field {
constexpr std::size_t host = 0, port = 1, remote_file = 2, local_file = 3;
}  // namespace field

/// The checks both commands share; fills `target` when they pass.
AtError check_target(CommandContext& context, net::TftpTarget& target) {
  const Arguments& args = context.args();
  if (context.state().wifi_state() < 10) return AtError::wait_for_connection_up;
  if (args.text(field::host).empty() || args.text(field::remote_file).empty()) {
    return wire::tftp::bad_parameter;
  }
  target.host = std::string{args.text(field::host)};
  target.remote_file = std::string{args.text(field::remote_file)};
  if (!args.text(field::port).empty()) {
    if (!args.is_number(field::port) || args.number(field::port) > 0xFFFF) {
      return wire::tftp::bad_parameter;
    }
    target.port = static_cast<std::uint16_t>(args.number(field::port));
  }
  if (target.port == 0) target.port = net::tftp::server_port;
  return AtError::none;
}

/// The transfer's timing from the emulator's configuration.
net::TftpTiming timing(const ModuleState& state) {
  return net::TftpTiming{state.settings().tftp_timeout, limits::tftp_retries};
}

/// The module's heap for one transfer (a socket's share and a block buffer), or null.
std::shared_ptr<void> hold_heap(ModuleState& state) {
  auto memory = state.heap().hold(HeapUser::tftp_client, 0,
                                  HeapModel::socket_cost(limits::tftp_buffer, false));
  if (!memory) {
    log::warn("TFTP: the module's heap has " + std::to_string(state.heap().free()) +
              " bytes free: Low Memory");
  }
  return memory;
}

/// The module's error for a failed transfer (after the log line).
AtError transfer_error(const net::TftpOutcome& outcome, const net::TftpTarget& target) {
  log::info("TFTP " + target.remote_file + " with " + target.host + ":" +
            std::to_string(target.port) + " failed: " + net::to_string(outcome));
  if (outcome.error == net::TftpError::name_not_resolved) return wire::tftp::name_not_resolved;
  return wire::tftp::request_failed;
}

/// The module's number for a failed file operation on the local file.
AtError file_error(const std::error_code& error, std::string_view name) {
  log::info("TFTP local file " + std::string{name} + ": " + error.message());
  return file_error_to_at(error, AtError::file_open);
}

}  // namespace

asio::awaitable<AtError> tftp_get(CommandContext& context) {
  if (auto error = context.args().check_count(3, 4); error != AtError::none) co_return error;
  net::TftpTarget target;
  if (auto error = check_target(context, target); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  std::string local_file{context.args().text(field::local_file)};
  if (local_file.empty()) local_file = target.remote_file.substr(target.remote_file.rfind('/') + 1);
  auto& files = state.files();
  if (auto error = files.check_append(local_file, 0)) co_return file_error(error, local_file);
  const auto memory = hold_heap(state);
  if (!memory) co_return AtError::low_memory;

  // The blocks are kept until the last one has come; each is checked against the volume's room
  // (the old file's bytes count as free: the download replaces it).
  std::string download;
  std::error_code room;
  std::uint64_t old_size = 0;
  if (std::string old; !files.read(local_file, old)) old_size = old.size();
  auto sink = [&](std::string_view block) {
    download.append(block);
    if (download.size() > limits::tftp_download_bytes) {
      room = make_error_code(FileError::no_space);
    } else if (download.size() > old_size) {
      room = files.check_append(local_file, download.size() - old_size);
    }
    return !room;
  };
  const auto outcome =
      co_await net::tftp_get(state.executor(), state.mapper(), target, timing(state),
                             state.settings().connect_timeout, sink);
  if (outcome.error == net::TftpError::local_refused) co_return file_error(room, local_file);
  if (outcome.error != net::TftpError::none) co_return transfer_error(outcome, target);
  if (auto error = files.remove(local_file); error && error != FileError::not_found) {
    co_return file_error(error, local_file);
  }
  if (auto error = files.append(local_file, download)) co_return file_error(error, local_file);
  co_return AtError::none;
}

asio::awaitable<AtError> tftp_put(CommandContext& context) {
  if (auto error = context.args().check_count(3, 3); error != AtError::none) co_return error;
  net::TftpTarget target;
  if (auto error = check_target(context, target); error != AtError::none) co_return error;
  ModuleState& state = context.state();
  std::string content;
  if (auto error = state.files().read(target.remote_file, content)) {
    log::info("TFTP local file " + target.remote_file + ": " + error.message());
    co_return error == FileError::not_found ? wire::tftp::missing_local_file
                                            : file_error_to_at(error, AtError::file_open);
  }
  const auto memory = hold_heap(state);
  if (!memory) co_return AtError::low_memory;
  const auto outcome =
      co_await net::tftp_put(state.executor(), state.mapper(), target, timing(state),
                             state.settings().connect_timeout, std::move(content));
  if (outcome.error != net::TftpError::none) co_return transfer_error(outcome, target);
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
