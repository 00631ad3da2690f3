#include "atcmd/commands/TlsClientSettings.hpp"

#include <variant>

#include "atcmd/Wire.hpp"
#include "netstack/TlsStream.hpp"
#include "support/Limits.hpp"
#include "support/Log.hpp"
#include "support/Trace.hpp"

namespace spwf::atcmd::commands {

void report_tls_event(CommandContext& context, const tls::HandshakeEvent& event) {
  if (const auto* loading = std::get_if<tls::Loading>(&event)) {
    context.info(label::loading, std::to_string(static_cast<int>(loading->material)) + ":" +
                                     std::to_string(static_cast<int>(loading->origin)));
  } else if (std::holds_alternative<tls::SkipCa>(event)) {
    context.info(label::skip_ca);
  } else if (const auto* failure = std::get_if<tls::CertificateFailure>(&event)) {
    context.info(label::certificate_error, std::to_string(failure->code));
  }
}

tls::ClientSettings tls_client_settings(CommandContext& context, const std::string& host,
                                        std::string server_name) {
  ModuleState& state = context.state();
  const tls::CertificateStore& store = state.certificates();
  tls::ClientSettings settings;
  settings.server_name = std::move(server_name);
  settings.trust.flash_ca = store.slot(tls::Slot::ca);
  settings.trust.flash_cert = store.slot(tls::Slot::cert);
  settings.trust.flash_key = store.slot(tls::Slot::key);
  settings.trust.files = store.file_lookup();
  settings.module_time = state.clock().now();
  settings.observer = [&context](const tls::HandshakeEvent& event) {
    report_tls_event(context, event);
  };
  settings.trace_name = "TLS " + host + ":" + settings.server_name;
  return settings;
}

net::StreamWrapper host_tls_wrapper(CommandContext& context, const std::string& host) {
  return net::tls_client_wrapper(tls_client_settings(context, host, host),
                                 context.state().settings().connect_timeout);
}

std::variant<ClientHold, AtError> hold_client(CommandContext& context, std::string_view who,
                                              HeapUser user, unsigned id, std::size_t buffer,
                                              bool tls, AtError tls_busy) {
  ModuleState& state = context.state();
  ClientHold hold;
  if (tls) {
    hold.tls_session = state.take_tls_client();
    if (!hold.tls_session) {
      trace::event(trace::Channel::tls, std::string{who} + ": already " +
                                            std::to_string(limits::tls_clients) +
                                            " TLS clients open");
      return tls_busy;
    }
  }
  const std::size_t cost = HeapModel::socket_cost(buffer, tls);
  hold.memory = state.heap().hold(user, id, cost);
  if (!hold.memory) {
    log::warn(std::string{who} + ": the module's heap has " + std::to_string(state.heap().free()) +
              " bytes free, the client needs " + std::to_string(cost) + ": Low Memory");
    return AtError::low_memory;
  }
  return hold;
}

}  // namespace spwf::atcmd::commands
