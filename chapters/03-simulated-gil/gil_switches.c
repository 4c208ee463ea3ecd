/*
 * gil_switches.c - watch the GIL change hands: how often, and how long each
 * thread keeps it.
 *
 * --threads CPU-bound simulated Python threads run for --duration. Every
 * hold of the GIL is traced. From the trace come the hand-offs per second
 * and the length of a slice (from one hand-off to the next).
 *
 *   build/chapter03/gil_switches --quick
 *   build/chapter03/gil_switches --gil new --threads 2,4 --intervals 0.5ms,1ms,5ms,50ms
 *   build/chapter03/gil_switches --gil new --threads 2 --intervals 5ms \
 *       --duration 100ms --trace trace.tsv      # who held the GIL when
 *
 * It prints one row per GIL, thread count and switch interval (the new
 * GIL's only): the hand-offs per second, the median slice and the drop
 * requests per second, each the median over the repeats (the data file has
 * the fewest and most hand-offs and the shortest and longest median slice
 * of the repeats too). --trace writes
 * every hold of one run instead: which thread, from when to when, and why
 * it let go (plots/03-gil-timeline.gp draws it).
 *
 * What to expect: under the new GIL a slice lasts about one switch
 * interval, since a waiting thread waits that long before it asks. Under
 * the old GIL the lock changes hands whenever the waiter happens to win the
 * race for it, thousands of times a second. Without a GIL there is nothing
 * to hand off. The GILs are a flag (--gil), not separate programs: the
 * chapter compares them side by side in one run.
 *
 * Compare with gil_cpython.py switches, the same measurement in CPython.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
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
    long long threads[MAX_LIST], intervals_ns[MAX_LIST];
    size_t n_threads, n_intervals;
    int64_t duration_ns;
    int cpus;
    const char *trace_path;
    run_options run;
};

/* A CPU-bound simulated Python thread, until the deadline. Its holds of the
 * GIL go to its trace buffer (gil.h), allocated before it starts. */
struct runner {
    gil_thread thread;
    int64_t deadline_ns;
};

static void *cpu_thread(void *arg)
{
    struct runner *r = arg;
    interp_begin(&r->thread);
    interp_run_until(&r->thread, r->deadline_ns);
    interp_end(&r->thread);
    return NULL;
}

/* What one run measured. */
struct result {
    double switches_per_s;
    double median_slice_ms;
    double drop_requests_per_s;
    unsigned long switch_number;
    long drop_requests;
    size_t holds_lost;
};

static const column columns[] = {
    { .name = "gil", .kind = COL_TEXT },
    { .name = "threads", .kind = COL_INT },
    { .name = "interval_us", .kind = COL_TEXT },   /* "-" where the GIL has none */
    { .name = "cpus", .kind = COL_INT, .tsv_only = true },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "switches_per_s", .kind = COL_REAL, .decimals = 2 },
    { .name = "median_slice_ms", .kind = COL_REAL, .decimals = 4 },
    { .name = "drop_requests_per_s", .kind = COL_REAL, .decimals = 2 },
    { .name = "min_switches_per_s", .kind = COL_REAL, .decimals = 2, .tsv_only = true },
    { .name = "max_switches_per_s", .kind = COL_REAL, .decimals = 2, .tsv_only = true },
    { .name = "min_slice_ms", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { .name = "max_slice_ms", .kind = COL_REAL, .decimals = 4, .tsv_only = true },
    { 0 },
};

/* The figures of every repeat of one configuration. */
struct samples {
    double *switches_per_s, *median_slice_ms, *drop_requests_per_s;
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static long count_runs(const struct config *cfg);
static void repeat_runs(const struct config *cfg, gil_mode mode, int n, long interval_us,
                        progress *bar, struct samples *s, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.cpus < cpus_allowed())
        confine_to_cpus(cfg.cpus);

    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "duration_s: %.3f", (double)cfg.duration_ns / NS_PER_S);
    if (interp_unit_comment() != NULL)
        report_comment(out, "%s", interp_unit_comment());
    progress bar;
    progress_start(&bar, "gil_switches", count_runs(&cfg) * cfg.run.repeat, cfg.run.force_progress);
    report_progress(out, &bar);
    size_t repeat = (size_t)cfg.run.repeat;
    struct samples s = { samples_alloc(cfg.run.repeat), samples_alloc(cfg.run.repeat),
                         samples_alloc(cfg.run.repeat) };
    for (int m = 0; m < 3; m++) {
        size_t n_intervals = m == GIL_NEW ? cfg.n_intervals : 1; /* only the new GIL has one */
        for (size_t t = 0; t < cfg.n_threads && cfg.gil_used[m]; t++) {
            for (size_t i = 0; i < n_intervals; i++) {
                long interval_us = (long)(cfg.intervals_ns[i] / NS_PER_US);
                repeat_runs(&cfg, (gil_mode)m, (int)cfg.threads[t], interval_us, &bar, &s, argc, argv);
                char interval[32] = "-";
                if (m == GIL_NEW)
                    snprintf(interval, sizeof interval, "%ld", interval_us);
                report_text(out, gil_mode_names[m]);
                report_int(out, cfg.threads[t]);
                report_text(out, interval);
                report_int(out, cfg.cpus);
                report_int(out, cfg.run.repeat);
                summary rate = summarize(s.switches_per_s, repeat);
                summary slice = summarize(s.median_slice_ms, repeat);
                report_real(out, rate.median);
                report_real(out, slice.median);
                report_real(out, summarize(s.drop_requests_per_s, repeat).median);
                report_real(out, rate.min);
                report_real(out, rate.max);
                report_real(out, slice.min);
                report_real(out, slice.max);
            }
        }
    }
    progress_finish(&bar);
    report_finish(out);
    free(s.switches_per_s);
    free(s.median_slice_ms);
    free(s.drop_requests_per_s);
    return EXIT_SUCCESS;
}

/* How many configurations there are, for the progress bar. */
static long count_runs(const struct config *cfg)
{
    long runs = 0;
    for (int m = 0; m < 3; m++)
        if (cfg->gil_used[m])
            runs += (long)cfg->n_threads * (m == GIL_NEW ? (long)cfg->n_intervals : 1);
    return runs;
}

static struct result run_once(const struct config *cfg, gil_mode mode, int n, long interval_us,
                              int argc, char *argv[]);

/* --repeat runs of one configuration, their figures into s. */
static void repeat_runs(const struct config *cfg, gil_mode mode, int n, long interval_us,
                        progress *bar, struct samples *s, int argc, char *argv[])
{
    for (long r = 0; r < cfg->run.repeat; r++) {
        struct result res = run_once(cfg, mode, n, interval_us, argc, argv);
        s->switches_per_s[r] = res.switches_per_s;
        s->median_slice_ms[r] = res.median_slice_ms;
        s->drop_requests_per_s[r] = res.drop_requests_per_s;
        progress_advance(bar, 1);
    }
}

static double median_slice_ms(struct runner *runners, int n, gil_mode mode);
static void write_trace(const char *path, int argc, char *argv[], gil *g,
                        struct runner *runners, int n, const struct result *res);

/* `n` CPU-bound threads under one GIL for --duration, every hold traced. */
static struct result run_once(const struct config *cfg, gil_mode mode, int n, long interval_us,
                              int argc, char *argv[])
{
    gil g;
    gil_init(&g, mode, interval_us);
    struct runner *runners = calloc((size_t)n, sizeof *runners);
    pthread_t *ids = calloc((size_t)n, sizeof *ids);
    if (runners == NULL || ids == NULL)
        die("calloc");
    /* Room for a hold every 5 us: more than the old GIL's busiest run needs. */
    size_t capacity = (size_t)(cfg->duration_ns / (5 * NS_PER_US)) + 1024;
    int64_t start = now_ns();
    for (int i = 0; i < n; i++) {
        gil_thread_init(&runners[i].thread, &g, i, capacity);
        runners[i].deadline_ns = start + cfg->duration_ns;
        int rc = pthread_create(&ids[i], NULL, cpu_thread, &runners[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create thread %d", i);
    }
    join_all(ids, n);
    double seconds = (double)(now_ns() - start) / NS_PER_S;

    struct result res = {
        .switch_number = mode == GIL_NONE ? 0 : gil_switches(&g),
        .drop_requests = atomic_load(&g.drop_requests),
        .median_slice_ms = median_slice_ms(runners, n, mode),
    };
    res.switches_per_s = (double)res.switch_number / seconds;
    res.drop_requests_per_s = (double)res.drop_requests / seconds;
    for (int i = 0; i < n; i++)
        res.holds_lost += runners[i].thread.trace_lost;
    if (res.holds_lost > 0)
        warn_msg("%zu holds did not fit in the trace", res.holds_lost);
    if (cfg->trace_path)
        write_trace(cfg->trace_path, argc, argv, &g, runners, n, &res);

    for (int i = 0; i < n; i++)
        gil_thread_free(&runners[i].thread);
    free(runners);
    free(ids);
    gil_destroy(&g);
    return res;
}

/* The start of one hold, for putting every thread's holds in time order. */
struct take {
    int64_t acquire_ns;
    int thread;
};

static int by_acquire(const void *a, const void *b)
{
    const struct take *x = a, *y = b;
    return (x->acquire_ns > y->acquire_ns) - (x->acquire_ns < y->acquire_ns);
}

/*
 * A slice: from one hand-off to the next, as gil_cpython.py sees it in
 * CPython (a thread notes when it finds that another ran last). So it holds
 * the time the GIL lay free between a release and the next thread's take,
 * not only the hold: under the old GIL on several cores that gap is as long
 * as a hold. The first slice (from the first take) and the last (cut short
 * by the end) are left out, as there.
 */
static double median_slice_ms(struct runner *runners, int n, gil_mode mode)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += runners[i].thread.trace_len;
    struct take *takes = malloc((total + 1) * sizeof *takes);
    double *slices = malloc((total + 1) * sizeof *slices);
    if (takes == NULL || slices == NULL)
        die("malloc");
    size_t m = 0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < runners[i].thread.trace_len; j++) {
            gil_hold *h = &runners[i].thread.trace[j];
            takes[m++] = (struct take){ .acquire_ns = h->acquire_ns, .thread = h->thread };
        }
    qsort(takes, m, sizeof *takes, by_acquire);
    /* The hand-offs: the takes by another thread than the one before. */
    size_t k = 0, handoffs = 0;
    int64_t previous = 0;
    for (size_t j = 0; j < m && mode != GIL_NONE; j++) {
        if (j > 0 && takes[j].thread == takes[j - 1].thread)
            continue;
        if (handoffs++ >= 2)
            slices[k++] = (double)(takes[j].acquire_ns - previous) / NS_PER_MS;
        previous = takes[j].acquire_ns;
    }
    /* No GIL: nothing was handed off; a slice is the whole run. */
    for (int i = 0; k == 0 && i < n; i++)
        for (size_t j = 0; j < runners[i].thread.trace_len; j++) {
            gil_hold *h = &runners[i].thread.trace[j];
            slices[k++] = (double)(h->release_ns - h->acquire_ns) / NS_PER_MS;
        }
    double median = k > 0 ? summarize(slices, k).median : 0;
    free(takes);
    free(slices);
    return median;
}

/*
 * The trace of one run: a row per hold, thread by thread, under the run's
 * own figures. Not a table of repeated points (report.h) but a record of
 * events, with provenance known only after the run: written with
 * datafile.h directly.
 */
static void write_trace(const char *path, int argc, char *argv[], gil *g,
                        struct runner *runners, int n, const struct result *res)
{
    datafile *df = datafile_create(path, argc, argv);
    datafile_comment(df, "gil: %s", gil_mode_names[g->mode]);
    datafile_comment(df, "threads: %d", n);
    datafile_comment(df, "interval_us: %ld", g->interval_us);
    datafile_comment(df, "switch_number: %lu", res->switch_number);
    datafile_comment(df, "drop_requests: %ld", res->drop_requests);
    datafile_comment(df, "holds_lost: %zu", res->holds_lost);
    if (interp_unit_comment() != NULL)
        datafile_comment(df, "%s", interp_unit_comment());
    datafile_columns(df, "thread acquire_ms release_ms reason");
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < runners[i].thread.trace_len; j++) {
            gil_hold *h = &runners[i].thread.trace[j];
            datafile_row(df, "%d\t%.6f\t%.6f\t%s", h->thread, (double)h->acquire_ns / NS_PER_MS,
                         (double)h->release_ns / NS_PER_MS, release_reason_names[h->reason]);
        }
    datafile_commit(df);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "gil_switches [--gil LIST] [--threads LIST] [--intervals LIST] [--duration D]\n"
    "                    [--cpus N] [--unit D] [--interpret] [--repeat N] [--data FILE] [--trace FILE] [--quick] [--progress]";
static const char help_text[] =
    "Runs CPU-bound threads under a simulated GIL, traces every hold, and reports\n"
    "hand-offs per second and the median slice (from one hand-off to the next).\n"
    "\n"
    "  --gil LIST        new, old, none (default new,old)\n"
    "  --threads LIST    thread counts (1 to 64; default 2,4)\n"
    "  --intervals LIST  switch intervals of the new GIL, like 0.5ms,5ms\n"
    "                    (10us to 1s each; default 0.5ms,1ms,5ms,50ms)\n"
    "  --duration D      how long each run lasts (10ms to 60s; default 2s)\n"
    "  --cpus N          run on N cores only (default: all allowed)\n"
    "  --trace FILE      write every hold of the GIL to FILE (one configuration,\n"
    "                    one run)\n"
    INTERP_UNIT_HELP
    INTERP_INTERPRET_HELP;

/* The defaults (fewer, shorter runs with --quick; one run with --trace), then
 * the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "threads", required_argument, NULL, 't' },
        { "intervals", required_argument, NULL, 'i' },
        { "duration", required_argument, NULL, 'D' },
        { "cpus", required_argument, NULL, 'c' },
        { "trace", required_argument, NULL, 'T' },
        { "unit", required_argument, NULL, 'u' },
        { "interpret", no_argument, NULL, 'I' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    bool tracing = options_given(argc, argv, options, 'T');   /* a trace is of one run */
    int allowed = cpus_allowed();
    static const long long quick_intervals[] = { NS_PER_MS, 5 * NS_PER_MS };
    static const long long all_intervals[] = { NS_PER_MS / 2, NS_PER_MS, 5 * NS_PER_MS, 50 * NS_PER_MS };
    *cfg = (struct config){
        .gil_used = { [GIL_NEW] = true, [GIL_OLD] = true },
        .threads = { 2, 4 },
        .n_threads = quick ? 1 : 2,
        .n_intervals = quick ? 2 : 4,
        .duration_ns = quick ? 300 * NS_PER_MS : 2 * NS_PER_S,
        .cpus = allowed,
        .run.repeat = quick || tracing ? 1 : 3,
    };
    memcpy(cfg->intervals_ns, quick ? quick_intervals : all_intervals, cfg->n_intervals * sizeof(long long));

    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "threads 2, intervals 1ms,5ms, duration 300ms, repeat 1";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, cfg->gil_used);
            break;
        case 't':
            cfg->n_threads = arg_int_list("--threads", optarg, 1, 64, cfg->threads, MAX_LIST);
            break;
        case 'i':
            cfg->n_intervals = arg_duration_list("--intervals", optarg, 10 * NS_PER_US, NS_PER_S,
                                                 cfg->intervals_ns, MAX_LIST);
            break;
        case 'D':
            cfg->duration_ns = arg_duration_ns("--duration", optarg, 10 * NS_PER_MS, 60 * NS_PER_S);
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
        case 'T':
            cfg->trace_path = arg_path("--trace", optarg);
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (interp_interpreting() && (cfg->gil_used[GIL_NEW] || cfg->gil_used[GIL_NONE]))
        usage_error("--interpret: only with --gil old (2.7's eval loop)");

    if (cfg->trace_path) {
        int modes = cfg->gil_used[0] + cfg->gil_used[1] + cfg->gil_used[2];
        size_t intervals = cfg->gil_used[GIL_NEW] ? cfg->n_intervals : 1;
        if (modes != 1 || cfg->n_threads != 1 || intervals != 1 || cfg->run.repeat != 1)
            usage_error("--trace: needs exactly one --gil, one --threads, one --intervals "
                        "and --repeat 1");
    }
}
