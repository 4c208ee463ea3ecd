/* random.c - see random.h. */
#define _XOPEN_SOURCE 700 /* M_PI */
#include "random.h"

#include <math.h>

uint64_t hash64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double hash_unit(uint64_t x)
{
    return (double)(hash64(x) >> 11) / 9007199254740992.0; /* 53 bits / 2^53 */
}

int64_t gaussian_delay_ns(uint64_t seed, uint64_t index, int64_t mean_ns, int64_t sd_ns)
{
    if (sd_ns <= 0)
        return mean_ns;
    /* Box-Muller from two uniforms that depend on (seed, index) only. */
    uint64_t key = hash64(seed ^ hash64(index));
    double u1 = hash_unit(key), u2 = hash_unit(key + 1);
    double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
    double ns = (double)mean_ns + z * (double)sd_ns;
    return ns > 0 ? (int64_t)ns : 0;
}
