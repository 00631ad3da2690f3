#include "netstack/HostMapper.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace spwf::net {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string strip_brackets(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  return std::string{text};
}

// Compares the first `prefix` bits of two byte arrays of the same length.
template <typename Bytes>
bool same_prefix(const Bytes& a, const Bytes& b, unsigned prefix) {
  for (std::size_t i = 0; i < a.size() && prefix > 0; ++i) {
    const unsigned bits = std::min(prefix, 8u);
    const auto mask = static_cast<unsigned char>(0xFF << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    prefix -= bits;
  }
  return true;
}

}  // namespace

bool matches_pattern(std::string_view pattern, std::string_view name,
                     const boost::asio::ip::address& address) {
  const auto slash = pattern.find('/');
  boost::system::error_code error;
  const auto network =
      boost::asio::ip::make_address(strip_brackets(pattern.substr(0, slash)), error);
  if (error) return equal_ignoring_case(pattern, name);
  if (slash == std::string_view::npos) return network == address;
  const std::string_view bits = pattern.substr(slash + 1);
  unsigned prefix = 0;
  const auto parsed = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (parsed.ec != std::errc{} || parsed.ptr != bits.data() + bits.size()) return false;
  if (network.is_v4() && address.is_v4()) {
    return same_prefix(network.to_v4().to_bytes(), address.to_v4().to_bytes(), prefix);
  }
  if (network.is_v6() && address.is_v6()) {
    return same_prefix(network.to_v6().to_bytes(), address.to_v6().to_bytes(), prefix);
  }
  return false;
}

HostMapper::HostMapper(const config::EmulatorConfig& settings)
    : m_resolve(settings.resolve),
      m_connect_to(settings.connect_to),
      m_allow(settings.allow),
      m_deny(settings.deny) {}

MappedTarget HostMapper::map(std::string_view host, std::uint16_t port) const {
  MappedTarget target{std::string{host}, port, std::nullopt, {}};
  std::string rules;
  for (const auto& rule : m_connect_to) {
    const bool host_matches = rule.from_host.empty() || equal_ignoring_case(rule.from_host, host);
    const bool port_matches = rule.from_port == 0 || rule.from_port == port;
    if (!host_matches || !port_matches) continue;
    if (!rule.to_host.empty()) target.host = strip_brackets(rule.to_host);
    if (rule.to_port != 0) target.port = rule.to_port;
    rules = " (connect-to)";
    break;
  }
  for (const auto& rule : m_resolve) {
    if (!equal_ignoring_case(rule.host, target.host)) continue;
    if (rule.port != 0 && rule.port != target.port) continue;
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(strip_brackets(rule.address), error);
    if (error) continue;
    target.fixed_address = address;
    rules += " (resolve)";
    break;
  }
  target.description = std::string{host} + ":" + std::to_string(port) + " -> " + target.host + ":" +
                       std::to_string(target.port) + rules;
  return target;
}

bool HostMapper::allowed(std::string_view name, const boost::asio::ip::address& address) const {
  for (const auto& pattern : m_deny) {
    if (matches_pattern(pattern, name, address)) return false;
  }
  if (m_allow.empty()) return true;
  return std::any_of(m_allow.begin(), m_allow.end(), [&](const std::string& pattern) {
    return matches_pattern(pattern, name, address);
  });
}

}  // namespace spwf::net
