#include "emulator/ControlClient.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <iostream>

#include "emulator/ControlProtocol.hpp"
#include "emulator/ControlServer.hpp"

namespace spwf::emulator {
namespace asio = boost::asio;
using Generic = asio::generic::stream_protocol;

namespace {

/// What the command line asks for.
struct Request {
  std::string address;
  std::string verb;
  std::vector<std::string> arguments;
  double timeout_seconds = 10;
  long events = -1;  ///< for "events": how many to print (-1: until the emulator stops)
};

/// NAME=VALUE: VALUE as JSON when it parses (numbers, true, arrays, objects), else a string.
Json request_json(const Request& request) {
  Json json = {{"id", 1}, {"verb", request.verb == "events" ? "subscribe" : request.verb}};
  for (const auto& argument : request.arguments) {
    const auto equals = argument.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw std::runtime_error("expected NAME=VALUE, not " + argument);
    }
    const std::string value = argument.substr(equals + 1);
    Json parsed = Json::parse(value, nullptr, false);
    json[argument.substr(0, equals)] = parsed.is_discarded() ? Json(value) : parsed;
  }
  return json;
}

Generic::socket connect(asio::io_context& io, const ControlAddress& address) {
  Generic::socket socket{io};
  if (!address.path.empty()) {
    socket.connect(asio::local::stream_protocol::endpoint{address.path});
  } else {
    socket.connect(asio::ip::tcp::endpoint{asio::ip::make_address(address.host), address.port});
  }
  return socket;
}

void set_receive_timeout(Generic::socket& socket, double seconds) {
  if (seconds <= 0) return;
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(seconds);
  limit.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(limit.tv_sec)) * 1e6);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
}

int exchange(const Request& request) {
  const auto address = ControlAddress::parse(request.address);
  if (!address) throw std::runtime_error("--control: an address is needed");
  asio::io_context io;
  auto socket = connect(io, *address);
  set_receive_timeout(socket, request.timeout_seconds);
  asio::write(socket, asio::buffer(request_json(request).dump() + "\n"));
  asio::streambuf input;
  std::istream lines{&input};
  std::string line;
  // The reply first (events may come before it once subscribed).
  for (;;) {
    asio::read_until(socket, input, '\n');
    std::getline(lines, line);
    const Json message = Json::parse(line, nullptr, false);
    if (message.is_object() && message.contains("id")) {
      if (message.contains("error")) {
        std::cerr << "spwf04emu ctl: " << message["error"].get<std::string>() << '\n';
        return 1;
      }
      if (request.verb != "events") std::cout << message["ok"].dump() << '\n';
      break;
    }
    if (request.verb == "events") std::cout << line << '\n';
  }
  if (request.verb != "events") return 0;
  set_receive_timeout(socket, 0);
  for (long shown = 0; request.events < 0 || shown < request.events; ++shown) {
    boost::system::error_code error;
    asio::read_until(socket, input, '\n', error);
    if (error) return 0;
    std::getline(lines, line);
    std::cout << line << std::endl;
  }
  return 0;
}

}  // namespace

int run_control_client(int argc, char** argv) {
  CLI::App app{
      "spwf04emu ctl: send one request to an emulator's control interface "
      "(docs/control-protocol.md)"};
  Request request;
  app.add_option("--control", request.address, "The emulator's --control ADDRESS")->required();
  app.add_option("--timeout", request.timeout_seconds, "Seconds to wait for the reply")
      ->capture_default_str();
  app.add_option("--count", request.events, "events: stop after this many event lines");
  app.add_option("verb", request.verb, "The verb (\"verbs\" lists them; \"events\" subscribes)")
      ->required();
  app.add_option("arguments", request.arguments, "NAME=VALUE fields of the request");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  try {
    return exchange(request);
  } catch (const std::exception& error) {
    std::cerr << "spwf04emu ctl: " << request.address << ": " << error.what() << '\n';
    return 2;
  }
}

}  // namespace spwf::emulator
