/*
 * detrand.h -- deterministic pseudo-random numbers (pure C, no PostgreSQL).
 *
 * The demo generator and any "seedable" policy need numbers that depend only
 * on (seed, stream, index): the same seed must give the same channel whatever
 * order rows are produced in, so a counter-based generator (splitmix64 over a
 * mixed key) is used rather than a stateful one.
 */
#ifndef CHANNEL_DETRAND_H
#define CHANNEL_DETRAND_H

#include <stdint.h>

/* 64 well-mixed bits for (seed, stream, index). */
uint64_t detrand_u64(int64_t seed, int64_t stream, int64_t index);

/* Uniform double in [0, 1) with 53 bits of precision. */
double detrand_unit(int64_t seed, int64_t stream, int64_t index);

#endif
