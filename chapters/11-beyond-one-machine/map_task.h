/*
 * map_task.h - the task chapter 11's two maps hand out (map_static.c all at
 * once, map_dynamic.c in chunks; map_dynamic.py computes the same), and the
 * one number a map's results come to. Header-only: each program is one
 * source file.
 */
#ifndef WORKBOOK_MAP_TASK_H
#define WORKBOOK_MAP_TASK_H

#include <stdint.h>

#include "random.h"

/* The task: a number hashed `work` times over. */
static inline uint64_t task(uint64_t x, long long work)
{
    for (long long k = 0; k < work; k++)
        x = hash64(x);
    return x;
}

/* The results summed (mod 2^64): one number to compare between runs. */
static inline uint64_t checksum(const uint64_t *results, long long n)
{
    uint64_t sum = 0;
    for (long long i = 0; i < n; i++)
        sum += results[i];
    return sum;
}

#endif
