/*
 * graph.h - the graph-distance workload of chapters 8 and 11: a random
 * directed graph as an m x m matrix of bytes, and the distance in hops
 * between two of its nodes, found by multiplying a frontier vector by the
 * matrix once per hop. Each task needs the whole matrix: what it costs to
 * get the matrix to a worker is what those chapters measure.
 *
 *   uint8_t *a = graph_random(m, 20, seed);        // 2% of the entries set
 *   int32_t i, j;
 *   graph_pair(seed, k, m, &i, &j);                // the k-th pair, reproducibly
 *   int32_t hops = graph_distance(a, m, i, j, 8);  // -1: more than 8 hops
 *   free(a);
 */
#ifndef WORKBOOK_GRAPH_H
#define WORKBOOK_GRAPH_H

#include <stdint.h>

/* A random directed graph: entry (u, v) set with probability per_mille/1000,
 * the same for the same (m, per_mille, seed). malloc'd; dies if it cannot. */
uint8_t *graph_random(int m, int per_mille, uint64_t seed);

/* The k-th pair of nodes (i, j) for `seed`, each in 0..m-1. */
void graph_pair(uint64_t seed, int k, int m, int32_t *i, int32_t *j);

/* Hops from i to j (0 if i == j), or -1 if more than max_hops. */
int32_t graph_distance(const uint8_t *a, int m, int i, int j, int max_hops);

#endif
