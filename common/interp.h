/*
 * interp.h - a tiny "interpreter" that runs under the simulated GIL.
 *
 * A simulated Python thread executes units the code calls bytecodes: each is
 * a small piece of real CPU work standing for one turn of the loop
 * `while n > 0: n -= 1` (some tens of ns, or as long as --unit asks; eight
 * bytecodes in CPython 3.11, nine in 2.7), followed by the eval-breaker check that CPython 3.10 and later
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

#include <stdbool.h>

/*
 * The work of one bytecode: a short chain of multiply-adds, BYTECODE_ROUNDS
 * of them unless --unit (interp_use_unit) asked for a unit of a given time.
 */
#define BYTECODE_ROUNDS 22
extern int interp_rounds;          /* set before any thread starts, then read only */

static inline uint64_t bytecode(uint64_t x)
{
    for (int i = 0; i < interp_rounds; i++)
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

/*
 * --unit D: make one unit last about D (like 23ns) instead of BYTECODE_ROUNDS
 * rounds, by timing the rounds here; the old GIL's release comes every 101
 * ticks, so how often it comes depends on how long the interpreter it stands
 * for takes over a turn (side_by_side.py passes the turn time it measured).
 * Exits with the usage line if D is out of range. interp_unit_comment() says,
 * for a data file's provenance, what was asked and what was got (NULL: the
 * default unit).
 */
void interp_use_unit(const char *text);
const char *interp_unit_comment(void);
#define INTERP_UNIT_HELP \
    "  --unit D          make one unit of work last about D, like 23ns (5ns to\n" \
    "                    1us; default: 22 rounds of multiply-add)\n"

/*
 * --interpret (old GIL only): each unit of a simulated thread is one turn of
 * `while n > 0: n -= 1` interpreted as CPython 2.7 interprets it, not the
 * chain of multiply-adds alone. The nine opcodes of the turn are read from a
 * code object, with its constants, and dispatched one by one over a frame
 * in memory (the local n and the value stack; one per thread, its
 * PyThreadState's frame). Each writes the reference counts 2.7's does: of
 * the integer objects, shared by every thread (the small integers -5 to 256
 * and the constants 0 and 1 among them; larger ones, as in gil_cpu's long
 * countdowns, come from one free list, as 2.7's do), and of True and False;
 * a new integer is a call (PyInt_FromLong), a dead one goes back to the
 * free list through its type's deallocator, called through the object. The
 * subtraction also does the multiply-adds, as many as make the unit last
 * --unit alone, timed under the old GIL (it lets go every 101 ticks alone
 * too, as 2.7 does once a thread has started). What this adds: on winning
 * the GIL from a thread on another core, a thread finds those objects in
 * that core's cache, not its own, and its first turns are slower; the
 * chain keeps everything in registers and pays almost nothing for moving
 * (side_by_side.py arrival measures both against 2.7). The ticks are still
 * counted a turn at a time (GIL_TICKS_PER_UNIT). Call before any thread
 * starts; the program refuses it beside another --gil (interp_interpreting).
 */
void interp_use_interpret(void);
bool interp_interpreting(void);
#define INTERP_INTERPRET_HELP \
    "  --interpret       under the old GIL (--gil old only), each unit interprets a\n" \
    "                    turn of the countdown as CPython 2.7 does: opcodes\n" \
    "                    dispatched over a frame, reference counts of shared\n" \
    "                    integer objects written\n"

#endif
