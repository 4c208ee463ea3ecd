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
 * different cores.
 *
 *   build/chapter09/false_sharing
 *
 * Compare ../../shared/reference: on this machine a plain ++ shows no
 * penalty, atomic increments about 9.5x.
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
#include "datafile.h"
#include "error.h"
#include "stats.h"
#include "locking.h"

static const char usage_line[] = "false_sharing [--increments N] [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "Times two threads on two cores incrementing their own counters, on one\n"
    "cache line or on two, with plain and with atomic increments.\n"
    "\n"
    "  --increments N    increments per thread (1000 to 10^10; default 50000000)\n"
    "  --repeat N        repeats (1 to 1000; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           increments 5000000, repeat 3\n"
    "  --help            show this help\n";

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
static double run(bool pad, bool atomic, long long n)
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

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "increments", required_argument, NULL, 'n' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long n = 0, repeat = 0;
    bool quick = false;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'n':
            n = arg_int("--increments", optarg, 1000, 10000000000LL);
            break;
        case 'r':
            repeat = arg_int("--repeat", optarg, 1, 1000);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (cpus_allowed() < 2)
        die_msg("false sharing needs two cores; this process may use %d", cpus_allowed());
    if (n == 0)
        n = quick ? 5000000 : 50000000;
    if (repeat == 0)
        repeat = quick ? 3 : 5;
    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "increments_per_thread: %lld", n);
        datafile_columns(df, "layout increment repeats median_ns_per_op min_ns_per_op max_ns_per_op");
    }
    printf("2 threads on 2 cores, %lld increments each, %lld repeats; ns per increment:\n", n, repeat);
    printf("%-7s %-7s %10s %8s %8s\n", "layout", "op", "median", "min", "max");
    for (int atomic = 0; atomic < 2; atomic++)
        for (int pad = 0; pad < 2; pad++) {
            double ns[1000];
            for (long long r = 0; r < repeat; r++)
                ns[r] = run(pad, atomic, n);
            summary s = summarize(ns, (size_t)repeat);
            const char *layout = pad ? "padded" : "packed", *op = atomic ? "atomic" : "plain";
            printf("%-7s %-7s %10.2f %8.2f %8.2f\n", layout, op, s.median, s.min, s.max);
            if (df)
                datafile_row(df, "%s\t%s\t%lld\t%.3f\t%.3f\t%.3f", layout, op, repeat, s.median, s.min, s.max);
        }
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
