#include "atcmd/commands/TlsClientSettings.hpp"

#include <variant>

#include "atcmd/Wire.hpp"

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

}  // namespace spwf::atcmd::commands
