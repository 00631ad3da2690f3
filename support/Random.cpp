#include "support/Random.hpp"

namespace spwf::random {

std::mt19937_64& generator() {
  static std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

void seed(std::uint64_t value) {
  generator().seed(value);
}

bool chance(double probability) {
  if (probability <= 0) return false;
  if (probability >= 1) return true;
  return std::uniform_real_distribution<double>{0.0, 1.0}(generator()) < probability;
}

std::uint64_t between(std::uint64_t low, std::uint64_t high) {
  if (high <= low) return low;
  return std::uniform_int_distribution<std::uint64_t>{low, high}(generator());
}

}  // namespace spwf::random
