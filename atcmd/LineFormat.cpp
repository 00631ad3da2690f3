#include "atcmd/LineFormat.hpp"

namespace spwf::atcmd {
namespace {

// The firmware formats into a 128-byte buffer; the adopted reading (spec §2.6, ?) is that longer
// content is cut so that the line, CR LF included, still fits in 128 bytes.
std::string finish_line(std::string content) {
  const std::size_t limit = line_buffer_size - line_end.size();
  if (content.size() > limit) content.resize(limit);
  content += line_end;
  return content;
}

}  // namespace

std::string format_line(std::string_view label, std::string_view fields) {
  std::string line{line_prefix};
  line += label;
  if (!fields.empty()) {
    line += ':';
    line += fields;
  }
  return finish_line(std::move(line));
}

std::string format_ok(std::uint32_t console_verbose, std::uint32_t free_heap,
                      std::uint32_t wifi_state) {
  if (console_verbose >= 2) {
    return format_line(label::ok, std::to_string(free_heap) + ":" + std::to_string(wifi_state));
  }
  return format_line(label::ok, {});
}

std::string format_error(AtError error, std::uint32_t console_errs) {
  const auto number = std::to_string(static_cast<unsigned>(error));
  switch (console_errs) {
    case 0:
      return format_line(label::error, {});
    case 1:
      return format_line(label::error, number);
    default:
      return format_line(label::error, number + ":" + std::string{error_text(error)});
  }
}

std::string format_wind(Wind wind, std::uint32_t console_winds, std::string_view fields) {
  std::string line{wind_prefix};
  if (console_winds >= 1) {
    line += ':';
    line += std::to_string(static_cast<unsigned>(wind));
  }
  if (console_winds >= 2) {
    line += ':';
    line += wind_text(wind);
  }
  if (!fields.empty()) {
    line += ':';
    line += fields;
  }
  // A counted payload chunk (+WIND:86) is written whole: its length field announces the raw
  // bytes the host then reads (spec §3.10), so cutting it would desynchronise the host.
  if (wind == Wind::mqtt_published) return line += line_end;
  return finish_line(std::move(line));
}

bool is_masked(Wind wind, const WindMasks& masks) {
  const auto number = static_cast<unsigned>(wind);
  if (number < 32) return (masks.low >> number) & 1u;
  if (number < 64) return (masks.medium >> (number - 32)) & 1u;
  if (number < 96) return (masks.high >> (number - 64)) & 1u;
  return false;
}

}  // namespace spwf::atcmd
