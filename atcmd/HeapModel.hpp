#pragma once
// The module's heap as the emulator models it: what it has free after boot, what each socket,
// receive buffer and TLS session takes while it is open, and the lowest free figure since
// power-on. It answers "would the module run out?" (AT-S.ERROR:91:Low Memory, spec §3.5.1 step 3)
// and gives the free_heap / min_heap status variables and the verbose OK line their values.
// The sizes are in support/Limits.hpp.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

namespace spwf::atcmd {

/// Who holds a piece of the heap.
enum class HeapUser {
  client_socket,
  server_socket,
  server_client,
  http_client,
  application_client,
  smtp_client,
  tftp_client
};

/// Reservations of the module's heap, by holder.
class HeapModel {
 public:
  HeapModel();
  /// Takes `bytes` for (`user`, `id`) if that many are free; false (nothing taken) if not.
  bool reserve(HeapUser user, unsigned id, std::size_t bytes);
  /// reserve() as a token that gives the bytes back when its last copy goes (null: not enough
  /// free). A token outliving a power-on gives back nothing: reset() already freed everything.
  std::shared_ptr<void> hold(HeapUser user, unsigned id, std::size_t bytes);
  /// Gives back what (`user`, `id`) held (nothing if it held nothing).
  void release(HeapUser user, unsigned id);
  /// Gives back everything one kind of holder held (every socket closed at once).
  void release_all(HeapUser user);
  /// Power-on: everything free again, the low-water mark too.
  void reset();
  /// Whether an allocation of `bytes` would succeed now (the module's checks before it takes
  /// memory); false too while failures are pending from fail_next, each check using one.
  bool can_take(std::size_t bytes);
  /// The control interface: the next `count` allocation checks fail (AT-S.ERROR:91).
  void fail_next(unsigned count) { m_failures = count; }
  /// Bytes free now.
  std::uint32_t free() const;
  /// The fewest bytes free since power-on.
  std::uint32_t lowest_free() const { return m_lowest; }

  /// What a client socket takes: its control block, its receive buffer, and a TLS session.
  static std::size_t socket_cost(std::size_t receive_buffer, bool tls);

 private:
  std::map<std::pair<HeapUser, unsigned>, std::size_t> m_reserved;
  std::size_t m_used = 0;
  std::uint32_t m_lowest;
  std::uint64_t m_generation = 0;  ///< counts power-ons, so old tokens free nothing
  unsigned m_failures = 0;
};

}  // namespace spwf::atcmd
