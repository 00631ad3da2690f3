#pragma once
// The module's TLS naming policy in one place (spec §3.5.4 steps 1, 2, 6; §9 Q32, Q33). It is
// inferred from the seed thread rather than documented by ST, so it is kept small and named:
//   - the TLS server name for SOCKON is <host> for a one-character kind, else the kind itself;
//     the other clients (HTTP, MQTT, ...) use <host>;
//   - that server name is sent as SNI;
//   - the certificate check compares the server name with the leaf's subject Common Name only:
//     subjectAltName entries are never consulted, the comparison is exact but case-insensitive,
//     and a wildcard CN matches only the identical literal string.

#include <string>
#include <string_view>

namespace spwf::tls {

/// The TLS server name SOCKON uses for `host` and a TLS `kind` (not "t"/"u").
std::string sockon_server_name(std::string_view host, std::string_view kind);
/// The SNI the module sends for a server name (the name itself).
std::string sni_for(std::string_view server_name);
/// True when the leaf's Common Name satisfies the module's check for `server_name`.
bool common_name_matches(std::string_view common_name, std::string_view server_name);

}  // namespace spwf::tls
