#include "tls/ChainVerifier.hpp"

#include <mbedtls/md.h>

#include <array>
#include <optional>
#include <vector>

#include "support/Limits.hpp"
#include "support/Trace.hpp"
#include "tls/CertificateFacts.hpp"
#include "tls/KeyIdentifiers.hpp"
#include "tls/NamePolicy.hpp"
#include "tls/VerifiedSignatures.hpp"

namespace spwf::tls {
namespace {

void note(const VerifyContext& context, const std::string& text) {
  if (trace::enabled())
    trace::event(trace::Channel::tls, std::string{context.trace_name} + " " + text);
}

void report(const VerifyContext& context, const HandshakeEvent& event) {
  if (context.observer) context.observer(event);
}

Verdict fail(const VerifyContext& context, Verdict verdict, const std::string& why) {
  const auto& entry = certificate_error(verdict);
  note(context, "verification failed: " + std::string{entry.meaning} + " (" + why + "): code " +
                    std::to_string(entry.code) + (entry.confirmed ? "" : " (unverified code)"));
  report(context, CertificateFailure{verdict, entry.code});
  return verdict;
}

// Checks child's signature with parent's public key (or finds it checked before).
bool signature_valid(const mbedtls_x509_crt& child, mbedtls_x509_crt& parent) {
  VerifiedSignatures& verified = verified_signatures();
  if (verified.contains(child, parent)) return true;
  const mbedtls_md_info_t* md = mbedtls_md_info_from_type(child.sig_md);
  if (md == nullptr) return false;
  std::array<unsigned char, MBEDTLS_MD_MAX_SIZE> hash{};
  if (mbedtls_md(md, child.tbs.p, child.tbs.len, hash.data()) != 0) return false;
  const bool valid =
      mbedtls_pk_verify_ext(child.sig_pk, child.sig_opts, &parent.pk, child.sig_md, hash.data(),
                            mbedtls_md_get_size(md), child.sig.p, child.sig.len) == 0;
  if (valid) verified.add(child, parent);
  return valid;
}

// Why the module could not take this certificate from the peer, or nothing (spec §7, error 22).
std::optional<std::string> beyond_limits(const mbedtls_x509_crt& certificate) {
  if (certificate.raw.len > limits::peer_certificate_bytes) {
    return std::to_string(certificate.raw.len) + " bytes, the module takes " +
           std::to_string(limits::peer_certificate_bytes);
  }
  if (mbedtls_pk_get_type(&certificate.pk) == MBEDTLS_PK_RSA &&
      mbedtls_pk_get_bitlen(&certificate.pk) > limits::peer_rsa_key_bits) {
    return "RSA-" + std::to_string(mbedtls_pk_get_bitlen(&certificate.pk)) +
           " key, the module takes " + std::to_string(limits::peer_rsa_key_bits) + " bits";
  }
  return std::nullopt;
}

}  // namespace

Verdict verify_chain(const mbedtls_x509_crt& chain, const VerifyContext& context) {
  std::vector<mbedtls_x509_crt*> certificates;
  for (auto* certificate = const_cast<mbedtls_x509_crt*>(&chain);
       certificate != nullptr && certificate->version != 0; certificate = certificate->next) {
    certificates.push_back(certificate);
  }
  if (certificates.empty()) return fail(context, Verdict::no_trust_anchor, "no server certificate");
  // The module refuses a certificate it cannot hold as it receives it, before any CA lookup
  // (so no Loading / Skip CA line precedes the error).
  for (std::size_t index = 0; index < certificates.size(); ++index) {
    if (const auto why = beyond_limits(*certificates[index])) {
      return fail(context, Verdict::unsupported_certificate,
                  "chain[" + std::to_string(index) + "] \"" + subject_text(*certificates[index]) +
                      "\": " + *why);
    }
  }
  for (std::size_t index = 0; index < certificates.size(); ++index) {
    const auto authority = authority_key_id(*certificates[index]);
    note(context, "chain[" + std::to_string(index) + "] subject \"" +
                      subject_text(*certificates[index]) + "\" issuer \"" +
                      issuer_text(*certificates[index]) + "\" AKI " +
                      (authority ? hex_lower(*authority) : std::string{"none"}));
  }

  // Step 4: the trust anchor, by key identifier, walking from the leaf.
  std::optional<Certificate> anchor;
  std::size_t anchored = 0;
  if (!context.trust.flash_ca.empty()) {
    auto stored = parse_certificates(context.trust.flash_ca);
    if (!stored) return fail(context, Verdict::other, "the flash CA slot does not parse");
    const auto stored_key = subject_key_id(*stored->get());
    for (std::size_t index = 0; index < certificates.size(); ++index) {
      const auto authority = authority_key_id(*certificates[index]);
      if (stored_key && authority && *authority == *stored_key) {
        report(context, Loading{Material::ca, Origin::flash});
        note(context, "chain[" + std::to_string(index) + "] anchored by the flash CA \"" +
                          subject_text(*stored->get()) + "\"");
        anchor = std::move(stored);
        anchored = index;
        break;
      }
      report(context, SkipCa{});
      note(context, "chain[" + std::to_string(index) + "] not issued by the flash CA: Skip CA");
    }
  } else {
    for (std::size_t index = 0; index < certificates.size() && context.trust.files; ++index) {
      const auto authority = authority_key_id(*certificates[index]);
      if (!authority) continue;
      const std::string name = hex_lower(*authority) + ".ca";
      const auto content = context.trust.files(name);
      if (!content) {
        note(context, "chain[" + std::to_string(index) + "] no file " + name);
        continue;
      }
      auto stored = parse_certificates(*content);
      if (!stored) return fail(context, Verdict::other, "file " + name + " does not parse");
      report(context, Loading{Material::ca, Origin::file_system});
      note(context, "chain[" + std::to_string(index) + "] anchored by file " + name);
      anchor = std::move(stored);
      anchored = index;
      break;
    }
  }
  if (!anchor) {
    if (certificates.size() == 1 && is_self_issued(*certificates.front())) {
      return fail(context, Verdict::self_signed_leaf, "self-signed leaf, no CA in the store");
    }
    for (const auto* certificate : certificates) {
      if (is_self_issued(*certificate)) {
        return fail(context, Verdict::self_signed_in_chain,
                    "self-signed \"" + subject_text(*certificate) + "\" is not the stored CA");
      }
    }
    return fail(context, Verdict::no_trust_anchor,
                context.trust.flash_ca.empty() ? "flash CA slot empty, no matching CA file"
                                               : "the flash CA issued no certificate of the chain");
  }

  // Signatures: each certificate up to the anchored one by the next, the anchored one by the CA.
  mbedtls_x509_crt* const ca = anchor->get();
  for (std::size_t index = 0; index <= anchored; ++index) {
    mbedtls_x509_crt& parent = index < anchored ? *certificates[index + 1] : *ca;
    if (!signature_valid(*certificates[index], parent)) {
      return fail(
          context, Verdict::bad_signature,
          "chain[" + std::to_string(index) + "] not signed by \"" + subject_text(parent) + "\"");
    }
  }

  // Dates against the module clock (mbedTLS would use the host's).
  const auto now = static_cast<std::int64_t>(context.module_time);
  std::vector<mbedtls_x509_crt*> dated(certificates.begin(),
                                       certificates.begin() + static_cast<long>(anchored) + 1);
  dated.push_back(ca);
  for (const auto* certificate : dated) {
    const std::string when = " at module time " + std::to_string(now);
    if (now < seconds_since_epoch(certificate->valid_from)) {
      return fail(context, Verdict::not_yet_valid, "\"" + subject_text(*certificate) + "\"" + when);
    }
    if (now > seconds_since_epoch(certificate->valid_to)) {
      return fail(context, Verdict::expired, "\"" + subject_text(*certificate) + "\"" + when);
    }
  }

  if (context.name_check == NameCheck::none) {
    note(context, "certificate chain verified (no name check)");
    return Verdict::ok;
  }
  // The name: the leaf's Common Name only.
  const std::string name = common_name(*certificates.front());
  note(context, "name check: server name \"" + std::string{context.server_name} +
                    "\" against CN \"" + name + "\"");
  if (!common_name_matches(name, context.server_name)) {
    return fail(context, Verdict::name_mismatch,
                "CN \"" + name + "\" != \"" + std::string{context.server_name} + "\"");
  }
  note(context, "certificate chain verified");
  return Verdict::ok;
}

OwnMaterial find_own_material(const TrustSources& trust) {
  OwnMaterial material;
  if (!trust.flash_cert.empty()) {
    material.certificate = trust.flash_cert;
  } else if (trust.files) {
    material.certificate = trust.files("tls.cert");
    material.certificate_origin = Origin::file_system;
  }
  if (!trust.flash_key.empty()) {
    material.key = trust.flash_key;
  } else if (trust.files) {
    material.key = trust.files("tls.key");
    material.key_origin = Origin::file_system;
  }
  return material;
}

}  // namespace spwf::tls
