/*
 * gil_calls.c - how many function calls each thread makes in a fixed time.
 *
 * --threads CPU-bound simulated Python threads each call a small function
 * (--call-bytecodes bytecodes) over and over for --duration, and count their
 * calls.
 *
 *   build/chapter03/gil_calls --quick
 *   build/chapter03/gil_calls --gil new,none --threads 1,4,8,16 --duration 2s
 *
 * It prints one row per GIL and thread count: the calls of all the threads
 * together, the fewest and the most one thread made, and the calls per
 * second. With --data it writes every thread's own count, one row per
 * thread: the histogram plots/03-gil-calls.gp stacks.
 *
 * What to expect: under the GIL only one thread runs at a time, so however
 * many threads there are, their calls add up to what one thread alone makes,
 * split among them, and not evenly. Without the GIL the total grows with the
 * cores. The GILs are a flag (--gil), not separate programs: the chapter
 * compares them side by side in one run.
 *
 * Compare with gil_cpu, the same contention seen as the time a fixed amount
 * of work takes.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "gil.h"
#include "interp.h"
#include "locking.h"
#include "options.h"

#define MAX_LIST 16

struct config {
    bool gil_used[3];
    long long threads[MAX_LIST];
    size_t n_threads;
    int64_t duration_ns;
    long call_bytecodes;
    int cpus;
    run_options run;
};

struct caller {
    gil_thread thread;
    long call_bytecodes;
    const atomic_int *stop;
    long long calls;
};

// snippet-begin: caller
static void *caller_main(void *arg)
{
    struct caller *c = arg;
    interp_begin(&c->thread);
    while (!atomic_load_explicit(c->stop, memory_order_relaxed)) {
        interp_run(&c->thread, c->call_bytecodes);   /* f() */
        c->calls++;
    }
    interp_end(&c->thread);
    return NULL;
}
// snippet-end: caller

static void parse_args(int argc, char *argv[], struct config *cfg);
static datafile *start_histogram(const struct config *cfg, int argc, char *argv[]);
static double run_callers(const struct config *cfg, gil_mode mode, int n, long long *calls);
static void print_totals(gil_mode mode, int n, const long long *calls, double seconds);
static void record_histogram(datafile *df, const struct config *cfg, gil_mode mode, int n,
                             const long long *calls);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.cpus < cpus_allowed())
        confine_to_cpus(cfg.cpus);

    datafile *histogram = start_histogram(&cfg, argc, argv);
    printf("%-4s %7s %14s %14s %14s %14s\n", "gil", "threads", "total_calls", "min_per_thread",
           "max_per_thread", "calls_per_s");
    for (int m = 0; m < 3; m++) {
        for (size_t t = 0; t < cfg.n_threads && cfg.gil_used[m]; t++) {
            int n = (int)cfg.threads[t];
            long long *calls = calloc((size_t)n, sizeof *calls);
            if (calls == NULL)
                die("calloc");
            double seconds = run_callers(&cfg, (gil_mode)m, n, calls);
            print_totals((gil_mode)m, n, calls, seconds);
            record_histogram(histogram, &cfg, (gil_mode)m, n, calls);
            free(calls);
        }
    }
    if (histogram)
        datafile_commit(histogram);
    return EXIT_SUCCESS;
}

/*
 * The data file holds a row per thread, the printed table a row per run: two
 * different tables, so the data file is written with datafile.h directly
 * rather than from the table's description (report.h). NULL without --data.
 */
static datafile *start_histogram(const struct config *cfg, int argc, char *argv[])
{
    if (cfg->run.data_path == NULL)
        return NULL;
    datafile *df = datafile_create(cfg->run.data_path, argc, argv);
    datafile_comment(df, "duration_s: %.3f", (double)cfg->duration_ns / NS_PER_S);
    datafile_comment(df, "call_bytecodes: %ld", cfg->call_bytecodes);
    datafile_columns(df, "gil threads cpus thread calls");
    return df;
}

/* `n` callers under one GIL for --duration; each one's calls into calls[].
 * Returns the seconds they ran, from the first start to the last join. */
static double run_callers(const struct config *cfg, gil_mode mode, int n, long long *calls)
{
    gil g;
    gil_init(&g, mode, GIL_DEFAULT_INTERVAL_US);
    atomic_int stop;
    atomic_init(&stop, 0);
    struct caller *callers = calloc((size_t)n, sizeof *callers);
    pthread_t *ids = calloc((size_t)n, sizeof *ids);
    if (callers == NULL || ids == NULL)
        die("calloc");
    int64_t start = now_ns();
    for (int i = 0; i < n; i++) {
        gil_thread_init(&callers[i].thread, &g, i, 0);
        callers[i].call_bytecodes = cfg->call_bytecodes;
        callers[i].stop = &stop;
        int rc = pthread_create(&ids[i], NULL, caller_main, &callers[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create caller %d", i);
    }
    sleep_ns(cfg->duration_ns);
    atomic_store(&stop, 1);
    join_all(ids, n);
    double seconds = (double)(now_ns() - start) / NS_PER_S;
    for (int i = 0; i < n; i++) {
        calls[i] = callers[i].calls;
        gil_thread_free(&callers[i].thread);
    }
    free(callers);
    free(ids);
    gil_destroy(&g);
    return seconds;
}

/* One row of the printed table: all the threads' calls, and the spread. */
static void print_totals(gil_mode mode, int n, const long long *calls, double seconds)
{
    long long total = 0, lo = calls[0], hi = calls[0];
    for (int i = 0; i < n; i++) {
        total += calls[i];
        lo = calls[i] < lo ? calls[i] : lo;
        hi = calls[i] > hi ? calls[i] : hi;
    }
    printf("%-4s %7d %14lld %14lld %14lld %14.0f\n", gil_mode_names[mode], n, total, lo, hi,
           (double)total / seconds);
}

/* One row per thread in the data file, if there is one. */
static void record_histogram(datafile *df, const struct config *cfg, gil_mode mode, int n,
                             const long long *calls)
{
    for (int i = 0; i < n && df != NULL; i++)
        datafile_row(df, "%s\t%d\t%d\t%d\t%lld", gil_mode_names[mode], n, cfg->cpus, i, calls[i]);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "gil_calls [--gil LIST] [--threads LIST] [--duration D] [--call-bytecodes N]\n"
    "                 [--cpus N] [--data FILE] [--quick]";
static const char help_text[] =
    "Counts the function calls each CPU-bound thread makes in a fixed time under\n"
    "a simulated GIL: the per-thread histogram of calls.\n"
    "\n"
    "  --gil LIST        new, old, none (default new,none)\n"
    "  --threads LIST    thread counts (1 to 64; default 1,4,8,16)\n"
    "  --duration D      how long each run lasts (10ms to 60s; default 2s)\n"
    "  --call-bytecodes N\n"
    "                    bytecodes in one call (1 to 1000000; default 40)\n"
    "  --cpus N          run on N cores only (default: all allowed)\n";

/* The defaults (a shorter run with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "threads", required_argument, NULL, 't' },
        { "duration", required_argument, NULL, 'D' },
        { "call-bytecodes", required_argument, NULL, 'b' },
        { "cpus", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    int allowed = cpus_allowed();
    *cfg = (struct config){
        .gil_used = { [GIL_NEW] = true, [GIL_NONE] = true },
        .threads = { 1, 4, 8, 16 },
        .n_threads = 4,
        .duration_ns = quick ? 300 * NS_PER_MS : 2 * NS_PER_S,
        .call_bytecodes = 40,
        .cpus = allowed,
    };
    cfg->run.takes = TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "duration 300ms";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, cfg->gil_used);
            break;
        case 't':
            cfg->n_threads = arg_int_list("--threads", optarg, 1, 64, cfg->threads, MAX_LIST);
            break;
        case 'D':
            cfg->duration_ns = arg_duration_ns("--duration", optarg, 10 * NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'b':
            cfg->call_bytecodes = (long)arg_int("--call-bytecodes", optarg, 1, 1000000);
            break;
        case 'c':
            cfg->cpus = (int)arg_int("--cpus", optarg, 1, allowed);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
