#pragma once
// The NSS key log (SSLKEYLOGFILE format: "CLIENT_RANDOM <client random> <master secret>"), so
// that a capture of the emulator's TLS traffic can be decrypted with Wireshark. One file for the
// whole process, opened in append mode, flushed after every line.

#include <filesystem>
#include <span>
#include <string>

namespace spwf::tls {

/// Opens (appends to) the key log; false with a reason when it cannot be opened.
bool open_key_log(const std::filesystem::path& path, std::string& reason);
/// Closes the key log.
void close_key_log();
/// True when a key log is open.
bool key_log_enabled();
/// Appends one CLIENT_RANDOM line.
void log_session_keys(std::span<const unsigned char> client_random,
                      std::span<const unsigned char> master_secret);

}  // namespace spwf::tls
