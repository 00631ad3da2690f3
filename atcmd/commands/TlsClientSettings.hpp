#pragma once
// The TLS client settings every command with a TLS field uses (SOCKON, HTTPGET, HTTPPOST; spec
// §3.5.4): the server name, the certificate store's material, the module clock, and the I lines
// the handshake prints (Loading:<what>:<where>, Skip CA, Certificate Error:<n>).

#include <string>

#include "atcmd/CommandContext.hpp"
#include "tls/ClientSession.hpp"

namespace spwf::atcmd::commands {

/// Prints one handshake event as the module's I line.
void report_tls_event(CommandContext& context, const tls::HandshakeEvent& event);

/// Settings for a TLS client to `host` that checks and sends `server_name`; the observer prints
/// the handshake's I lines on `context` (which must outlive the handshake).
tls::ClientSettings tls_client_settings(CommandContext& context, const std::string& host,
                                        std::string server_name);

}  // namespace spwf::atcmd::commands
