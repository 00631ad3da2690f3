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
    std::size_t length) {
  return m_session.read_payload(length);
}

}  // namespace spwf::atcmd
