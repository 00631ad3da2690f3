#include "tls/SharedRandom.hpp"

#include <mutex>
#include <string_view>

#include "tls/Owners.hpp"

namespace spwf::tls {
namespace {

constexpr std::string_view personalisation = "spwf04emu tls";

struct Generator {
  std::mutex mutex;
  Entropy entropy;
  Random random;
  int status = 0;

  Generator() {
    status = mbedtls_ctr_drbg_seed(random.get(), mbedtls_entropy_func, entropy.get(),
                                   reinterpret_cast<const unsigned char*>(personalisation.data()),
                                   personalisation.size());
  }
};

Generator& generator() {
  static Generator instance;
  return instance;
}

}  // namespace

int shared_random(void* /*context*/, unsigned char* output, std::size_t length) {
  Generator& source = generator();
  const std::lock_guard lock{source.mutex};
  if (source.status != 0) return source.status;
  return mbedtls_ctr_drbg_random(source.random.get(), output, length);
}

int shared_random_status() {
  return generator().status;
}

}  // namespace spwf::tls
