#pragma once
// The control interface's listener (--control): a Unix socket or a loopback TCP port serving
// newline-delimited JSON to a few clients at once. Requests go to the ControlProtocol's verbs;
// events (the trace records: console bytes both ways, network, TLS, Wi-Fi, faults, and the
// +WIND lines) go to the clients that subscribed. It never writes AT lines: module events still
// come out through the Session's writer, and the server only reports what was written.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/ControlProtocol.hpp"

namespace spwf::emulator {

/// Where the control interface listens: a Unix socket path, or HOST:PORT (":PORT" is loopback).
struct ControlAddress {
  std::string path;  ///< non-empty for a Unix socket
  std::string host;
  std::uint16_t port = 0;
  /// "HOST:PORT", "[V6]:PORT" or ":PORT" is TCP (an empty host becomes 127.0.0.1); anything
  /// else with no ':'-number end, or containing '/', is a Unix socket path. Nullopt when empty.
  static std::optional<ControlAddress> parse(std::string_view text);
};

/// The listener and its clients.
class ControlServer {
 public:
  /// Binds at once (throws std::runtime_error naming the problem); start() begins accepting.
  ControlServer(boost::asio::any_io_executor executor, const ControlAddress& address,
                ControlProtocol& protocol);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void start();
  /// "unix:PATH" or "tcp:HOST:PORT" (the port really bound).
  std::string local_address() const;
  /// Sends an event line to every client subscribed to `name`.
  void publish(std::string_view name, const std::string& line);

 private:
  struct Client;
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<Client> client);
  boost::asio::awaitable<void> write_loop(std::shared_ptr<Client> client);
  void handle_line(Client& client, std::string_view line);
  void on_record(trace::Channel channel, trace::RecordKind kind, std::string_view text);
  /// Cuts console output into lines for the "wind" events.
  void scan_console_output(std::string_view bytes);
  /// Observes the trace only while some client is subscribed (the trace costs nothing else).
  void update_observer();
  void drop(const std::shared_ptr<Client>& client);

  boost::asio::any_io_executor m_executor;
  ControlProtocol& m_protocol;
  boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol> m_acceptor;
  std::string m_path;
  std::string m_local_address;
  std::list<std::shared_ptr<Client>> m_clients;
  std::string m_output_line;
  bool m_observing = false;
};

}  // namespace spwf::emulator
