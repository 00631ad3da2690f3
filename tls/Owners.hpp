#pragma once
// Move-only owners of the mbedTLS contexts: each _init/_free pair becomes a type. The C struct
// lives on the heap so that moving an owner never moves a context mbedTLS points into.

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <memory>

namespace spwf::tls {

/// Owns one heap-allocated mbedTLS context initialised with `Init` and released with `Free`.
template <typename Context, void (*Init)(Context*), void (*Free)(Context*)>
class Owner {
 public:
  Owner() : m_context(new Context) { Init(m_context.get()); }
  Owner(Owner&&) noexcept = default;
  Owner& operator=(Owner&&) noexcept = default;
  Owner(const Owner&) = delete;
  Owner& operator=(const Owner&) = delete;
  ~Owner() = default;

  /// The context (null only in a moved-from owner).
  Context* get() const { return m_context.get(); }
  Context* operator->() const { return m_context.get(); }

 private:
  struct Release {
    void operator()(Context* context) const {
      Free(context);
      delete context;
    }
  };
  std::unique_ptr<Context, Release> m_context;
};

using SslContext = Owner<mbedtls_ssl_context, mbedtls_ssl_init, mbedtls_ssl_free>;
using SslConfig = Owner<mbedtls_ssl_config, mbedtls_ssl_config_init, mbedtls_ssl_config_free>;
using Certificate = Owner<mbedtls_x509_crt, mbedtls_x509_crt_init, mbedtls_x509_crt_free>;
using PrivateKey = Owner<mbedtls_pk_context, mbedtls_pk_init, mbedtls_pk_free>;
using Random = Owner<mbedtls_ctr_drbg_context, mbedtls_ctr_drbg_init, mbedtls_ctr_drbg_free>;
using Entropy = Owner<mbedtls_entropy_context, mbedtls_entropy_init, mbedtls_entropy_free>;

}  // namespace spwf::tls
