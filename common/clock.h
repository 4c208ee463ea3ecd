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
#include <time.h>

#define NS_PER_US 1000LL
#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* Monotonic wall-clock time in nanoseconds (arbitrary origin). */
int64_t now_ns(void);

/* User + system CPU time of the whole process (all threads), in ns. */
int64_t cpu_ns_self(void);

/* User + system CPU time of reaped children, in ns. */
int64_t cpu_ns_children(void);

/* Both: a program's CPU time and that of the children it has reaped. */
int64_t cpu_ns_with_children(void);

/* Sleep `ns` nanoseconds; after a signal handler, sleep the rest. */
void sleep_ns(int64_t ns);

/* The CLOCK_REALTIME time `ns` from now: the deadline the timed waits of
 * POSIX threads and message queues want (pthread_mutex_timedlock,
 * pthread_cond_timedwait, mq_timedsend count in real time, not monotonic). */
struct timespec realtime_after(int64_t ns);

#endif
