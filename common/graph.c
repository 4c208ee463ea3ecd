/* graph.c - see graph.h. */
#include "graph.h"
#include "error.h"
#include "random.h"

#include <stdlib.h>
#include <string.h>

uint8_t *graph_random(int m, int per_mille, uint64_t seed)
{
    uint8_t *a = malloc((size_t)m * (size_t)m);
    if (a == NULL)
        die("malloc %d x %d matrix", m, m);
    for (size_t k = 0; k < (size_t)m * (size_t)m; k++)
        a[k] = hash_unit(seed * 0x9e3779b97f4a7c15ULL + k) * 1000 < per_mille;
    return a;
}

void graph_pair(uint64_t seed, int k, int m, int32_t *i, int32_t *j)
{
    *i = (int32_t)(hash64(seed + 2 * (uint64_t)k) % (uint64_t)m);
    *j = (int32_t)(hash64(seed + 2 * (uint64_t)k + 1) % (uint64_t)m);
}

// snippet-begin: distance
/* Hops from i to j (0 if i == j), or -1 if more than max_hops: the frontier
 * vector times the matrix, once per hop. */
int32_t graph_distance(const uint8_t *a, int m, int i, int j, int max_hops)
{
    if (i == j)
        return 0;
    uint8_t *seen = calloc((size_t)m, 1), *frontier = calloc((size_t)m, 1), *next = malloc((size_t)m);
    if (seen == NULL || frontier == NULL || next == NULL)
        die("calloc");
    frontier[i] = seen[i] = 1;
    int32_t found = -1;
    for (int hop = 1; hop <= max_hops && found < 0; hop++) {
        memset(next, 0, (size_t)m);
        for (int u = 0; u < m; u++)              /* next = frontier x A */
            if (frontier[u])
                for (int v = 0; v < m; v++)
                    next[v] |= a[(size_t)u * (size_t)m + (size_t)v];
        for (int v = 0; v < m; v++) {           /* keep only the new nodes */
            frontier[v] = next[v] && !seen[v];
            seen[v] |= next[v];
        }
        if (frontier[j])
            found = hop;
    }
    free(seen);
    free(frontier);
    free(next);
    return found;
}
// snippet-end: distance
