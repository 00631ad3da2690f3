#include "tls/KeyLog.hpp"

#include <fstream>

namespace spwf::tls {
namespace {

std::ofstream& key_log() {
  static std::ofstream file;
  return file;
}

std::string hex(std::span<const unsigned char> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const auto byte : bytes) {
    out += digits[byte >> 4];
    out += digits[byte & 0x0F];
  }
  return out;
}

}  // namespace

bool open_key_log(const std::filesystem::path& path, std::string& reason) {
  auto& file = key_log();
  if (file.is_open()) file.close();
  file.open(path, std::ios::out | std::ios::app | std::ios::binary);
  if (!file) {
    reason = "cannot open the key log " + path.string();
    return false;
  }
  return true;
}

void close_key_log() {
  key_log().close();
}

bool key_log_enabled() {
  return key_log().is_open();
}

void log_session_keys(std::span<const unsigned char> client_random,
                      std::span<const unsigned char> master_secret) {
  auto& file = key_log();
  if (!file.is_open()) return;
  file << "CLIENT_RANDOM " << hex(client_random) << ' ' << hex(master_secret) << '\n';
  file.flush();
}

}  // namespace spwf::tls
