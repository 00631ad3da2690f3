#pragma once
// The one generator behind every chance the emulator takes: fault probabilities, jitter,
// AT+S.RANDOM and the WPS random PIN. --seed N makes it reproducible (same seed, inputs and
// --boot instant: same console bytes); without it, it is seeded from the system's entropy.
// TLS keys and nonces keep mbedTLS's own entropy: a seed must never make them predictable.

#include <cstdint>
#include <random>

namespace spwf::random {

/// Reseeds the generator (--seed).
void seed(std::uint64_t value);
/// The generator (one thread: the io_context's).
std::mt19937_64& generator();
/// True with probability `probability` (0: never, 1 or more: always, without a draw).
bool chance(double probability);
/// A whole number in [low, high].
std::uint64_t between(std::uint64_t low, std::uint64_t high);

}  // namespace spwf::random
