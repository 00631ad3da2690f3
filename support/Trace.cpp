#include "support/Trace.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "support/Log.hpp"

namespace spwf::trace {
namespace {

std::ofstream g_file;
Observer g_observer;

std::string_view channel_name(Channel channel) {
  switch (channel) {
    case Channel::host_to_module:
      return "host>mod";
    case Channel::module_to_host:
      return "mod>host";
    case Channel::network:
      return "net     ";
    case Channel::tls:
      return "tls     ";
    case Channel::wifi:
      return "wifi    ";
    case Channel::system:
      return "system  ";
    case Channel::fault:
      return "fault   ";
  }
  return "?";
}

std::string timestamp() {
  using clock = std::chrono::system_clock;
  const auto now = clock::now();
  const auto seconds = clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::snprintf(text, sizeof text, "%02d:%02d:%02d.%06lld", parts.tm_hour, parts.tm_min,
                parts.tm_sec, static_cast<long long>(micros));
  return text;
}

/// The channel's name without its column padding, for log lines.
std::string log_label(Channel channel) {
  std::string name{channel_name(channel)};
  name.erase(name.find_last_not_of(' ') + 1);
  return name + ": ";
}

void write_record(Channel channel, std::string_view body) {
  g_file << timestamp() << ' ' << channel_name(channel) << ' ' << body << '\n';
  g_file.flush();
}

}  // namespace

bool open(const std::filesystem::path& path, std::string& reason) {
  g_file.open(path, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!g_file) {
    reason = "cannot open trace file " + path.string();
    return false;
  }
  return true;
}

void close() {
  g_file.close();
}

void set_observer(Observer observer) {
  g_observer = std::move(observer);
}

std::string_view channel_label(Channel channel) {
  std::string_view name = channel_name(channel);
  return name.substr(0, name.find_last_not_of(' ') + 1);
}

bool enabled() {
  return g_file.is_open() || g_observer || log::enabled(log::Level::debug);
}

std::string escape(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 8);
  for (unsigned char c : data) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02X", c);
          out += hex;
        }
    }
  }
  return out;
}

// The log mirrors the trace: events at debug (the "why" of an error number), console bytes at
// trace level, so `--log-level debug` is a live view without a trace file.
void bytes(Channel channel, std::string_view data) {
  if (g_observer && !data.empty()) g_observer(channel, RecordKind::bytes, data);
  const bool to_log = log::enabled(log::Level::trace);
  if (data.empty() || !(g_file.is_open() || to_log)) return;
  const std::string body = "\"" + escape(data) + "\" (" + std::to_string(data.size()) + " bytes)";
  if (g_file.is_open()) write_record(channel, body);
  if (to_log) log::trace(log_label(channel) + body);
}

void event(Channel channel, std::string_view text) {
  if (!enabled()) return;
  if (g_observer) g_observer(channel, RecordKind::event, text);
  if (g_file.is_open()) write_record(channel, text);
  if (log::enabled(log::Level::debug)) {
    log::debug(log_label(channel) + std::string{text});
  }
}

}  // namespace spwf::trace
