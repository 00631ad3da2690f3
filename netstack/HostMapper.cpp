#include "netstack/HostMapper.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

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

bool is_v4_mapped(const boost::asio::ip::address& address) {
  return address.is_v6() && address.to_v6().is_v4_mapped();
}

boost::asio::ip::address_v4 mapped_v4(const boost::asio::ip::address& address) {
  return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
}

}  // namespace

boost::asio::ip::address effective_address(const boost::asio::ip::address& address) {
  if (is_v4_mapped(address)) return effective_address(mapped_v4(address));
  if (address.is_unspecified()) {
    if (address.is_v4()) return boost::asio::ip::address_v4::loopback();
    return boost::asio::ip::address_v6::loopback();
  }
  return address;
}

std::string printable_address(const boost::asio::ip::address& address) {
  return is_v4_mapped(address) ? mapped_v4(address).to_string() : address.to_string();
}

std::optional<boost::asio::ip::address> parse_ip_literal(std::string_view text) {
  const std::string literal = strip_brackets(text);
  if (literal.empty()) return std::nullopt;
  // AI_NUMERICHOST: the resolver's own idea of a numeric host, without any lookup.
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_family = AF_UNSPEC;
  addrinfo* found = nullptr;
  if (::getaddrinfo(literal.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner{found, &::freeaddrinfo};
  boost::asio::ip::address result;
  if (found->ai_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
    result = boost::asio::ip::address_v4{ntohl(v4->sin_addr.s_addr)};
  } else if (found->ai_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(found->ai_addr);
    boost::asio::ip::address_v6::bytes_type bytes;
    std::copy_n(v6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
    result = boost::asio::ip::address_v6{bytes, v6->sin6_scope_id};
  } else {
    return std::nullopt;
  }
  return result;
}

bool matches_pattern(std::string_view pattern, std::string_view name,
                     const boost::asio::ip::address& address) {
  const auto slash = pattern.find('/');
  boost::system::error_code error;
  auto network = boost::asio::ip::make_address(strip_brackets(pattern.substr(0, slash)), error);
  if (error) return equal_ignoring_case(pattern, name);
  const auto target = effective_address(address);
  unsigned prefix = network.is_v4() ? 32 : 128;
  if (slash != std::string_view::npos) {
    const std::string_view bits = pattern.substr(slash + 1);
    const auto parsed = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (parsed.ec != std::errc{} || parsed.ptr != bits.data() + bits.size()) return false;
  }
  if (is_v4_mapped(network)) {
    // ::ffff:a.b.c.d/N names the IPv4 block a.b.c.d/(N-96).
    network = mapped_v4(network);
    prefix = prefix > 96 ? prefix - 96 : 0;
  }
  if (network.is_v4() && target.is_v4()) {
    return same_prefix(network.to_v4().to_bytes(), target.to_v4().to_bytes(), prefix);
  }
  if (network.is_v6() && target.is_v6()) {
    return same_prefix(network.to_v6().to_bytes(), target.to_v6().to_bytes(), prefix);
  }
  return false;
}

HostMapper::HostMapper(const config::EmulatorConfig& settings, NameLookup lookup)
    : m_resolve(settings.resolve),
      m_connect_to(settings.connect_to),
      m_allow(settings.allow),
      m_deny(settings.deny),
      m_host_dns(settings.host_dns),
      m_lookup(std::move(lookup)) {}

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
    const auto address = parse_ip_literal(rule.address);
    if (!address) continue;
    target.fixed_address = address;
    rules += " (resolve)";
    break;
  }
  if (!target.fixed_address) target.fixed_address = parse_ip_literal(target.host);
  target.description = std::string{host} + ":" + std::to_string(port) + " -> " + target.host + ":" +
                       std::to_string(target.port) + rules;
  return target;
}

bool HostMapper::refused_by_name(std::string_view name) const {
  const auto names_it = [name](const std::string& pattern) {
    return equal_ignoring_case(pattern, name);
  };
  if (std::any_of(m_deny.begin(), m_deny.end(), names_it)) return true;
  if (m_allow.empty() || std::any_of(m_allow.begin(), m_allow.end(), names_it)) return false;
  // An address rule in --allow could still let the name's address through: resolve first.
  return std::none_of(m_allow.begin(), m_allow.end(), [](const std::string& pattern) {
    boost::system::error_code error;
    (void)boost::asio::ip::make_address(strip_brackets(pattern.substr(0, pattern.find('/'))),
                                        error);
    return !error;
  });
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
