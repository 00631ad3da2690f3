#pragma once
// One random generator for every TLS session of the process (CTR_DRBG over the system's
// entropy), seeded once on first use. Seeding a generator per session cost 0.6 ms of every
// handshake (entropy gathering and the DRBG's own start-up), a tenth of a whole handshake with
// mbedTLS's P-256 arithmetic (issue 16); mbedTLS reseeds it from the entropy source on its own
// schedule. Calls are serialised, so sessions on any thread may use it.

#include <cstddef>

namespace spwf::tls {

/// mbedTLS's f_rng signature; `context` is unused (pass nullptr). 0 or an mbedTLS error.
int shared_random(void* context, unsigned char* output, std::size_t length);

/// 0 when the generator is seeded, else the mbedTLS error seeding it failed with.
int shared_random_status();

}  // namespace spwf::tls
