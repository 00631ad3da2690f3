// libFuzzer target for AT+S.TLSCERT payload ingestion: arbitrary bytes go to
// CertificateStore::store_ca / store(cert|key|auth) as the TLSCERT handler passes them (spec §3.7),
// and every accepted CA or certificate is read again through the key-identifier parsers that
// the chain walk uses (tls/KeyIdentifiers.hpp). Checks the store's contract on top of
// ASan/UBSan: a refused payload leaves the slot as it was, an accepted one is stored verbatim.
//
// Input layout: the first byte chooses the slot (low two bits: ca, cert, key, auth); the rest is
// the payload.

#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tls/CertificateStore.hpp"
#include "tls/KeyIdentifiers.hpp"

namespace {

namespace tls = spwf::tls;

// abort() rather than assert(): the check must survive NDEBUG builds.
void check(bool condition) {
  if (!condition) std::abort();
}

void check_hex(const std::vector<std::uint8_t>& bytes) {
  const std::string colon = tls::colon_hex(bytes);
  const std::string plain = tls::plain_hex(bytes);
  check(plain.size() == bytes.size() * 2);
  check(bytes.empty() ? colon.empty() : colon.size() == bytes.size() * 3 - 1);
}

// Reads both key identifiers of every certificate mbedTLS accepts from `material`.
void read_identifiers(std::string_view material) {
  mbedtls_x509_crt chain;
  mbedtls_x509_crt_init(&chain);
  std::string buffer{material};
  buffer.push_back('\0');
  if (mbedtls_x509_crt_parse(&chain, reinterpret_cast<const unsigned char*>(buffer.data()),
                             buffer.size()) >= 0) {
    for (const mbedtls_x509_crt* certificate = &chain;
         certificate != nullptr && certificate->raw.p != nullptr; certificate = certificate->next) {
      if (auto subject = tls::subject_key_id(*certificate)) check_hex(*subject);
      if (auto authority = tls::authority_key_id(*certificate)) check_hex(*authority);
    }
  }
  mbedtls_x509_crt_free(&chain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr tls::Slot slots[] = {tls::Slot::ca, tls::Slot::cert, tls::Slot::key,
                                        tls::Slot::auth};
  const tls::Slot slot = slots[data[0] & 3];
  const std::string_view material(reinterpret_cast<const char*>(data + 1), size - 1);

  tls::CertificateStore store;
  const std::string previous = "previous material";
  store.restore(slot, previous);
  tls::StoreError result = tls::StoreError::none;
  if (slot == tls::Slot::ca) {
    tls::StoredCa stored;
    result = store.store_ca(material, stored);
    if (result == tls::StoreError::none && stored.subject_key_id) {
      check_hex(*stored.subject_key_id);
    }
  } else {
    result = store.store(slot, material);
  }
  if (result == tls::StoreError::none) {
    check(store.slot(slot) == material);
    if (slot == tls::Slot::ca || slot == tls::Slot::cert) read_identifiers(material);
  } else {
    check(store.slot(slot) == previous);
  }
  store.clear();
  check(store.slot(slot).empty());
  return 0;
}
