#include "tests/integration/SmtpPeer.hpp"

namespace spwf::testing {

SmtpPeer::SmtpPeer(std::vector<std::string> arguments)
    : m_process(python_argv(SPWF_SMTP_SERVER, std::move(arguments))),
      m_port(m_process.read_port("port ", std::chrono::seconds(10))) {}

}  // namespace spwf::testing
