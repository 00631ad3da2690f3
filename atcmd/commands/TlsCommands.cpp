#include "atcmd/commands/TlsCommands.hpp"

#include <span>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "tls/CertificateStore.hpp"
#include "tls/MaterialLimits.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

namespace {

/// content,1 (list) and content,2 (clean).
constexpr std::uint64_t content_list = 1;
constexpr std::uint64_t content_clean = 2;

/// The slots a command's keywords name, in keyword order; "content" follows them.
constexpr tls::Slot tls_slots[] = {tls::Slot::ca, tls::Slot::cert, tls::Slot::key, tls::Slot::auth};
constexpr tls::Slot wpa_slots[] = {tls::Slot::ca, tls::Slot::cert, tls::Slot::key};

/// content,1: one R line per slot with its stored size, 0 when empty (spec §3.7).
AtError list_slots(CommandContext& context, const tls::CertificateStore& store,
                   std::span<const tls::Slot> slots) {
  for (const auto slot : slots) {
    const auto size = std::to_string(store.slot(slot).size());
    switch (slot) {
      case tls::Slot::ca:
        context.result(label::ca, size);
        break;
      case tls::Slot::cert:
        context.result(label::cert, size);
        break;
      case tls::Slot::key:
        context.result(label::key, size);
        break;
      case tls::Slot::auth:
        context.result(label::id, size);
        break;
    }
  }
  return AtError::none;
}

/// content,2: empties every slot and its flash copy; I "AT-S.Clean".
AtError clean_slots(CommandContext& context, CertificateBank& bank) {
  if (bank.clear()) return AtError::flash_write_failed;
  context.info(label::clean);
  return AtError::none;
}

/// Stores `material` in `slot` (and the flash); the store is unchanged on any failure.
AtError store_material(CommandContext& context, CertificateBank& bank, tls::Slot slot,
                       std::string_view material) {
  tls::CertificateStore& store = bank.store();
  std::string previous = store.slot(slot);
  tls::StoredCa stored_ca;
  const tls::StoreError refused =
      slot == tls::Slot::ca ? store.store_ca(material, stored_ca) : store.store(slot, material);
  if (refused != tls::StoreError::none) return AtError::invalid_value;
  if (bank.persist(slot)) {
    store.restore(slot, std::move(previous));
    return AtError::flash_write_failed;
  }
  if (slot == tls::Slot::ca) {
    if (stored_ca.subject_key_id) {
      context.info(label::subject_key_id, tls::colon_hex(*stored_ca.subject_key_id));
    } else {
      context.info(label::no_subject_key_id);
    }
  }
  return AtError::none;
}

// The forms TLSCERT and WPAECERT share (spec §3.7): checks that need no payload end the command
// before it is read (the bytes then reach the line editor); bad material answers 8 after the
// whole payload.
asio::awaitable<AtError> certificate_command(CommandContext& context, CertificateBank& bank,
                                             std::span<const tls::Slot> slots) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const int keyword = slots.size() == std::size(tls_slots)
                          ? args.keyword_index(0, {"ca", "cert", "key", "auth", "content"})
                          : args.keyword_index(0, {"ca", "cert", "key", "content"});
  if (keyword < 0) co_return AtError::invalid_arguments;
  const std::uint64_t value = args.number(1);
  if (static_cast<std::size_t>(keyword) == slots.size()) {  // content
    if (value == content_list) co_return list_slots(context, bank.store(), slots);
    if (value == content_clean) co_return clean_slots(context, bank);
    co_return AtError::invalid_arguments;
  }
  const tls::Slot slot = slots[static_cast<std::size_t>(keyword)];
  if (value == 0) co_return AtError::argument_zero;
  if (value > tls::max_stored_length(slot)) co_return AtError::argument_too_large;
  const auto payload = co_await context.read_payload(value);
  if (!payload) co_return AtError::invalid_value;
  co_return store_material(context, bank, slot, *payload);
}

}  // namespace

asio::awaitable<AtError> tls_certificate(CommandContext& context) {
  co_return co_await certificate_command(context, context.state().tls_certificates(), tls_slots);
}

// ? The supplicant's store has the TLS store's forms without "auth" (spec §3.7: "the same forms";
// §3.1's syntax string), and content,1 lists its three slots.
asio::awaitable<AtError> wpa_certificate(CommandContext& context) {
  co_return co_await certificate_command(context, context.state().wpa_certificates(), wpa_slots);
}

}  // namespace spwf::atcmd::commands
