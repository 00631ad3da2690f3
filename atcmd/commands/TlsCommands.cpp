#include "atcmd/commands/TlsCommands.hpp"

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

/// content,1: one R line per slot with its stored size, 0 when empty (spec §3.7).
AtError list_slots(CommandContext& context) {
  const tls::CertificateStore& store = context.state().certificates();
  context.result(label::ca, std::to_string(store.slot(tls::Slot::ca).size()));
  context.result(label::cert, std::to_string(store.slot(tls::Slot::cert).size()));
  context.result(label::key, std::to_string(store.slot(tls::Slot::key).size()));
  context.result(label::id, std::to_string(store.slot(tls::Slot::auth).size()));
  return AtError::none;
}

/// content,2: empties every slot and its flash copy; I "AT-S.Clean".
AtError clean_slots(CommandContext& context) {
  if (context.state().clear_certificates()) return AtError::flash_write_failed;
  context.info(label::clean);
  return AtError::none;
}

/// Stores `material` in `slot` (and the flash); the store is unchanged on any failure.
AtError store_material(CommandContext& context, tls::Slot slot, std::string_view material) {
  ModuleState& state = context.state();
  tls::CertificateStore& store = state.certificates();
  std::string previous = store.slot(slot);
  tls::StoredCa stored_ca;
  const tls::StoreError refused =
      slot == tls::Slot::ca ? store.store_ca(material, stored_ca) : store.store(slot, material);
  if (refused != tls::StoreError::none) return AtError::invalid_value;
  if (state.persist_certificate(slot)) {
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

}  // namespace

// AT+S.TLSCERT (spec §3.7, §2.5): checks that need no payload end the command before it is read
// (the bytes then reach the line editor); bad material answers 8 after the whole payload.
asio::awaitable<AtError> tls_certificate(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const int keyword = args.keyword_index(0, {"ca", "cert", "key", "auth", "content"});
  if (keyword < 0) co_return AtError::invalid_arguments;
  const std::uint64_t value = args.number(1);
  if (keyword == 4) {
    if (value == content_list) co_return list_slots(context);
    if (value == content_clean) co_return clean_slots(context);
    co_return AtError::invalid_arguments;
  }
  static constexpr tls::Slot slots[] = {tls::Slot::ca, tls::Slot::cert, tls::Slot::key,
                                        tls::Slot::auth};
  const tls::Slot slot = slots[keyword];
  if (value == 0) co_return AtError::argument_zero;
  if (value > tls::max_stored_length(slot)) co_return AtError::argument_too_large;
  const auto payload = co_await context.read_payload(value);
  if (!payload) co_return AtError::invalid_value;
  co_return store_material(context, slot, *payload);
}

}  // namespace spwf::atcmd::commands
