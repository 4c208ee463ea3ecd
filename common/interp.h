/*
 * interp.h - a tiny "interpreter" that runs under the simulated GIL.
 *
 * A simulated Python thread executes units the code calls bytecodes: each is
 * a small, fixed piece of real CPU work standing for one turn of the loop
 * `while n > 0: n -= 1` (about 25 ns; eight bytecodes in CPython 3.11, nine
 * in 2.7), followed by the eval-breaker check that CPython 3.10 and later
 * makes after the turn's backward jump (and at calls); under the old GIL the
 * same check counts the turn's three ticks (gil.h, GIL_TICKS_PER_UNIT).
 * Blocking calls release the GIL around the call, as CPython does around
 * sleep and I/O.
 *
 *   interp_begin(&t);              // the thread takes the GIL to start
 *   interp_run(&t, 1000000);       // a million bytecodes of CPU work
 *   interp_sleep(&t, 200000);      // time.sleep(0.0002): GIL released
 *   interp_end(&t);                // drops the GIL for good
 */
#ifndef WORKBOOK_INTERP_H
#define WORKBOOK_INTERP_H

#include "gil.h"

/* The work of one bytecode: a short chain of multiply-adds. */
#define BYTECODE_ROUNDS 22

static inline uint64_t bytecode(uint64_t x)
{
    for (int i = 0; i < BYTECODE_ROUNDS; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x ^ (x >> 31);
}

/* Start and end a simulated Python thread (take the GIL; drop it for good). */
void interp_begin(gil_thread *t);
void interp_end(gil_thread *t);

/* Execute `n` bytecodes, with the eval breaker between them. */
void interp_run(gil_thread *t, long long n);

/* Execute bytecodes until `deadline_ns` (now_ns() time); returns how many. */
long long interp_run_until(gil_thread *t, int64_t deadline_ns);

/* A blocking call of `ns` nanoseconds (nanosleep), with the GIL released. */
void interp_sleep(gil_thread *t, int64_t ns);

/* Measure how long one bytecode takes here, alone, in ns. */
double interp_ns_per_bytecode(void);

#endif
