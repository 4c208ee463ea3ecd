/*
 * clock.h - the two clocks every measurement in the workbook uses.
 *
 * Wall time comes from CLOCK_MONOTONIC (never jumps when the system clock is
 * set); CPU time from getrusage (user + system time the kernel charged).
 * CPU time / wall time is the "effective parallelism" of a run: 1.0 means
 * one core was busy the whole time, 2.0 means two were.
 */
#ifndef WORKBOOK_CLOCK_H
#define WORKBOOK_CLOCK_H

#include <stdint.h>

#define NS_PER_US 1000LL
#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* Monotonic wall-clock time in nanoseconds (arbitrary origin). */
int64_t now_ns(void);

/* User + system CPU time of the whole process (all threads), in ns. */
int64_t cpu_ns_self(void);

/* User + system CPU time of reaped children, in ns. */
int64_t cpu_ns_children(void);

#endif
