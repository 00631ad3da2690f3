#pragma once
// The module's own TFTP server (ip_use_tftpd=1, spec §3.13, §5 WIND 90): it runs while the link
// is up, on the emulator's configured address and port (the module's UDP 69 needs root on a host
// and would clash with the host's own server). A WRQ stores the file when its last block has come
// (the owner raises +WIND:90); an RRQ serves a file. Each transfer runs from a socket of its own
// (its transfer id, RFC 1350), a few at a time; requests beyond that get ERROR 0, requests in
// another mode than octet ERROR 0 too, a file that cannot be read ERROR 1, one that cannot be
// stored ERROR 2 or 3.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netstack/TftpTransfer.hpp"

namespace spwf::net {

/// What the server may do with the module's files.
struct TftpServerFiles {
  /// The content of a file, or nullopt when it cannot be read (ERROR 1).
  std::function<std::optional<std::string>(const std::string& name)> load;
  /// True when a file of `size` bytes could be stored under `name` (checked as blocks arrive).
  std::function<bool(const std::string& name, std::size_t size)> has_room;
  /// Stores a received file, replacing one of that name; false when it cannot.
  std::function<bool(const std::string& name, const std::string& content)> store;
};

/// The server; start() and stop() follow the link.
class TftpServer {
 public:
  TftpServer(boost::asio::any_io_executor executor, TftpTiming timing, TftpServerFiles files,
             std::size_t max_transfers);
  ~TftpServer();
  TftpServer(const TftpServer&) = delete;
  TftpServer& operator=(const TftpServer&) = delete;

  /// Listens on `where` (no effect when already listening); false when the port cannot be bound.
  bool start(const boost::asio::ip::udp::endpoint& where);
  /// Stops listening and ends every transfer at once (nothing half-received is stored).
  void stop();
  bool running() const { return m_listener != nullptr; }

 private:
  struct Transfer;
  boost::asio::awaitable<void> serve(std::shared_ptr<boost::asio::ip::udp::socket> listener);
  boost::asio::awaitable<void> run(std::shared_ptr<Transfer> transfer);
  /// Sends an ERROR packet from `socket` (nothing waits for its answer).
  static void refuse(boost::asio::ip::udp::socket& socket,
                     const boost::asio::ip::udp::endpoint& client, tftp::ErrorCode code,
                     std::string_view text);

  boost::asio::any_io_executor m_executor;
  TftpTiming m_timing;
  TftpServerFiles m_files;
  std::size_t m_max_transfers;
  std::shared_ptr<boost::asio::ip::udp::socket> m_listener;
  std::vector<std::shared_ptr<Transfer>> m_transfers;
  std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

}  // namespace spwf::net
