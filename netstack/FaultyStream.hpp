#pragma once
// The network faults: one decorator over a Stream that applies a connection's fault rules
// (config/FaultRules) the way a toxiproxy toxic would, in the direction each rule names: up is
// module to peer (writes), down is peer to module (reads). It wraps the plain stream, under TLS,
// so every kind of connection gets the same faults and byte counts are the wire's. Each fault
// applied is traced on the fault channel (the control interface's "fault" events).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/FaultRules.hpp"
#include "netstack/NetError.hpp"
#include "netstack/Stream.hpp"

namespace spwf::net {

/// A stream with faults.
class FaultyStream : public Stream {
 public:
  /// `name` labels the trace ("socket 0"); a rule no longer in `table` stops applying.
  FaultyStream(boost::asio::any_io_executor executor, std::unique_ptr<Stream> inner,
               std::vector<config::FaultRule> rules, const config::FaultRules& table,
               std::string name);

  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      std::span<char> buffer) override;
  boost::asio::awaitable<boost::system::error_code> write_all(std::string_view bytes) override;
  void close() override;
  StreamKind kind() const override { return m_inner->kind(); }
  /// A tls_certificate_error rule's code (traced when asked).
  std::optional<unsigned> forced_certificate_error() const override;

 private:
  /// The first rule of this kind active in this direction now (its after_bytes passed).
  const config::FaultRule* active(config::FaultKind kind, config::FaultDirection direction) const;
  /// Waits `milliseconds` on `timer`; false when the stream was closed meanwhile.
  boost::asio::awaitable<bool> wait(boost::asio::steady_timer& timer, std::uint64_t milliseconds);
  /// Latency (+ jitter) and bandwidth for `bytes` bytes in `direction`.
  boost::asio::awaitable<bool> delay(boost::asio::steady_timer& timer,
                                     config::FaultDirection direction, std::size_t bytes);
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_from_peer(
      std::span<char> buffer);
  /// The peer closed: slow_close holds the end back by its delay.
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> slow_close(
      boost::system::error_code eof);
  std::pair<boost::system::error_code, std::size_t> take_held(std::span<char> buffer);
  boost::asio::awaitable<boost::system::error_code> write_pieces(std::string_view bytes);
  /// Counts bytes against limit_data; the allowed part of `count`.
  std::size_t within_limit(std::size_t count);
  /// Arms reset_peer once its after_bytes have passed.
  void arm_reset();
  void reset_now();
  void report(const config::FaultRule& rule, const std::string& what) const;
  boost::system::error_code end_error() const;

  std::unique_ptr<Stream> m_inner;
  std::vector<config::FaultRule> m_rules;
  const config::FaultRules& m_table;
  std::string m_name;
  boost::asio::steady_timer m_read_timer;
  boost::asio::steady_timer m_write_timer;
  boost::asio::steady_timer m_reset_timer;
  std::string m_held;  ///< down bytes read but not yet delivered (slices, a duplicate)
  bool m_held_is_slice = false;
  std::uint64_t m_up = 0;
  std::uint64_t m_down = 0;
  bool m_reset_armed = false;
  bool m_closed = false;
  /// How the connection ended by a fault: reset_peer (reset) or limit_data (an orderly close).
  enum class Ended { no, reset, limited };
  Ended m_ended = Ended::no;
};

/// The connection-level fault among `rules` (refuse, DNS failure), traced under `name`, if any.
std::optional<NetError> connection_fault(const std::vector<config::FaultRule>& rules,
                                         const std::string& name);

/// Wraps `stream` when rules apply (returns it unchanged otherwise).
std::unique_ptr<Stream> with_faults(boost::asio::any_io_executor executor,
                                    std::unique_ptr<Stream> stream,
                                    std::vector<config::FaultRule> rules,
                                    const config::FaultRules& table, std::string name);

}  // namespace spwf::net
