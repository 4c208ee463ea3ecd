/*
 * random.h - the workbook's reproducible randomness: every "random" value
 * is a function of a seed and an index alone, so the same task draws the
 * same value whichever thread or process runs it, and in every run.
 *
 *   uint64_t h = hash64(seed + i);                 // 64 well-mixed bits
 *   double u = hash_unit(h);                       // in [0, 1)
 *   int64_t d = gaussian_delay_ns(seed, i, 20 * NS_PER_MS, 10 * NS_PER_MS);
 *
 * Depends on nothing else in common/.
 */
#ifndef WORKBOOK_RANDOM_H
#define WORKBOOK_RANDOM_H

#include <stdint.h>

/* A well-mixed 64-bit hash of x (splitmix64's finalizer). */
uint64_t hash64(uint64_t x);

/* hash64(x) as a number in [0, 1). */
double hash_unit(uint64_t x);

/* A delay drawn from a Gaussian (mean, sd), the same for the same (seed,
 * index); never below zero. sd 0 gives the mean. */
int64_t gaussian_delay_ns(uint64_t seed, uint64_t index, int64_t mean_ns, int64_t sd_ns);

#endif
