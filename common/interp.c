/* interp.c - see interp.h. */
#define _POSIX_C_SOURCE 200809L
#include "interp.h"
#include "clock.h"

void interp_begin(gil_thread *t)
{
    gil_take(t);
}

void interp_end(gil_thread *t)
{
    gil_drop(t, RELEASE_EXIT);
}

// snippet-begin: eval-loop
void interp_run(gil_thread *t, long long n)
{
    uint64_t state = t->state;
    for (long long i = 0; i < n; i++) {
        state = bytecode(state);   /* one bytecode of real work ... */
        gil_eval_breaker(t);       /* ... then: does anyone want the GIL? */
    }
    t->state = state;
    t->units += n;
}
// snippet-end: eval-loop

long long interp_run_until(gil_thread *t, int64_t deadline_ns)
{
    /* Reading the clock costs about as much as a bytecode: look every 256. */
    long long done = 0;
    while (now_ns() < deadline_ns) {
        interp_run(t, 256);
        done += 256;
    }
    return done;
}

// snippet-begin: blocking-call
void interp_sleep(gil_thread *t, int64_t ns)
{
    gil_drop(t, RELEASE_BLOCKING);          /* Py_BEGIN_ALLOW_THREADS */
    sleep_ns(ns);                           /* the blocking call: nanosleep */
    gil_take(t);                            /* Py_END_ALLOW_THREADS */
}
// snippet-end: blocking-call

double interp_ns_per_bytecode(void)
{
    gil g;
    gil_thread t;
    gil_init(&g, GIL_NONE, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
    const long long n = 2000000;
    double best = 0;
    for (int round = 0; round < 3; round++) {
        int64_t start = now_ns();
        interp_run(&t, n);
        double ns = (double)(now_ns() - start) / (double)n;
        best = round == 0 || ns < best ? ns : best;
    }
    gil_thread_free(&t);
    gil_destroy(&g);
    return best;
}
