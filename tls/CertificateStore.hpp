#pragma once
// The module's TLS certificate store (spec §3.7, §3.5.4): the flash slots written by
// AT+S.TLSCERT (CA, own certificate, own key, "auth"), and the file-system alternatives used
// only while the matching slot is empty (<AuthorityKeyId>.ca, tls.cert, tls.key). The store
// keeps the material in memory; its owner persists the slots in the module's flash and provides
// the file-system lookup once the file system exists.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spwf::tls {

/// The flash slots of AT+S.TLSCERT.
enum class Slot { ca, cert, key, auth };

/// Why material was refused (the store is then unchanged).
enum class StoreError {
  none,
  not_parseable,  ///< AT-S.ERROR:8 — not a certificate / key in PEM or DER
};

/// Result of storing a CA: its SubjectKeyIdentifier bytes, if it has one.
struct StoredCa {
  std::optional<std::vector<std::uint8_t>> subject_key_id;
};

/// Reads a file of the module's file system by name; nullopt when it does not exist.
using FileLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The four flash slots and the file-system lookup.
class CertificateStore {
 public:
  /// Stores a CA certificate (PEM or DER) in the CA slot, replacing the previous one.
  StoreError store_ca(std::string_view material, StoredCa& stored);
  /// Stores the own certificate, own key, or auth material (validated by kind; auth: any bytes).
  StoreError store(Slot slot, std::string_view material);
  /// content,2: empties every slot.
  void clear();
  /// The raw bytes of a slot (empty when unset), as stored and persisted.
  const std::string& slot(Slot slot) const;
  /// Restores a slot from the flash without validation messages (start-up, reset).
  void restore(Slot slot, std::string material);
  /// Sets how files of the module's file system are read (for <AKI>.ca, tls.cert, tls.key).
  void set_file_lookup(FileLookup lookup) { m_files = std::move(lookup); }
  const FileLookup& file_lookup() const { return m_files; }

 private:
  std::string m_ca, m_cert, m_key, m_auth;
  FileLookup m_files;
};

/// Upper-case hex bytes joined by ':' (AT-S.SubjectKeyId form, spec §3.7).
std::string colon_hex(const std::vector<std::uint8_t>& bytes);
/// Lower-case hex without separators (file-system CA names: <AKI>.ca, matched case-insensitively).
std::string plain_hex(const std::vector<std::uint8_t>& bytes);

}  // namespace spwf::tls
