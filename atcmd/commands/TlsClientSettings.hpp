#pragma once
// The TLS client settings every command with a TLS field uses (SOCKON, HTTPGET, HTTPPOST, MQTT,
// WebSocket; spec §3.5.4): the server name, the certificate store's material, the module clock,
// and the I lines the handshake prints (Loading:<what>:<where>, Skip CA, Certificate Error:<n>);
// and what an application client holds of the module while it runs (heap, a TLS session).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "atcmd/CommandContext.hpp"
#include "atcmd/HeapModel.hpp"
#include "atcmd/Wire.hpp"
#include "netstack/ClientSockets.hpp"  // StreamWrapper
#include "tls/ClientSession.hpp"

namespace spwf::atcmd::commands {

/// Prints one handshake event as the module's I line.
void report_tls_event(CommandContext& context, const tls::HandshakeEvent& event);

/// Settings for a TLS client to `host` that checks and sends `server_name`; the observer prints
/// the handshake's I lines on `context` (which must outlive the handshake).
tls::ClientSettings tls_client_settings(CommandContext& context, const std::string& host,
                                        std::string server_name);

/// The TLS wrapper for a client whose TLS name is <host> (HTTP, MQTT, WebSocket: spec §3.5.4
/// item 1); lookup, connect and handshake share the module's one open timeout.
net::StreamWrapper host_tls_wrapper(CommandContext& context, const std::string& host);

/// What an application client (HTTP, MQTT, WebSocket) holds while its connection lives: its
/// share of the module's heap and, with TLS, one of the module's TLS client sessions (spec §3.5).
/// Each goes back when its last copy goes.
struct ClientHold {
  std::shared_ptr<void> memory;
  std::shared_ptr<void> tls_session;  ///< null without TLS
};

/// Takes a TLS session (when `tls`; `tls_busy` when every one is in use, spec §9 Q25's order)
/// and then the heap of a connection with a `buffer`-byte receive buffer (Low Memory when short)
/// for (`user`, `id`). `who` names the command in the log.
std::variant<ClientHold, AtError> hold_client(CommandContext& context, std::string_view who,
                                              HeapUser user, unsigned id, std::size_t buffer,
                                              bool tls, AtError tls_busy);

}  // namespace spwf::atcmd::commands
