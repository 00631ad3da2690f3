#pragma once
// What a TLS client handshake reports while it runs, for the console's informational lines
// (AT-S.Loading, AT-S.Skip CA, AT-S.Certificate Error) and for the trace. tls never formats AT
// lines; atcmd turns these into them.

#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "tls/CertificateErrors.hpp"

namespace spwf::tls {

/// What was loaded (spec: Loading:<what>:<where>): 1 CA, 2 own certificate, 3 own key.
enum class Material { ca = 1, own_certificate = 2, own_key = 3 };
/// Where it came from: 2 flash slot, 1 file system.
enum class Origin { file_system = 1, flash = 2 };

/// AT-S.Loading:<what>:<where>
struct Loading {
  Material material;
  Origin origin;
};
/// AT-S.Skip CA — a chain certificate not issued by the flash CA.
struct SkipCa {};
/// AT-S.Certificate Error:<n>
struct CertificateFailure {
  Verdict verdict;
  std::uint8_t code;
};

using HandshakeEvent = std::variant<Loading, SkipCa, CertificateFailure>;
/// Receives the handshake's progress in order.
using HandshakeObserver = std::function<void(const HandshakeEvent&)>;

}  // namespace spwf::tls
