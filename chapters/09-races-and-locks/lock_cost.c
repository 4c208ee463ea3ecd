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
 *   build/chapter09/lock_cost --quick
 *   build/chapter09/lock_cost --methods mutex,atomic --threads 1,2
 *   build/chapter09/lock_cost --data build/lock-cost.tsv     # what plots/09-lock-cost.gp draws
 *
 * It prints one row per method and thread count: nanoseconds per
 * increment (median, min and max over the repeats), the wall time divided
 * by all the increments made — how much counting the whole program gets
 * done per nanosecond, contention included. Every run's total is checked.
 *
 * What to expect: each lock costs more per increment with two threads
 * than with one, however many cores, and the spinlock worst with more
 * threads than cores; only the per-thread counters stay cheap. The methods
 * stay a flag (--methods) because they are measured side by side in one
 * run; compare with lost_updates.c (the same fixes, shown correct) and
 * plots/data/reference/system-limits.tsv (mutex_2t, spin_2t, atomic_2t:
 * the same locks timed per thread by a small C microbenchmark).
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
#include "progress.h"
#include "report.h"

enum method { MUTEX, SPIN, ATOMIC, LOCAL };
#define N_METHODS 4
static const char *const method_names[] = { "mutex", "spin", "atomic", "local", NULL };

#define MAX_THREADS 64
#define MAX_COUNTS 16

struct config {
    bool method_used[N_METHODS];
    long long threads[MAX_COUNTS];
    size_t n_threads;
    long long increments;       /* per thread */
    run_options run;
};

struct padded {
    alignas(64) long value;  /* one cache line each */
};

static struct {
    pthread_mutex_t mutex;
    pthread_spinlock_t spin;
    long counter;
    atomic_long atomic_counter;
    struct padded local[MAX_THREADS];
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
            spin_lock(&shared.spin);
            shared.counter++;
            spin_unlock(&shared.spin);
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

/* One row per method and thread count; plots/09-lock-cost.gp reads the TSV. */
static const column columns[] = {
    { .name = "method", .kind = COL_TEXT },
    { .name = "threads", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "ns_per_op", .kind = COL_SPREAD, .decimals = 3 },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void init_locks(void);
static double ns_per_increment(enum method method, int threads, long long n);
static void destroy_locks(void);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    init_locks();
    printf("%lld increments per thread, %d core(s), %ld repeats; every total checked\n", cfg.increments,
           cpus_allowed(), cfg.run.repeat);

    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "increments_per_thread: %lld", cfg.increments);
    long points = 0;
    for (int m = 0; m < N_METHODS; m++)
        points += cfg.method_used[m] ? (long)cfg.n_threads : 0;
    progress bar;
    progress_start(&bar, "locks", points, cfg.run.force_progress);
    report_progress(out, &bar);
    double *ns = samples_alloc(cfg.run.repeat);
    for (int m = 0; m < N_METHODS; m++)
        for (size_t t = 0; t < cfg.n_threads && cfg.method_used[m]; t++) {
            for (long r = 0; r < cfg.run.repeat; r++)
                ns[r] = ns_per_increment((enum method)m, (int)cfg.threads[t], cfg.increments);
            report_text(out, method_names[m]);
            report_int(out, cfg.threads[t]);
            report_int(out, cfg.run.repeat);
            report_spread(out, ns, (size_t)cfg.run.repeat);
            progress_advance(&bar, 1);
        }
    progress_finish(&bar);
    report_finish(out);
    free(ns);
    destroy_locks();
    return EXIT_SUCCESS;
}

static void init_locks(void)
{
    int rc;
    if ((rc = pthread_mutex_init(&shared.mutex, NULL)) != 0)
        die_rc(rc, "pthread_mutex_init");
    if ((rc = pthread_spin_init(&shared.spin, PTHREAD_PROCESS_PRIVATE)) != 0)
        die_rc(rc, "pthread_spin_init");
}

/* One run; returns ns per increment, after checking the total. */
static double ns_per_increment(enum method method, int threads, long long n)
{
    shared.counter = 0;
    atomic_store(&shared.atomic_counter, 0);
    pthread_t ids[MAX_THREADS];
    struct arg args[MAX_THREADS];
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

static void destroy_locks(void)
{
    int rc;
    if ((rc = pthread_mutex_destroy(&shared.mutex)) != 0)
        die_rc(rc, "pthread_mutex_destroy");
    if ((rc = pthread_spin_destroy(&shared.spin)) != 0)
        die_rc(rc, "pthread_spin_destroy");
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] =
    "lock_cost [--methods LIST] [--threads LIST] [--increments N] [--repeat N] [--data FILE]\n"
    "                 [--quick] [--progress]";
static const char help_text[] =
    "Times a shared counter made correct four ways, for several thread counts,\n"
    "in nanoseconds per increment (wall time / all increments).\n"
    "\n"
    "  --methods LIST    mutex, spin, atomic, local (default all)\n"
    "  --threads LIST    thread counts (1 to 64; default 1,2,4,8)\n"
    "  --increments N    increments per thread (1000 to 10^9; default 2000000)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "methods", required_argument, NULL, 'm' },
        { "threads", required_argument, NULL, 't' },
        { "increments", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .method_used = { true, true, true, true },
        .threads = { 1, 2, 4, 8 },
        .n_threads = 4,
        .increments = quick ? 200000 : 2000000,
        .run.repeat = quick ? 3 : 5,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "increments 200000, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'm':
            arg_choice_list("--methods", optarg, method_names, cfg->method_used);
            break;
        case 't':
            cfg->n_threads = arg_int_list("--threads", optarg, 1, MAX_THREADS, cfg->threads, MAX_COUNTS);
            break;
        case 'n':
            cfg->increments = arg_int("--increments", optarg, 1000, 1000000000);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
