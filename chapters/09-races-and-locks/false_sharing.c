/*
 * false_sharing.c - two threads, each incrementing its own counter: nothing
 * is shared, yet the counters can slow each other down when they sit on the
 * same 64-byte cache line, because the cores hand the line back and forth.
 *
 *   packed   the two counters side by side (one cache line)
 *   padded   each counter on a cache line of its own
 *
 * and three kinds of increment:
 *
 *   volatile   `++` through a volatile pointer: a load and a store to
 *              memory, every time
 *   plain      `++` on a plain long: the compiler may keep the counter in a
 *              register and store it once (gcc and clang at -O2 replace the
 *              whole loop by one addition: objdump -d shows it)
 *   atomic     atomic_fetch_add, a locked read-modify-write
 *
 * The threads are pinned to two different cores (it needs two).
 *
 *   build/chapter09/false_sharing --quick
 *   build/chapter09/false_sharing --increments 100000000 --data build/false-sharing.tsv
 *
 * It prints one row per layout and increment: nanoseconds per increment
 * per thread (median, min and max over the repeats), and that time over
 * the padded layout's in the same repeat (vs_padded: the false-sharing
 * penalty, repeat by repeat). Each run checks that both counters reached
 * their count. The cases are measured side by side in one run, the two
 * layouts in turn, so they are not flags.
 *
 * What to expect: packed slower than padded wherever the loop writes the
 * line each time (volatile, atomic), by far the most for atomic
 * increments; no difference for plain, where the line is written once.
 * Compare plots/data/reference/system-limits.tsv (shared_line_*), and
 * lock_cost.c, where the counter is shared for real.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "locking.h"
#include "options.h"
#include "report.h"

enum increment { VOLATILE, PLAIN, ATOMIC, INCREMENTS };
static const char *const increment_names[] = { "volatile", "plain", "atomic", NULL };

struct config {
    long long increments;       /* per thread */
    run_options run;
};

// snippet-begin: layouts
struct packed {                 /* 16 bytes: both counters on one cache line */
    long a, b;
};

struct padded {                 /* each counter alone on a 64-byte line */
    alignas(64) long a;
    alignas(64) long b;
};
// snippet-end: layouts

struct packed_atomic {
    atomic_long a, b;
};

struct padded_atomic {
    alignas(64) atomic_long a;
    alignas(64) atomic_long b;
};

static struct packed packed;
static struct padded padded;
static struct packed_atomic packed_atomic;
static struct padded_atomic padded_atomic;

/* One row per layout and increment; vs_padded is the time of this layout
 * over the padded layout's in the same repeat (1 for padded itself). */
static const column columns[] = {
    { .name = "layout", .kind = COL_TEXT },
    { .name = "increment", .kind = COL_TEXT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "ns_per_op", .kind = COL_SPREAD, .decimals = 3 },
    { .name = "vs_padded", .kind = COL_SPREAD, .decimals = 2 },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static double ns_per_increment(bool pad, enum increment increment, long long n);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cpus_allowed() < 2)
        die_msg("false sharing needs two cores; this process may use %d", cpus_allowed());
    printf("2 threads on 2 cores, %lld increments each, %ld repeats; ns per increment:\n", cfg.increments,
           cfg.run.repeat);

    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "increments_per_thread: %lld", cfg.increments);
    size_t repeat = (size_t)cfg.run.repeat;
    double *ns[2] = { samples_alloc(cfg.run.repeat), samples_alloc(cfg.run.repeat) };
    double *ratio[2] = { samples_alloc(cfg.run.repeat), samples_alloc(cfg.run.repeat) };
    for (int increment = 0; increment < INCREMENTS; increment++) {
        for (size_t r = 0; r < repeat; r++)          /* the layouts in turn: a machine that */
            for (int pad = 0; pad < 2; pad++)        /* slows down slows both alike */
                ns[pad][r] = ns_per_increment(pad, (enum increment)increment, cfg.increments);
        for (size_t r = 0; r < repeat; r++)
            for (int pad = 0; pad < 2; pad++)
                ratio[pad][r] = ns[pad][r] / ns[1][r];
        for (int pad = 0; pad < 2; pad++) {
            report_text(out, pad ? "padded" : "packed");
            report_text(out, increment_names[increment]);
            report_int(out, cfg.run.repeat);
            report_spread(out, ns[pad], repeat);
            report_spread(out, ratio[pad], repeat);
        }
    }
    report_finish(out);
    for (int pad = 0; pad < 2; pad++) {
        free(ns[pad]);
        free(ratio[pad]);
    }
    return EXIT_SUCCESS;
}

struct arg {
    enum increment increment;
    long *plain;               /* one of the two counters: volatile, plain */
    atomic_long *atom;         /* or atomic */
    int cpu;
    long long n;
};

// snippet-begin: increments
static void *bump(void *p)
{
    struct arg *a = p;
    pin_to_cpu(a->cpu);
    long long n = a->n;
    switch (a->increment) {
    case VOLATILE: {
        volatile long *counter = a->plain;   /* load, add, store: every time */
        for (long long i = 0; i < n; i++)
            (*counter)++;
        break;
    }
    case PLAIN: {
        long *counter = a->plain;            /* the compiler may add n at once */
        for (long long i = 0; i < n; i++)
            (*counter)++;
        break;
    }
    default:                                 /* ATOMIC: a locked add, every time */
        for (long long i = 0; i < n; i++)
            atomic_fetch_add_explicit(a->atom, 1, memory_order_relaxed);
        break;
    }
    return NULL;
}
// snippet-end: increments

/* ns per increment, per thread: how long each of the two took per step. */
static double ns_per_increment(bool pad, enum increment increment, long long n)
{
    struct arg args[2] = { { .increment = increment, .cpu = 0, .n = n },
                           { .increment = increment, .cpu = 1, .n = n } };
    bool atomic = increment == ATOMIC;
    if (atomic) {
        args[0].atom = pad ? &padded_atomic.a : &packed_atomic.a;
        args[1].atom = pad ? &padded_atomic.b : &packed_atomic.b;
        atomic_store(args[0].atom, 0);
        atomic_store(args[1].atom, 0);
    } else {
        args[0].plain = pad ? &padded.a : &packed.a;
        args[1].plain = pad ? &padded.b : &packed.b;
        *args[0].plain = *args[1].plain = 0;
    }
    pthread_t ids[2];
    int64_t start = now_ns();
    for (int i = 0; i < 2; i++) {
        int rc = pthread_create(&ids[i], NULL, bump, &args[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create");
    }
    join_all(ids, 2);
    double ns = (double)(now_ns() - start) / (double)n;
    long x = atomic ? atomic_load(args[0].atom) : *args[0].plain;
    long y = atomic ? atomic_load(args[1].atom) : *args[1].plain;
    if (x != n || y != n)
        die_msg("the counters are %ld and %ld, not %lld", x, y, n);
    return ns;
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] = "false_sharing [--increments N] [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "Times two threads on two cores incrementing their own counters, on one\n"
    "cache line or on two, with volatile, plain and atomic increments.\n"
    "\n"
    "  --increments N    increments per thread (1000 to 10^10; default 50000000)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "increments", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .increments = quick ? 5000000 : 50000000,
        .run.repeat = quick ? 3 : 5,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "increments 5000000, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'n':
            cfg->increments = arg_int("--increments", optarg, 1000, 10000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
