/*
 * detrand.c -- counter-based deterministic random numbers.
 *
 * splitmix64's finalizer is a bijection on 64 bits with good avalanche, so
 * feeding it a key built from (seed, stream, index) gives independent-looking
 * values for neighbouring indexes without keeping any state.
 */
#include "detrand.h"

static uint64_t
splitmix64_mix(uint64_t z)
{
	z += UINT64_C(0x9E3779B97F4A7C15);
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

uint64_t
detrand_u64(int64_t seed, int64_t stream, int64_t index)
{
	/* Mix each component in turn so (1,2,3) and (3,2,1) differ. */
	uint64_t	h = splitmix64_mix((uint64_t) seed);

	h = splitmix64_mix(h ^ (uint64_t) stream);
	return splitmix64_mix(h ^ (uint64_t) index);
}

double
detrand_unit(int64_t seed, int64_t stream, int64_t index)
{
	return (double) (detrand_u64(seed, stream, index) >> 11) * 0x1.0p-53;
}
