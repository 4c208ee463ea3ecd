/*
 * lock_cost.c - what each correct way of counting costs, per increment,
 * with 1, 2, 4 and 8 threads on this machine's cores:
 *
 *   mutex    pthread_mutex_lock / unlock around counter++
 *   spin     pthread_spin_lock / unlock around it
 *   atomic   atomic_fetch_add: one locked instruction
 *   local    each thread its own counter (on its own cache line), summed
 *            at the end: no sharing at all
 *
 * The figure is wall time divided by all the increments made: how much
 * counting the whole program gets done per nanosecond, contention included.
 *
 *   build/chapter09/lock_cost --quick
 *   build/chapter09/lock_cost --methods mutex,atomic --threads 1,2
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "progress.h"
#include "stats.h"
#include "locking.h"

static const char usage_line[] =
    "lock_cost [--methods LIST] [--threads LIST] [--increments N] [--repeat N] [--data FILE]\n"
    "                 [--quick] [--progress]";
static const char help_text[] =
    "Times a shared counter made correct four ways, for several thread counts,\n"
    "in nanoseconds per increment (wall time / all increments).\n"
    "\n"
    "  --methods LIST    mutex, spin, atomic, local (default all)\n"
    "  --threads LIST    thread counts (1 to 64; default 1,2,4,8)\n"
    "  --increments N    increments per thread (1000 to 10^9; default 2000000)\n"
    "  --repeat N        repeats (1 to 1000; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           increments 200000, repeat 3\n"
    "  --progress        show the progress bar even when stderr is not a terminal\n"
    "  --help            show this help\n";

enum method { MUTEX, SPIN, ATOMIC, LOCAL };
static const char *const method_names[] = { "mutex", "spin", "atomic", "local", NULL };

struct padded {
    alignas(64) long value;  /* one cache line each */
};

static struct {
    pthread_mutex_t mutex;
    pthread_spinlock_t spin;
    long counter;
    atomic_long atomic_counter;
    struct padded local[64];
} shared;

struct arg {
    enum method method;
    long long n;
    int me;
};

// snippet-begin: loops
static void *counter_thread(void *p)
{
    struct arg *a = p;
    switch (a->method) {
    case MUTEX:
        for (long long i = 0; i < a->n; i++) {
            lock(&shared.mutex);
            shared.counter++;
            unlock(&shared.mutex);
        }
        break;
    case SPIN:
        for (long long i = 0; i < a->n; i++) {
            pthread_spin_lock(&shared.spin);
            shared.counter++;
            pthread_spin_unlock(&shared.spin);
        }
        break;
    case ATOMIC:
        for (long long i = 0; i < a->n; i++)
            atomic_fetch_add_explicit(&shared.atomic_counter, 1, memory_order_relaxed);
        break;
    case LOCAL: {
        volatile long mine = 0;           /* in memory, as a counter would be, */
        for (long long i = 0; i < a->n; i++)
            mine++;                       /* but on this thread's stack alone */
        shared.local[a->me].value = mine; /* written once, at the end */
        break;
    }
    }
    return NULL;
}
// snippet-end: loops

/* One run; returns ns per increment, after checking the total. */
static double run(enum method method, int threads, long long n)
{
    shared.counter = 0;
    atomic_store(&shared.atomic_counter, 0);
    pthread_t ids[64];
    struct arg args[64];
    int64_t start = now_ns();
    for (int i = 0; i < threads; i++) {
        args[i] = (struct arg){ method, n, i };
        int rc = pthread_create(&ids[i], NULL, counter_thread, &args[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create");
    }
    join_all(ids, threads);
    double ns = (double)(now_ns() - start);
    long total = method == ATOMIC ? atomic_load(&shared.atomic_counter) : shared.counter;
    if (method == LOCAL) {
        total = 0;
        for (int i = 0; i < threads; i++)
            total += shared.local[i].value;
    }
    if (total != (long)threads * (long)n)
        die_msg("%s with %d threads: %ld, not %lld", method_names[method], threads, total, threads * n);
    return ns / (double)(threads * n);
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "methods", required_argument, NULL, 'm' },
        { "threads", required_argument, NULL, 't' },
        { "increments", required_argument, NULL, 'n' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool used[4] = { false }, given = false, quick = false, force = false;
    long long threads[16] = { 1, 2, 4, 8 }, n = 0, repeat = 0;
    size_t n_threads = 4;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'm':
            arg_choice_list("--methods", optarg, method_names, used);
            given = true;
            break;
        case 't':
            n_threads = arg_int_list("--threads", optarg, 1, 64, threads, 16);
            break;
        case 'n':
            n = arg_int("--increments", optarg, 1000, 1000000000);
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
        case 'P':
            force = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (!given)
        used[0] = used[1] = used[2] = used[3] = true;
    if (n == 0)
        n = quick ? 200000 : 2000000;
    if (repeat == 0)
        repeat = quick ? 3 : 5;
    int rc;
    if ((rc = pthread_mutex_init(&shared.mutex, NULL)) != 0 ||
        (rc = pthread_spin_init(&shared.spin, PTHREAD_PROCESS_PRIVATE)) != 0)
        die_rc(rc, "lock init");

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "increments_per_thread: %lld", n);
        datafile_columns(df, "method threads repeats median_ns_per_op min_ns_per_op max_ns_per_op");
    }
    printf("%lld increments per thread, %d core(s), %lld repeats; every total checked\n", n, cpus_allowed(),
           repeat);
    printf("%-7s %7s %16s %10s %10s\n", "method", "threads", "median_ns_per_op", "min", "max");
    progress bar;
    progress_start(&bar, "locks", 4 * (long)n_threads, force);
    for (int m = 0; m < 4; m++)
        for (size_t t = 0; t < n_threads && used[m]; t++) {
            double ns[1000];
            for (long long r = 0; r < repeat; r++)
                ns[r] = run((enum method)m, (int)threads[t], n);
            summary s = summarize(ns, (size_t)repeat);
            progress_clear(&bar);
            printf("%-7s %7lld %16.2f %10.2f %10.2f\n", method_names[m], threads[t], s.median, s.min, s.max);
            if (df)
                datafile_row(df, "%s\t%lld\t%lld\t%.3f\t%.3f\t%.3f", method_names[m], threads[t], repeat, s.median,
                             s.min, s.max);
            progress_advance(&bar, 1);
        }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
