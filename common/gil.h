/*
 * gil.h - a simulated global interpreter lock, faithful to CPython's.
 *
 * Three modes:
 *
 *   new   CPython 3.2 and later (Python/ceval_gil.c). A thread that wants the
 *         GIL waits on a condition variable for one switch interval (5 ms by
 *         default). If the GIL has not changed hands meanwhile, it sets
 *         drop_request; the holder sees the request at its next check,
 *         drops the GIL, and waits until another thread has taken it.
 *   old   CPython 2.x and 3.1. A plain lock (a POSIX semaphore, as on Linux),
 *         released and immediately re-taken every 100 "ticks" (most
 *         bytecodes count one; one simulated unit, a turn of the countdown
 *         loop, counts three, as in CPython 2.7). No timeout, no request,
 *         no hand-off.
 *   none  The free-threaded build (PEP 703): no GIL at all.
 *
 * In every mode, blocking calls (sleep, I/O) release the GIL around the call,
 * as Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS do.
 *
 * Each thread records every hold (acquire time, release time, why it was
 * released) into a buffer allocated before the run, so that tracing costs
 * two clock reads per hold and never a lock.
 */
#ifndef WORKBOOK_GIL_H
#define WORKBOOK_GIL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { GIL_NEW, GIL_OLD, GIL_NONE } gil_mode;
extern const char *const gil_mode_names[]; /* "new", "old", "none", NULL */

#define GIL_DEFAULT_INTERVAL_US 5000 /* sys.getswitchinterval() == 0.005 */
#define GIL_CHECK_INTERVAL 100       /* sys.getcheckinterval() in Python 2 */

/*
 * The ticks of Python 2's check interval that one unit (one turn of
 * `while n > 0: n -= 1`, see interp.h) costs. CPython 2.7's eval loop counts
 * a tick for every opcode that ends in DISPATCH() and none for those that
 * end in FAST_DISPATCH(): of the nine opcodes of a turn, COMPARE_OP,
 * INPLACE_SUBTRACT and JUMP_ABSOLUTE count (its computed-goto dispatch
 * turns off the opcode prediction that would let COMPARE_OP pass on to
 * POP_JUMP_IF_FALSE without a count), and LOAD_FAST, LOAD_CONST,
 * POP_JUMP_IF_FALSE and STORE_FAST do not. `gil_cpython.py ticks` reads it from the interpreter's own
 * _Py_Ticker: 3.00 under CPython 2.7.18. So the lock is let go every
 * 101 / 3 turns, not every 100.
 */
#define GIL_TICKS_PER_UNIT 3

/* Why a thread let go of the GIL. */
typedef enum {
    RELEASE_DROP_REQUEST, /* new: another thread asked (forced switch) */
    RELEASE_TICKS,        /* old: the 100-tick check interval came round */
    RELEASE_BLOCKING,     /* any: around a blocking call (sleep, I/O) */
    RELEASE_EXIT,         /* any: the thread finished */
} release_reason;
extern const char *const release_reason_names[];

/* One hold of the GIL by one thread, in ns since gil->start_ns. */
typedef struct {
    int64_t acquire_ns;
    int64_t release_ns;
    int thread;
    release_reason reason;
} gil_hold;

typedef struct gil {
    gil_mode mode;
    long interval_us;   /* new: the switch interval */
    int check_interval; /* old: ticks between releases */
    long ticker;        /* old: ticks left before the next release. One for all
                           threads, as Python 2's _Py_Ticker is: only the holder
                           counts, and a thread that wins the lock goes on from
                           where the last holder stopped */
    int64_t start_ns;   /* origin of the trace's times */

    /* new: `locked` and `switch_number` are guarded by `mutex`; a waiter
     * sleeps on `cond`. A forced switch waits on `switch_cond` until another
     * thread has taken the GIL. */
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    pthread_mutex_t switch_mutex;
    pthread_cond_t switch_cond;
    atomic_int locked;
    atomic_int last_holder;        /* thread id, -1 before the first take */
    unsigned long switch_number;   /* hand-offs so far */
    atomic_int drop_request;       /* the eval breaker, read at every check */
    atomic_long drop_requests;     /* how many times a waiter set it */

    /* old: the lock itself */
    sem_t lock;
    /* The holder (CPython's current thread state, _PyThreadState_Current in
     * 2.7, the runtime's tstate_current in 3.x): set after taking the GIL,
     * cleared before letting go (new and old). A global of its own in
     * CPython, so a cache line of its own here. */
    char before_current[64];
    _Atomic(const void *) current;
    char after_current[64];
} gil;

/* A thread of the simulated interpreter (CPython's PyThreadState). */
typedef struct {
    gil *gil;
    int id;
    int64_t acquired_ns;
    uint64_t state;    /* what the bytecodes compute (keeps the work real) */
    long long units;   /* bytecodes executed */
    void *frame;       /* the frame it runs (PyThreadState's frame), if the
                          interpreter keeps one (interp.c --interpret) */
    gil_hold *trace;   /* preallocated; NULL: no trace */
    size_t trace_len, trace_capacity, trace_lost;
} gil_thread;

void gil_init(gil *g, gil_mode mode, long interval_us);
void gil_destroy(gil *g);

/* trace_capacity holds per thread (0: no trace). */
void gil_thread_init(gil_thread *t, gil *g, int id, size_t trace_capacity);
void gil_thread_free(gil_thread *t);

void gil_take(gil_thread *t);
void gil_drop(gil_thread *t, release_reason why);

/* The hand-offs so far (switch_number; new GIL only). */
unsigned long gil_switches(gil *g);

/*
 * The eval breaker: what CPython's loop does after a backward jump and at a
 * call (since 3.10; before, between most bytecodes). Cheap when there is
 * nothing to do.
 */
static inline void gil_eval_breaker(gil_thread *t)
{
    gil *g = t->gil;
    switch (g->mode) {
    case GIL_NEW:
        if (atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
            gil_drop(t, RELEASE_DROP_REQUEST); /* give another thread a chance */
            gil_take(t);
        }
        break;
    // snippet-begin: old-ticks
    case GIL_OLD:
        /* Python 2 counts down a tick at a time and, below zero, starts again
         * at the check interval: a unit's ticks past zero count towards the
         * next interval. */
        g->ticker -= GIL_TICKS_PER_UNIT;
        if (g->ticker < 0) {
            g->ticker += g->check_interval + 1;
            gil_drop(t, RELEASE_TICKS);        /* release ... */
            gil_take(t);                       /* ... and take it straight back */
        }
        break;
    // snippet-end: old-ticks
    case GIL_NONE:
        break;
    }
}

#endif
