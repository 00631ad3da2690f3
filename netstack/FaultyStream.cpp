#include "netstack/FaultyStream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>

#include "netstack/PlainStreams.hpp"
#include "support/Random.hpp"
#include "support/Trace.hpp"

namespace spwf::net {
namespace asio = boost::asio;
using config::FaultDirection;
using config::FaultKind;
using config::FaultRule;

namespace {

// The kinds a FaultyStream applies (tls_certificate_error: it tells the TLS wrapper).
bool stream_level(FaultKind kind) {
  return kind != FaultKind::refuse && kind != FaultKind::dns_failure &&
         kind != FaultKind::tls_stall;
}

bool applies_to(const FaultRule& rule, FaultDirection direction) {
  return rule.direction == FaultDirection::both || rule.direction == direction;
}

}  // namespace

FaultyStream::FaultyStream(asio::any_io_executor executor, std::unique_ptr<Stream> inner,
                           std::vector<FaultRule> rules, const config::FaultRules& table,
                           std::string name)
    : m_inner(std::move(inner)),
      m_rules(std::move(rules)),
      m_table(table),
      m_name(std::move(name)),
      m_read_timer(executor),
      m_write_timer(executor),
      m_reset_timer(executor) {
  arm_reset();
}

void FaultyStream::report(const FaultRule& rule, const std::string& what) const {
  trace::event(trace::Channel::fault, m_name + " rule " + std::to_string(rule.id) + " " +
                                          std::string{config::fault_kind_name(rule.kind)} + ": " +
                                          what);
}

const FaultRule* FaultyStream::active(FaultKind kind, FaultDirection direction) const {
  for (const auto& rule : m_rules) {
    if (rule.kind != kind || !applies_to(rule, direction) || !m_table.contains(rule.id)) continue;
    const std::uint64_t passed = rule.direction == FaultDirection::up     ? m_up
                                 : rule.direction == FaultDirection::down ? m_down
                                                                          : m_up + m_down;
    if (passed >= rule.after_bytes) return &rule;
  }
  return nullptr;
}

asio::awaitable<bool> FaultyStream::wait(asio::steady_timer& timer, std::uint64_t milliseconds) {
  if (milliseconds == 0) co_return !m_closed;
  timer.expires_after(std::chrono::milliseconds{milliseconds});
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !m_closed;
}

asio::awaitable<bool> FaultyStream::delay(asio::steady_timer& timer, FaultDirection direction,
                                          std::size_t bytes) {
  std::uint64_t milliseconds = 0;
  if (const auto* rule = active(FaultKind::latency, direction)) {
    milliseconds += rule->latency_ms + random::between(0, rule->jitter_ms);
  }
  if (const auto* rule = active(FaultKind::bandwidth, direction)) {
    milliseconds += bytes * 1000 / rule->rate;
  }
  co_return co_await wait(timer, milliseconds);
}

void FaultyStream::arm_reset() {
  if (m_reset_armed) return;
  const auto* rule = active(FaultKind::reset_peer, FaultDirection::both);
  if (rule == nullptr) return;
  m_reset_armed = true;
  const unsigned id = rule->id;
  m_reset_timer.expires_after(std::chrono::milliseconds{rule->delay_ms});
  m_reset_timer.async_wait([this, id](const boost::system::error_code& error) {
    if (error || m_closed) return;
    for (const auto& entry : m_rules) {
      if (entry.id == id) report(entry, "connection reset");
    }
    reset_now();
  });
}

void FaultyStream::reset_now() {
  m_ended = Ended::reset;
  // The peer sees a reset (RST), not an orderly close.
  if (auto* tcp = dynamic_cast<TcpStream*>(m_inner.get())) {
    boost::system::error_code ignored;
    tcp->socket().set_option(asio::socket_base::linger(true, 0), ignored);
  }
  m_inner->close();
  m_read_timer.cancel();
}

boost::system::error_code FaultyStream::end_error() const {
  if (m_ended == Ended::reset) return asio::error::connection_reset;
  if (m_ended == Ended::limited) return asio::error::eof;
  return asio::error::operation_aborted;
}

std::size_t FaultyStream::within_limit(std::size_t count) {
  const auto* rule = active(FaultKind::limit_data, FaultDirection::both);
  if (rule == nullptr) return count;
  const std::uint64_t passed = m_up + m_down;
  const std::uint64_t room = rule->bytes > passed ? rule->bytes - passed : 0;
  if (count < room) return count;
  report(*rule, "closed after " + std::to_string(rule->bytes) + " bytes");
  m_ended = Ended::limited;
  return static_cast<std::size_t>(room);
}

std::pair<boost::system::error_code, std::size_t> FaultyStream::take_held(std::span<char> buffer) {
  std::size_t count = std::min(buffer.size(), m_held.size());
  if (m_held_is_slice) {
    if (const auto* slicer = active(FaultKind::slicer, FaultDirection::down)) {
      count = std::min<std::size_t>(count, slicer->size);
    }
  }
  std::memcpy(buffer.data(), m_held.data(), count);
  m_held.erase(0, count);
  return {{}, count};
}

asio::awaitable<std::pair<boost::system::error_code, std::size_t>> FaultyStream::read_some(
    std::span<char> buffer) {
  if (m_closed || m_ended != Ended::no) co_return std::pair{end_error(), std::size_t{0}};
  if (!m_held.empty()) {
    if (m_held_is_slice) {
      const auto* slicer = active(FaultKind::slicer, FaultDirection::down);
      if (!co_await wait(m_read_timer, slicer ? slicer->delay_ms : 0)) {
        co_return std::pair{end_error(), std::size_t{0}};
      }
    }
    auto result = take_held(buffer);
    m_down += result.second;
    co_return result;
  }
  co_return co_await read_from_peer(buffer);
}

asio::awaitable<std::pair<boost::system::error_code, std::size_t>> FaultyStream::read_from_peer(
    std::span<char> buffer) {
  for (;;) {
    if (const auto* stall = active(FaultKind::timeout, FaultDirection::down)) {
      report(*stall, "data from the peer stalled");
      m_read_timer.expires_at(asio::steady_timer::time_point::max());
      co_await m_read_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return std::pair{end_error(), std::size_t{0}};
    }
    auto [error, count] = co_await m_inner->read_some(buffer);
    if (m_closed || m_ended != Ended::no) co_return std::pair{end_error(), std::size_t{0}};
    if (error == asio::error::eof) co_return co_await slow_close(error);
    if (error) co_return std::pair{error, count};
    if (const auto* loss = active(FaultKind::loss, FaultDirection::down);
        loss && random::chance(loss->probability)) {
      report(*loss, "datagram of " + std::to_string(count) + " bytes from the peer dropped");
      continue;
    }
    if (const auto* duplicate = active(FaultKind::duplicate, FaultDirection::down);
        duplicate && random::chance(duplicate->probability)) {
      report(*duplicate, "datagram of " + std::to_string(count) + " bytes delivered twice");
      m_held.assign(buffer.data(), count);
      m_held_is_slice = false;
    }
    count = within_limit(count);
    if (m_ended == Ended::limited) m_inner->close();  // the peer sees the close too
    if (!co_await delay(m_read_timer, FaultDirection::down, count)) {
      co_return std::pair{end_error(), std::size_t{0}};
    }
    if (const auto* slicer = active(FaultKind::slicer, FaultDirection::down);
        slicer && count > slicer->size) {
      m_held.assign(buffer.data() + slicer->size, count - slicer->size);
      m_held_is_slice = true;
      count = slicer->size;
    }
    m_down += count;
    arm_reset();
    if (count == 0) co_return std::pair{end_error(), std::size_t{0}};
    co_return std::pair{boost::system::error_code{}, count};
  }
}

asio::awaitable<std::pair<boost::system::error_code, std::size_t>> FaultyStream::slow_close(
    boost::system::error_code eof) {
  if (const auto* rule = active(FaultKind::slow_close, FaultDirection::down)) {
    report(*rule, "the peer's close delayed " + std::to_string(rule->delay_ms) + " ms");
    if (!co_await wait(m_read_timer, rule->delay_ms))
      co_return std::pair{end_error(), std::size_t{0}};
  }
  co_return std::pair{eof, std::size_t{0}};
}

std::optional<unsigned> FaultyStream::forced_certificate_error() const {
  if (const auto* rule = active(FaultKind::tls_certificate_error, FaultDirection::both)) {
    report(*rule, "Certificate Error:" + std::to_string(rule->code));
    return rule->code;
  }
  return m_inner->forced_certificate_error();
}

asio::awaitable<boost::system::error_code> FaultyStream::write_all(std::string_view bytes) {
  if (m_closed) co_return asio::error::operation_aborted;
  if (m_ended != Ended::no) co_return end_error();
  if (const auto* stall = active(FaultKind::timeout, FaultDirection::up)) {
    report(*stall, std::to_string(bytes.size()) + " bytes to the peer swallowed");
    m_up += bytes.size();
    co_return boost::system::error_code{};
  }
  if (const auto* loss = active(FaultKind::loss, FaultDirection::up);
      loss && random::chance(loss->probability)) {
    report(*loss, "datagram of " + std::to_string(bytes.size()) + " bytes to the peer dropped");
    co_return boost::system::error_code{};
  }
  const std::size_t allowed = within_limit(bytes.size());
  auto error = co_await write_pieces(bytes.substr(0, allowed));
  if (error) co_return error;
  if (m_ended == Ended::limited) {
    m_inner->close();
    m_read_timer.cancel();
    co_return boost::system::error_code{};
  }
  if (const auto* duplicate = active(FaultKind::duplicate, FaultDirection::up);
      duplicate && random::chance(duplicate->probability)) {
    report(*duplicate, "datagram of " + std::to_string(bytes.size()) + " bytes sent twice");
    error = co_await m_inner->write_all(bytes);
  }
  co_return error;
}

asio::awaitable<boost::system::error_code> FaultyStream::write_pieces(std::string_view bytes) {
  if (bytes.empty()) co_return boost::system::error_code{};
  const auto* slicer = active(FaultKind::slicer, FaultDirection::up);
  const auto* bandwidth = active(FaultKind::bandwidth, FaultDirection::up);
  // Bandwidth paces ten pieces a second; a slicer cuts its own size (UDP stays one datagram).
  std::size_t piece = bytes.size();
  if (slicer) piece = std::min<std::size_t>(piece, slicer->size);
  if (bandwidth)
    piece = std::min<std::size_t>(piece, std::max<std::uint64_t>(1, bandwidth->rate / 10));
  if (m_inner->kind() == StreamKind::udp) piece = bytes.size();
  bool first = true;
  do {
    const auto part = bytes.substr(0, std::max<std::size_t>(piece, 1));
    if (!first && slicer && !co_await wait(m_write_timer, slicer->delay_ms)) {
      co_return asio::error::operation_aborted;
    }
    first = false;
    if (!co_await delay(m_write_timer, FaultDirection::up, part.size())) {
      co_return asio::error::operation_aborted;
    }
    if (auto error = co_await m_inner->write_all(part)) co_return error;
    m_up += part.size();
    arm_reset();
    bytes.remove_prefix(part.size());
  } while (!bytes.empty());
  co_return boost::system::error_code{};
}

void FaultyStream::close() {
  if (m_closed) return;
  m_closed = true;
  m_read_timer.cancel();
  m_write_timer.cancel();
  m_reset_timer.cancel();
  m_inner->close();
}

std::optional<NetError> connection_fault(const std::vector<FaultRule>& rules,
                                         const std::string& name) {
  for (const auto& rule : rules) {
    if (rule.kind != FaultKind::refuse && rule.kind != FaultKind::dns_failure) continue;
    const bool refuse = rule.kind == FaultKind::refuse;
    trace::event(trace::Channel::fault, name + " rule " + std::to_string(rule.id) +
                                            (refuse ? " refuse: connection refused"
                                                    : " dns_failure: the name does not resolve"));
    return refuse ? NetError::connect_failed : NetError::name_not_resolved;
  }
  return std::nullopt;
}

std::unique_ptr<Stream> with_faults(asio::any_io_executor executor, std::unique_ptr<Stream> stream,
                                    std::vector<FaultRule> rules, const config::FaultRules& table,
                                    std::string name) {
  // A stalled TLS handshake: nothing passes either way, so the handshake's own timeout answers.
  for (auto& rule : rules) {
    if (rule.kind != FaultKind::tls_stall) continue;
    rule.kind = FaultKind::timeout;
    rule.direction = FaultDirection::both;
  }
  std::erase_if(rules, [](const FaultRule& rule) { return !stream_level(rule.kind); });
  if (rules.empty()) return stream;
  return std::make_unique<FaultyStream>(executor, std::move(stream), std::move(rules), table,
                                        std::move(name));
}

}  // namespace spwf::net
