#include "atcmd/CommandContext.hpp"

#include "atcmd/Session.hpp"

namespace spwf::atcmd {

CommandContext::CommandContext(Session& session, Arguments arguments, bool has_arguments)
    : m_session(session), m_arguments(std::move(arguments)), m_has_arguments(has_arguments) {}

ModuleState& CommandContext::state() {
  return m_session.state();
}

void CommandContext::result(std::string_view label, std::string_view fields) {
  m_session.write_result(label, fields);
}

void CommandContext::info(std::string_view label, std::string_view fields) {
  m_session.write_info(label, fields);
}

void CommandContext::raw(std::string_view bytes) {
  m_session.write_raw(bytes);
}

boost::asio::awaitable<std::optional<std::string>> CommandContext::read_payload(
    std::uint64_t length, std::uint64_t most) {
  if (length > most) {
    co_await discard_payload(length);
    co_return std::nullopt;
  }
  std::string payload;
  payload.reserve(static_cast<std::size_t>(length));
  while (payload.size() < length) {
    const auto piece = co_await m_session.read_payload_piece(length - payload.size());
    if (!piece) co_return std::nullopt;
    payload += *piece;
  }
  co_return payload;
}

boost::asio::awaitable<bool> CommandContext::discard_payload(std::uint64_t length) {
  while (length > 0) {
    const auto piece = co_await m_session.read_payload_piece(length);
    if (!piece) co_return false;
    length -= piece->size();
  }
  co_return true;
}

boost::asio::awaitable<std::optional<std::string_view>> CommandContext::read_payload_piece(
    std::uint64_t remaining) {
  return m_session.read_payload_piece(remaining);
}

}  // namespace spwf::atcmd
