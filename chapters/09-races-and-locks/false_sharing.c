/*
 * false_sharing.c - two threads, each incrementing its own counter: nothing
 * is shared, yet the counters can slow each other down when they sit on the
 * same 64-byte cache line, because the cores hand the line back and forth.
 *
 *   packed   the two counters side by side (one cache line)
 *   padded   each counter on a cache line of its own
 *
 * and the increment either a plain `++` on a volatile long, or an atomic
 * fetch-add (a locked read-modify-write). The threads are pinned to two
 * different cores (it needs two).
 *
 *   build/chapter09/false_sharing --quick
 *   build/chapter09/false_sharing --increments 100000000 --data build/false-sharing.tsv
 *
 * It prints one row per layout and increment: nanoseconds per increment
 * per thread (median, min and max over the repeats). Each run checks that
 * both counters reached their count. The four cases are measured side by
 * side in one run, so they are not flags.
 *
 * What to expect: packed slower than padded, by far the most for atomic
 * increments. Compare ../../shared/reference: on this machine a plain ++
 * shows no penalty, atomic increments about 9.5x; and lock_cost.c, where
 * the counter is shared for real.
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

struct config {
    long long increments;       /* per thread */
    run_options run;
};

// snippet-begin: layouts
struct packed {                 /* 16 bytes: both counters on one cache line */
    volatile long a, b;
};

struct padded {                 /* each counter alone on a 64-byte line */
    alignas(64) volatile long a;
    alignas(64) volatile long b;
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

/* One row per layout and increment. */
static const column columns[] = {
    { .name = "layout", .kind = COL_TEXT },
    { .name = "increment", .kind = COL_TEXT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "ns_per_op", .kind = COL_SPREAD, .decimals = 3 },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static double ns_per_increment(bool pad, bool atomic, long long n);

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
    double *ns = samples_alloc(cfg.run.repeat);
    for (int atomic = 0; atomic < 2; atomic++)
        for (int pad = 0; pad < 2; pad++) {
            for (long r = 0; r < cfg.run.repeat; r++)
                ns[r] = ns_per_increment(pad, atomic, cfg.increments);
            report_text(out, pad ? "padded" : "packed");
            report_text(out, atomic ? "atomic" : "plain");
            report_int(out, cfg.run.repeat);
            report_spread(out, ns, (size_t)cfg.run.repeat);
        }
    report_finish(out);
    free(ns);
    return EXIT_SUCCESS;
}

struct arg {
    volatile long *plain;      /* one of the two */
    atomic_long *atom;
    int cpu;
    long long n;
};

static void *bump(void *p)
{
    struct arg *a = p;
    pin_to_cpu(a->cpu);
    if (a->atom) {
        for (long long i = 0; i < a->n; i++)
            atomic_fetch_add_explicit(a->atom, 1, memory_order_relaxed);
    } else {
        for (long long i = 0; i < a->n; i++)
            (*a->plain)++;
    }
    return NULL;
}

/* ns per increment, per thread: how long each of the two took per step. */
static double ns_per_increment(bool pad, bool atomic, long long n)
{
    struct arg args[2] = { { .cpu = 0, .n = n }, { .cpu = 1, .n = n } };
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
    "cache line or on two, with plain and with atomic increments.\n"
    "\n"
    "  --increments N    increments per thread (1000 to 10^10; default 50000000)\n"
    "  --repeat N        repeats (1 to 10000; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           increments 5000000, repeat 3\n"
    "  --help            show this help\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "increments", required_argument, NULL, 'n' },
        { "repeat", required_argument, NULL, OPT_REPEAT },
        { "data", required_argument, NULL, OPT_DATA },
        { "quick", no_argument, NULL, OPT_QUICK },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .increments = quick ? 5000000 : 50000000,
        .run.repeat = quick ? 3 : 5,
    };
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'n':
            cfg->increments = arg_int("--increments", optarg, 1000, 10000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
