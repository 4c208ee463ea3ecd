/*
 * gil_convoy.c - the convoy effect: a short blocking operation beside
 * CPU-bound threads.
 *
 * One simulated Python thread does a short blocking operation (a sleep of
 * --op) over and over, timing each from the call until it holds the GIL
 * again, as time.perf_counter() around time.sleep() would. Beside it run
 * --cpu-threads CPU-bound threads.
 *
 *   build/chapter03/gil_convoy --quick
 *   build/chapter03/gil_convoy --gil new,old --cpu-threads 0,1,2 --intervals 0.5ms,5ms,50ms
 *
 * It prints one row per GIL, switch interval (the new GIL's only) and number
 * of CPU-bound threads: the median, shortest and longest operation, in ms
 * (and in the data file the mean of the middle half, stats.h).
 *
 * What to expect: under the new GIL the blocking thread gives the GIL up for
 * the call, a CPU thread takes it, and when the call returns the blocking
 * thread must wait a whole switch interval before it may even ask for it
 * back: each operation costs its own time plus about one interval (CPython
 * issue 7946). Under the old GIL it just has to win the next race for the
 * lock, which happens within microseconds on several cores. The GILs are a
 * flag (--gil), not separate programs: the chapter compares them side by
 * side in one run.
 *
 * Compare with gil_cpython.py convoy, the same measurement in CPython.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "gil.h"
#include "interp.h"
#include "locking.h"
#include "options.h"
#include "progress.h"
#include "report.h"
#include "stats.h"

#define MAX_LIST 16

struct config {
    bool gil_used[3];
    long long cpu_threads[MAX_LIST], intervals_ns[MAX_LIST];
    size_t n_cpu_threads, n_intervals;
    int64_t op_ns, between_ns, hold_ns;
    bool between_given;
    long ops;
    int cpus;
    run_options run;
};

/* Between two calls the I/O thread runs a little Python: gil_cpython.py's
 * loop around time.sleep() costs 13 ticks in CPython 2.7, about as many as
 * four turns of the countdown (three each). Under the old GIL that matters:
 * a thread that spends more than 100 ticks between calls lets go of the
 * lock once more, and may lose it. Its calls into C (the clock, the list
 * append) take time too, and there the eval breaker is not looked at:
 * --between D makes the whole stretch last D, as long as the interpreter's
 * does, with a busy wait after the units. How long the I/O thread holds
 * the GIL between its calls decides, beside two CPU-bound threads, which
 * waiter's timeout counts first (chapter 3, section 8). Only part of that
 * hold is Python: --hold D makes the whole of it, from taking the GIL back
 * to letting it go for the next call, last D, as long as a trace of the
 * interpreter shows (trace/gil_trace.c). */
#define PYTHON_BETWEEN_CALLS 4

struct io_thread {
    gil_thread thread;   /* with a trace: its holds, and when it took the GIL */
    int64_t op_ns, between_ns, hold_ns;
    long ops;
    double *op_ms;
};

// snippet-begin: io-loop
static void *io_main(void *arg)
{
    struct io_thread *io = arg;
    interp_begin(&io->thread);
    for (long k = 0; k < io->ops; k++) {
        int64_t start = now_ns();
        interp_sleep(&io->thread, io->op_ns);  /* drops the GIL, sleeps, takes it */
        int64_t back = now_ns();
        io->op_ms[k] = (double)(back - start) / NS_PER_MS;
        interp_run(&io->thread, PYTHON_BETWEEN_CALLS); /* a little Python ... */
        int64_t from = io->hold_ns > 0 ? io->thread.acquired_ns : back;
        int64_t last = io->hold_ns > 0 ? io->hold_ns : io->between_ns;
        while (now_ns() - from < last) {
            /* ... and its calls into C: busy, the eval breaker unchecked */
        }
    }
    interp_end(&io->thread);
    return NULL;
}
// snippet-end: io-loop

static const column columns[] = {
    { .name = "gil", .kind = COL_TEXT },
    { .name = "cpu_threads", .kind = COL_INT },
    { .name = "interval_us", .kind = COL_TEXT },   /* "-" where the GIL has none */
    { .name = "cpus", .kind = COL_INT, .tsv_only = true },
    { .name = "ops", .kind = COL_INT, .tsv_only = true },
    { .name = "op_ms", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "hold_us", .kind = COL_TEXT, .tsv_only = true },   /* "-" with one op */
    { .name = "middle_mean_op_ms", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static long count_runs(const struct config *cfg);
static double time_ops(const struct config *cfg, gil_mode mode, long interval_us, int n_cpu,
                       double *op_ms);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.cpus < cpus_allowed())
        confine_to_cpus(cfg.cpus);

    printf("blocking operation: sleep %.3f ms, %ld times per configuration\n",
           (double)cfg.op_ns / NS_PER_MS, cfg.ops);
    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "op: sleep of %.3f ms", (double)cfg.op_ns / NS_PER_MS);
    if (interp_unit_comment() != NULL)
        report_comment(out, "%s", interp_unit_comment());
    if (cfg.between_ns > 0)
        report_comment(out, "between: the I/O thread's %d units and its C between two calls last "
                            "%.2f us in all", PYTHON_BETWEEN_CALLS, (double)cfg.between_ns / NS_PER_US);
    if (cfg.hold_ns > 0)
        report_comment(out, "hold: the I/O thread holds the GIL %.2f us in all from taking it back "
                            "to its next call (its %d units, then its C)",
                       (double)cfg.hold_ns / NS_PER_US, PYTHON_BETWEEN_CALLS);
    report_comment(out, "hold_us: the median time the I/O thread held the GIL from taking it "
                        "back after a call to letting it go for the next");
    report_comment(out, "middle_mean_op_ms: the mean of the middle half of the operations (the "
                        "quarter shortest and the quarter longest left out)");
    progress bar;
    progress_start(&bar, "gil_convoy", count_runs(&cfg), cfg.run.force_progress);
    report_progress(out, &bar);
    double *op_ms = samples_alloc(cfg.ops);
    for (int m = 0; m < 3; m++) {
        size_t n_intervals = m == GIL_NEW ? cfg.n_intervals : 1; /* only the new GIL has one */
        for (size_t i = 0; i < n_intervals && cfg.gil_used[m]; i++) {
            for (size_t t = 0; t < cfg.n_cpu_threads; t++) {
                long interval_us = (long)(cfg.intervals_ns[i] / NS_PER_US);
                double hold_us = time_ops(&cfg, (gil_mode)m, interval_us,
                                          (int)cfg.cpu_threads[t], op_ms);
                progress_advance(&bar, 1);
                char interval[32] = "-";
                if (m == GIL_NEW)
                    snprintf(interval, sizeof interval, "%ld", interval_us);
                report_text(out, gil_mode_names[m]);
                report_int(out, cfg.cpu_threads[t]);
                report_text(out, interval);
                report_int(out, cfg.cpus);
                report_int(out, cfg.ops);
                summary op = report_spread(out, op_ms, (size_t)cfg.ops);
                char hold[32] = "-";
                if (hold_us >= 0)
                    snprintf(hold, sizeof hold, "%.2f", hold_us);
                report_text(out, hold);
                report_real(out, op.middle_mean);
            }
        }
    }
    progress_finish(&bar);
    report_finish(out);
    free(op_ms);
    return EXIT_SUCCESS;
}

/* How many configurations there are, for the progress bar. */
static long count_runs(const struct config *cfg)
{
    long runs = 0;
    for (int m = 0; m < 3; m++)
        if (cfg->gil_used[m])
            runs += (long)(cfg->n_cpu_threads * (m == GIL_NEW ? cfg->n_intervals : 1));
    return runs;
}

struct spinner {
    gil_thread thread;
    const atomic_int *stop;
    atomic_int *started;   /* how many spinners have begun: the start gate */
};

static void *spinner_main(void *arg)
{
    struct spinner *s = arg;
    interp_begin(&s->thread);
    atomic_fetch_add_explicit(s->started, 1, memory_order_release);
    while (!atomic_load_explicit(s->stop, memory_order_relaxed))
        interp_run(&s->thread, 256);
    interp_end(&s->thread);
    return NULL;
}

/* The median of the I/O thread's holds that ended in a call, after the
 * first (which began with the thread): -1 if there are none. */
static double median_hold_us(const gil_thread *t)
{
    double *us = samples_alloc((long)t->trace_len + 1);
    size_t n = 0;
    for (size_t i = 1; i < t->trace_len; i++)
        if (t->trace[i].reason == RELEASE_BLOCKING)
            us[n++] = (double)(t->trace[i].release_ns - t->trace[i].acquire_ns) / NS_PER_US;
    double median = n > 0 ? summarize(us, n).median : -1;
    free(us);
    return median;
}

/* Time --ops operations, into op_ms[], beside `n_cpu` CPU-bound threads;
 * the I/O thread's median hold between its calls, in us (-1: none). */
static double time_ops(const struct config *cfg, gil_mode mode, long interval_us, int n_cpu,
                       double *op_ms)
{
    gil g;
    gil_init(&g, mode, interval_us);
    atomic_int stop, started;
    atomic_init(&stop, 0);
    atomic_init(&started, 0);
    struct spinner *spinners = calloc((size_t)n_cpu + 1, sizeof *spinners);
    pthread_t *ids = calloc((size_t)n_cpu + 1, sizeof *ids);
    if (spinners == NULL || ids == NULL)
        die("calloc");
    for (int i = 0; i < n_cpu; i++) {
        gil_thread_init(&spinners[i].thread, &g, i + 1, 0);
        spinners[i].stop = &stop;
        spinners[i].started = &started;
        int rc = pthread_create(&ids[i], NULL, spinner_main, &spinners[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create spinner %d", i);
        /* As threading.Thread.start() does, wait until it runs, the GIL
         * taken: the I/O thread begins beside every spinner, never before
         * one. Yielding, not a lock or a condition variable, so that a
         * trace of this program (gil_trace.so) holds the GIL's calls only. */
        while (atomic_load_explicit(&started, memory_order_acquire) <= i)
            if (sched_yield() != 0)
                die("sched_yield");
    }
    struct io_thread io = { .op_ns = cfg->op_ns, .between_ns = cfg->between_ns,
                            .hold_ns = cfg->hold_ns, .ops = cfg->ops, .op_ms = op_ms };
    /* A hold per call, and one for each time it was made to let go, at most
     * once per unit between two calls: none is lost. */
    gil_thread_init(&io.thread, &g, 0, (PYTHON_BETWEEN_CALLS + 2) * (size_t)cfg->ops + 16);
    pthread_t io_id;
    int rc = pthread_create(&io_id, NULL, io_main, &io);
    if (rc != 0)
        die_rc(rc, "pthread_create io thread");
    join_all(&io_id, 1);
    atomic_store(&stop, 1);
    join_all(ids, n_cpu);
    for (int i = 0; i < n_cpu; i++)
        gil_thread_free(&spinners[i].thread);
    double hold_us = median_hold_us(&io.thread);
    gil_thread_free(&io.thread);
    free(spinners);
    free(ids);
    gil_destroy(&g);
    return hold_us;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "gil_convoy [--gil LIST] [--cpu-threads LIST] [--intervals LIST] [--op D] [--ops N]\n"
    "                  [--between D | --hold D] [--cpus N] [--unit D] [--interpret] [--data FILE] [--quick]\n"
    "                  [--progress]";
static const char help_text[] =
    "Times a short blocking operation alone and beside CPU-bound threads under a\n"
    "simulated GIL: the convoy effect.\n"
    "\n"
    "  --gil LIST        new, old, none (default new,old)\n"
    "  --cpu-threads LIST\n"
    "                    CPU-bound threads beside it (0 to 16; default 0,1,2)\n"
    "  --intervals LIST  switch intervals of the new GIL (10us to 1s each;\n"
    "                    default 0.5ms,5ms,50ms)\n"
    "  --op D            the blocking operation: a sleep this long (1us to 1s;\n"
    "                    default 150us)\n"
    "  --ops N           operations timed per configuration (1 to 100000;\n"
    "                    default 40)\n"
    "  --between D       the I/O thread's Python between two calls lasts D in all:\n"
    "                    its units, then its C, the eval breaker unchecked (0us to\n"
    "                    1ms; default: the units alone)\n"
    "  --hold D          the I/O thread holds the GIL D in all from taking it back\n"
    "                    after a call to its next call (1us to 1ms; not with\n"
    "                    --between)\n"
    "  --cpus N          run on N cores only (default: all allowed)\n"
    INTERP_UNIT_HELP
    INTERP_INTERPRET_HELP;

/* The defaults (fewer intervals and operations with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "cpu-threads", required_argument, NULL, 't' },
        { "intervals", required_argument, NULL, 'i' },
        { "op", required_argument, NULL, 'o' },
        { "ops", required_argument, NULL, 'n' },
        { "between", required_argument, NULL, 'b' },
        { "hold", required_argument, NULL, 'H' },
        { "cpus", required_argument, NULL, 'c' },
        { "unit", required_argument, NULL, 'u' },
        { "interpret", no_argument, NULL, 'I' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    int allowed = cpus_allowed();
    static const long long intervals[] = { NS_PER_MS / 2, 5 * NS_PER_MS, 50 * NS_PER_MS };
    *cfg = (struct config){
        .gil_used = { [GIL_NEW] = true, [GIL_OLD] = true },
        .cpu_threads = { 0, 1, 2 },
        .n_cpu_threads = 3,
        .n_intervals = quick ? 2 : 3,
        .op_ns = 150 * NS_PER_US,
        .ops = quick ? 20 : 40,
        .cpus = allowed,
    };
    memcpy(cfg->intervals_ns, intervals, cfg->n_intervals * sizeof *intervals);

    cfg->run.takes = TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "intervals 0.5ms,5ms, 20 operations";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, cfg->gil_used);
            break;
        case 't':
            cfg->n_cpu_threads = arg_int_list("--cpu-threads", optarg, 0, 16, cfg->cpu_threads, MAX_LIST);
            break;
        case 'i':
            cfg->n_intervals = arg_duration_list("--intervals", optarg, 10 * NS_PER_US, NS_PER_S,
                                                 cfg->intervals_ns, MAX_LIST);
            break;
        case 'o':
            cfg->op_ns = arg_duration_ns("--op", optarg, NS_PER_US, NS_PER_S);
            break;
        case 'n':
            cfg->ops = (long)arg_int("--ops", optarg, 1, 100000);
            break;
        case 'b':
            cfg->between_ns = arg_duration_ns("--between", optarg, 0, NS_PER_MS);
            cfg->between_given = true;
            break;
        case 'H':
            cfg->hold_ns = arg_duration_ns("--hold", optarg, NS_PER_US, NS_PER_MS);
            break;
        case 'c':
            cfg->cpus = (int)arg_int("--cpus", optarg, 1, allowed);
            break;
        case 'u':
            interp_use_unit(optarg);
            break;
        case 'I':
            interp_use_interpret();
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (interp_interpreting() && (cfg->gil_used[GIL_NEW] || cfg->gil_used[GIL_NONE]))
        usage_error("--interpret: only with --gil old (2.7's eval loop)");
    if (cfg->between_given && cfg->hold_ns > 0)
        usage_error("--hold: not with --between (one says how long the Python between two "
                    "calls lasts, the other the whole hold)");
}
