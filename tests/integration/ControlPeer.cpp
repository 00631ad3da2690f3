#include "tests/integration/ControlPeer.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace spwf::testing {
using Json = nlohmann::json;

namespace {

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "cannot connect to the control socket " << path << ": "
                  << std::strerror(errno);
  }
  return fd;
}

}  // namespace

ControlPeer::ControlPeer(const std::string& path) : m_host(connect_unix(path)) {}

std::string ControlPeer::next_line(std::chrono::milliseconds deadline) {
  std::string line = m_host.read_until("\n", deadline);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

Json ControlPeer::request(std::string_view verb, Json fields, std::chrono::milliseconds deadline) {
  const unsigned id = m_next_id++;
  fields["id"] = id;
  fields["verb"] = verb;
  m_host.send(fields.dump() + "\n");
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    const std::string line = next_line(deadline);
    if (line.empty()) break;
    Json message = Json::parse(line, nullptr, false);
    if (message.is_object() && message.contains("id") && message["id"] == id) return message;
    if (message.is_object() && message.contains("event")) m_events.push_back(std::move(message));
  }
  ADD_FAILURE() << "no reply to " << verb;
  return Json::object();
}

Json ControlPeer::ok(std::string_view verb, Json fields) {
  Json reply = request(verb, std::move(fields));
  EXPECT_TRUE(reply.contains("ok")) << verb << ": " << reply.dump();
  return reply.contains("ok") ? reply["ok"] : Json::object();
}

Json ControlPeer::next_event(std::string_view name, std::chrono::milliseconds deadline) {
  for (auto it = m_events.begin(); it != m_events.end(); ++it) {
    if ((*it)["event"] == name) {
      Json found = std::move(*it);
      m_events.erase(it);
      return found;
    }
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    const std::string line = next_line(left);
    if (line.empty()) break;
    Json message = Json::parse(line, nullptr, false);
    if (message.is_object() && message.value("event", "") == name) return message;
  }
  ADD_FAILURE() << "no " << name << " event";
  return nullptr;
}

std::string control_path(const std::filesystem::path& directory) {
  return (directory / "control.sock").string();
}

}  // namespace spwf::testing
