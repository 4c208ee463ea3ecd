/* interp.c - see interp.h. */
#define _POSIX_C_SOURCE 200809L
#include "interp.h"
#include "args.h"
#include "clock.h"

#include <math.h>
#include <stdio.h>

int interp_rounds = BYTECODE_ROUNDS;
static char unit_comment[128];

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

/* The best of three timings of n bytecodes by one thread alone, in ns each. */
static double ns_per_unit(long long n)
{
    gil g;
    gil_thread t;
    gil_init(&g, GIL_NONE, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
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

double interp_ns_per_bytecode(void)
{
    return ns_per_unit(2000000);
}

void interp_use_unit(const char *text)
{
    long long want = arg_duration_ns("--unit", text, 5, 1000);
    /* The eval breaker's check does not grow with the rounds: correct thrice.
     * Each timing runs for some 30 ms (a round takes a ns or two). */
    for (int pass = 0; pass < 3; pass++) {
        double got = ns_per_unit((long long)(3e7 / ((double)interp_rounds * 1.6)) + 1000);
        long rounds = lround((double)interp_rounds * (double)want / got);
        interp_rounds = rounds < 1 ? 1 : (int)rounds;
    }
    snprintf(unit_comment, sizeof unit_comment, "unit: %lld ns asked, %d rounds, %.1f ns measured",
             want, interp_rounds, interp_ns_per_bytecode());
}

const char *interp_unit_comment(void)
{
    return unit_comment[0] != '\0' ? unit_comment : NULL;
}
