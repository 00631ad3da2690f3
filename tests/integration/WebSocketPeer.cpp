#include "tests/integration/WebSocketPeer.hpp"

namespace spwf::testing {

WebSocketPeer::WebSocketPeer(std::vector<std::string> arguments)
    : m_process(python_argv(SPWF_WS_SERVER, std::move(arguments))),
      m_port(m_process.read_port("port ", std::chrono::seconds(10))) {}

}  // namespace spwf::testing
