#include "netstack/WebSocketClients.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/error.hpp>

#include "support/Limits.hpp"
#include "support/Log.hpp"

namespace spwf::net {
namespace asio = boost::asio;

struct WebSocketClients::Slot {
  Slot(asio::any_io_executor executor, WebSocketClients& owner_, unsigned id_)
      : owner(&owner_), id(id_), space(executor) {}
  WebSocketClients* owner;  ///< valid while !dropped
  unsigned id;
  std::string host;
  std::uint16_t port = 0;
  std::shared_ptr<WebSocketClient> client;
  std::shared_ptr<void> held;  ///< the module's resources, given back with the instance
  std::string buffer;
  std::size_t capacity = limits::websocket_buffer_unit;
  asio::steady_timer space;      ///< woken when the host has read (or the slot is dropped)
  bool message_started = false;  ///< an earlier piece of the current message was reported
  bool dropped = false;          ///< closed by the module, or after the peer's close
};

WebSocketClients::WebSocketClients(asio::any_io_executor executor, const HostMapper& mapper,
                                   ClientInstances& instances, std::chrono::milliseconds timeout,
                                   NetEventSink sink)
    : m_executor(std::move(executor)),
      m_mapper(mapper),
      m_instances(instances),
      m_timeout(timeout),
      m_sink(std::move(sink)) {}

WebSocketClients::~WebSocketClients() {
  close_all();
}

asio::awaitable<std::variant<unsigned, WebSocketOpenError>> WebSocketClients::open(
    WebSocketRequest request, StreamWrapper wrap, std::size_t capacity,
    std::shared_ptr<void> held) {
  const auto id = m_instances.acquire(ClientKind::websocket);
  if (!id) co_return WebSocketOpenError::no_instance;
  const auto slot = std::make_shared<Slot>(m_executor, *this, static_cast<unsigned>(*id));
  slot->host = request.host;
  slot->port = request.port;
  slot->capacity = std::max<std::size_t>(1, capacity);
  slot->held = std::move(held);
  // Held while connecting, so that close_all (a power-on meanwhile) gives the id back too.
  m_slots.emplace(slot->id, slot);
  request.faults.id = slot->id;
  request.faults.name = "websocket " + std::to_string(slot->id);
  auto outcome = co_await WebSocketClient::connect(m_executor, m_mapper, std::move(request),
                                                   std::move(wrap), m_timeout);
  if (slot->dropped) {
    if (auto* client = std::get_if<std::shared_ptr<WebSocketClient>>(&outcome)) (*client)->abort();
    co_return WebSocketOpenError::connect_failed;
  }
  if (const auto* failure = std::get_if<WebSocketError>(&outcome)) {
    m_slots.erase(slot->id);
    m_instances.release(slot->id);
    slot->held.reset();
    switch (*failure) {
      case WebSocketError::name_not_resolved:
        co_return WebSocketOpenError::name_not_resolved;
      case WebSocketError::tls_failed:
        co_return WebSocketOpenError::tls_failed;
      case WebSocketError::handshake_failed:
        co_return WebSocketOpenError::handshake_failed;
      case WebSocketError::connect_failed:
        break;
    }
    co_return WebSocketOpenError::connect_failed;
  }
  slot->client = std::get<std::shared_ptr<WebSocketClient>>(std::move(outcome));
  asio::co_spawn(m_executor, receive_loop(slot), [](std::exception_ptr failure) {
    if (failure) log::error("websocket receive loop failed");
  });
  co_return slot->id;
}

asio::awaitable<void> WebSocketClients::receive_loop(std::shared_ptr<Slot> slot) {
  std::array<char, limits::websocket_buffer_unit> chunk;
  for (;;) {
    while (!slot->dropped && slot->buffer.size() >= slot->capacity) {
      slot->space.expires_at(asio::steady_timer::time_point::max());
      co_await slot->space.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (slot->dropped) co_return;
    const std::size_t room = std::min(chunk.size(), slot->capacity - slot->buffer.size());
    const WebSocketRead read = co_await slot->client->read_some({chunk.data(), room});
    if (slot->dropped) co_return;
    // An empty final frame (python-websockets ends fragmented messages so) still ends the
    // message: it is reported, with 0 bytes.
    if (read.count > 0 || read.message_done) {
      slot->buffer.append(chunk.data(), read.count);
      // The flags a WSOCKW would carry to send the same piece (spec §3.11 ?): a whole message
      // 0,0; a piece with more to come 1,0; the piece that ends a message of several 1,1.
      WebSocketData data;
      data.id = slot->id;
      data.last_frame = read.message_done && !slot->message_started ? 0 : 1;
      data.last_fragment = read.message_done && slot->message_started ? 1 : 0;
      data.received = read.count;
      data.total = slot->buffer.size();
      slot->message_started = !read.message_done;
      slot->owner->m_sink(data);
    }
    if (read.error) {
      slot->owner->peer_gone(slot);
      co_return;
    }
  }
}

void WebSocketClients::peer_gone(const std::shared_ptr<Slot>& slot) {
  slot->dropped = true;
  slot->client->abort();
  m_slots.erase(slot->id);
  m_instances.release(slot->id);
  slot->held.reset();
  m_sink(WebSocketClosed{slot->id});
}

std::optional<std::size_t> WebSocketClients::pending(unsigned id) const {
  const auto found = m_slots.find(id);
  if (found == m_slots.end() || !found->second->client) return std::nullopt;
  return found->second->buffer.size();
}

std::string WebSocketClients::read(unsigned id, std::size_t count) {
  const auto found = m_slots.find(id);
  if (found == m_slots.end()) return {};
  Slot& slot = *found->second;
  std::string taken = slot.buffer.substr(0, count);
  slot.buffer.erase(0, taken.size());
  slot.space.cancel();
  return taken;
}

asio::awaitable<NetError> WebSocketClients::write(unsigned id, std::string_view bytes,
                                                  MessageType type, FrameEnd end) {
  const auto found = m_slots.find(id);
  if (found == m_slots.end() || !found->second->client) co_return NetError::illegal_id;
  const auto slot = found->second;
  const auto client = slot->client;  // kept alive across the write
  const auto error = co_await client->write(bytes, type, end);
  if (!error) co_return NetError::none;
  // A close frame already received, or the connection gone: the socket is not connected.
  if (error == boost::beast::websocket::error::closed || slot->dropped ||
      error == asio::error::eof || error == asio::error::connection_reset) {
    co_return NetError::not_connected;
  }
  co_return NetError::write_failed;
}

void WebSocketClients::close(unsigned id, std::uint16_t code) {
  const auto found = m_slots.find(id);
  if (found == m_slots.end() || !found->second->client) return;
  const auto slot = found->second;
  slot->dropped = true;
  slot->space.cancel();
  m_slots.erase(found);
  m_instances.release(id);
  slot->held.reset();
  asio::co_spawn(
      m_executor,
      [](std::shared_ptr<WebSocketClient> client, std::uint16_t status) -> asio::awaitable<void> {
        co_await client->close(status);
      }(slot->client, code),
      [](std::exception_ptr failure) {
        if (failure) log::error("websocket close failed");
      });
}

std::vector<WebSocketInfo> WebSocketClients::list() const {
  std::vector<WebSocketInfo> rows;
  for (const auto& [id, slot] : m_slots) {
    if (slot->client) rows.push_back({id, slot->host, slot->port});
  }
  return rows;
}

void WebSocketClients::close_all() {
  for (const auto& [id, slot] : m_slots) {
    slot->dropped = true;
    slot->space.cancel();
    if (slot->client) slot->client->abort();
    m_instances.release(id);
    slot->held.reset();
  }
  m_slots.clear();
}

}  // namespace spwf::net
