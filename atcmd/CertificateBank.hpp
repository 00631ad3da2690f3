#pragma once
// A set of certificate slots kept in the module's flash under one folder of the state directory:
// the TLS store (AT+S.TLSCERT, folder "tls") and the WPA-Enterprise supplicant's store
// (AT+S.WPAECERT, folder "wpae"). The slots survive reset and restart independently of WCFG
// (spec §3.7); every write is atomic (FlashStore).

#include <string>
#include <system_error>

#include "config/FlashStore.hpp"
#include "tls/CertificateStore.hpp"

namespace spwf::atcmd {

/// One flash-backed certificate store.
class CertificateBank {
 public:
  CertificateBank(config::FlashStore& flash, std::string folder);

  tls::CertificateStore& store() { return m_store; }
  const tls::CertificateStore& store() const { return m_store; }
  /// Loads every slot from the flash (construction, power-on).
  void restore();
  /// Writes one slot to the flash (removes the copy when the slot is empty).
  std::error_code persist(tls::Slot slot);
  /// content,2: empties every slot and removes the flash copies; on a flash failure the store is
  /// reloaded from what the flash still holds.
  std::error_code clear();

 private:
  std::string path(tls::Slot slot) const;

  config::FlashStore& m_flash;
  std::string m_folder;
  tls::CertificateStore m_store;
};

}  // namespace spwf::atcmd
