#include "atcmd/CertificateBank.hpp"

#include "support/Log.hpp"

namespace spwf::atcmd {
namespace {

constexpr tls::Slot all_slots[] = {tls::Slot::ca, tls::Slot::cert, tls::Slot::key, tls::Slot::auth};

std::string_view slot_name(tls::Slot slot) {
  switch (slot) {
    case tls::Slot::ca:
      return "ca";
    case tls::Slot::cert:
      return "cert";
    case tls::Slot::key:
      return "key";
    case tls::Slot::auth:
      break;
  }
  return "auth";
}

}  // namespace

CertificateBank::CertificateBank(config::FlashStore& flash, std::string folder)
    : m_flash(flash), m_folder(std::move(folder)) {
  restore();
}

std::string CertificateBank::path(tls::Slot slot) const {
  return m_folder + "/" + std::string{slot_name(slot)};
}

void CertificateBank::restore() {
  for (const auto slot : all_slots) {
    m_store.restore(slot, m_flash.read_blob(path(slot)).value_or(std::string{}));
  }
}

std::error_code CertificateBank::persist(tls::Slot slot) {
  const std::string& material = m_store.slot(slot);
  if (!material.empty()) return m_flash.write_blob(path(slot), material);
  const auto error = m_flash.remove_blob(path(slot));
  return error == std::errc::no_such_file_or_directory ? std::error_code{} : error;
}

std::error_code CertificateBank::clear() {
  m_store.clear();
  std::error_code failure;
  for (const auto slot : all_slots) {
    if (auto error = persist(slot); error && !failure) failure = error;
  }
  if (failure) {
    log::error(m_folder + " certificates: cannot erase the flash copies: " + failure.message());
    restore();
  }
  return failure;
}

}  // namespace spwf::atcmd
