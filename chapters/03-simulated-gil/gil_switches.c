/*
 * gil_switches.c - watch the GIL change hands: how often, and how long each
 * thread keeps it.
 *
 * --threads CPU-bound simulated Python threads run for --duration. Every
 * hold of the GIL is traced. From the trace come the hand-offs per second
 * and the length of a slice (one hold). Under the new GIL a slice lasts about
 * one switch interval: a waiting thread waits that long before it asks. Under
 * the old GIL the lock changes hands whenever the waiter happens to win the
 * race for it, thousands of times a second. Without a GIL there is nothing to
 * hand off.
 *
 *   build/chapter03/gil_switches --quick
 *   build/chapter03/gil_switches --gil new --threads 2,4 --intervals 0.5ms,1ms,5ms,50ms
 *   build/chapter03/gil_switches --gil new --threads 2 --intervals 5ms \
 *       --duration 100ms --trace trace.tsv      # who held the GIL when
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
#include "progress.h"
#include "stats.h"
#include "locking.h"

static const char usage_line[] =
    "gil_switches [--gil LIST] [--threads LIST] [--intervals LIST] [--duration D]\n"
    "                    [--cpus N] [--repeat N] [--data FILE] [--trace FILE] [--quick] [--progress]";
static const char help_text[] =
    "Runs CPU-bound threads under a simulated GIL, traces every hold, and reports\n"
    "hand-offs per second and the median slice (the time one thread keeps it).\n"
    "\n"
    "  --gil LIST        new, old, none (default new,old)\n"
    "  --threads LIST    thread counts (1 to 64; default 2,4)\n"
    "  --intervals LIST  switch intervals of the new GIL, like 0.5ms,5ms\n"
    "                    (10us to 1s each; default 0.5ms,1ms,5ms,50ms)\n"
    "  --duration D      how long each run lasts (10ms to 60s; default 2s)\n"
    "  --cpus N          run on N cores only (default: all allowed)\n"
    "  --repeat N        runs of every configuration (1 to 100; default 3)\n"
    "  --data FILE       write the results as TSV to FILE\n"
    "  --trace FILE      write every hold of the GIL to FILE (one configuration,\n"
    "                    one run)\n"
    "  --quick           threads 2, intervals 1ms,5ms, duration 300ms, repeat 1\n"
    "  --progress        show the progress bar even when stderr is not a terminal\n"
    "  --help            show this help\n";

#define MAX_LIST 16

struct config {
    bool gil_used[3];
    long long threads[MAX_LIST], intervals_ns[MAX_LIST];
    size_t n_threads, n_intervals;
    int64_t duration_ns;
    int cpus;
    long repeat;
    const char *data_path, *trace_path;
    bool force_progress;
};

/* What one run measured. */
struct result {
    double switches_per_s;
    double median_slice_ms;
    double drop_requests_per_s;
    unsigned long switch_number;
    long drop_requests;
    size_t holds_lost;
};

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

/* Every hold, from every thread: the slices are the holds ended by a switch. */
static double median_slice_ms(struct runner *runners, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += runners[i].thread.trace_len;
    double *slices = malloc((total + 1) * sizeof *slices);
    if (slices == NULL)
        die("malloc");
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < runners[i].thread.trace_len; j++) {
            gil_hold *h = &runners[i].thread.trace[j];
            if (h->reason != RELEASE_EXIT)
                slices[k++] = (double)(h->release_ns - h->acquire_ns) / NS_PER_MS;
        }
    /* No GIL: nothing was handed off; a slice is the whole run. */
    for (int i = 0; k == 0 && i < n; i++)
        for (size_t j = 0; j < runners[i].thread.trace_len; j++) {
            gil_hold *h = &runners[i].thread.trace[j];
            slices[k++] = (double)(h->release_ns - h->acquire_ns) / NS_PER_MS;
        }
    double median = k > 0 ? summarize(slices, k).median : 0;
    free(slices);
    return median;
}

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
    datafile_columns(df, "thread acquire_ms release_ms reason");
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < runners[i].thread.trace_len; j++) {
            gil_hold *h = &runners[i].thread.trace[j];
            datafile_row(df, "%d\t%.6f\t%.6f\t%s", h->thread, (double)h->acquire_ns / NS_PER_MS,
                         (double)h->release_ns / NS_PER_MS, release_reason_names[h->reason]);
        }
    datafile_commit(df);
}

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
            die_rc(rc, "pthread_create");
    }
    join_all(ids, n);
    double seconds = (double)(now_ns() - start) / NS_PER_S;

    struct result res = {
        .switch_number = mode == GIL_NONE ? 0 : gil_switches(&g),
        .drop_requests = atomic_load(&g.drop_requests),
        .median_slice_ms = median_slice_ms(runners, n),
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

static void parse_args(int argc, char *argv[], struct config *cfg);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.cpus < cpus_allowed())
        confine_to_cpus(cfg.cpus);

    datafile *df = NULL;
    if (cfg.data_path) {
        df = datafile_create(cfg.data_path, argc, argv);
        datafile_comment(df, "duration_s: %.3f", (double)cfg.duration_ns / NS_PER_S);
        datafile_columns(df, "gil threads interval_us cpus repeats switches_per_s "
                             "median_slice_ms drop_requests_per_s");
    }
    long total_runs = 0;
    for (int m = 0; m < 3; m++)
        if (cfg.gil_used[m])
            total_runs += (long)cfg.n_threads * (m == GIL_NEW ? (long)cfg.n_intervals : 1);
    progress bar;
    progress_start(&bar, "gil_switches", total_runs * cfg.repeat, cfg.force_progress);

    printf("%-4s %7s %11s %14s %15s %14s\n", "gil", "threads", "interval_us", "switches_per_s",
           "median_slice_ms", "drop_requests/s");
    for (int m = 0; m < 3; m++) {
        if (!cfg.gil_used[m])
            continue;
        /* Only the new GIL has a switch interval. */
        size_t n_intervals = m == GIL_NEW ? cfg.n_intervals : 1;
        for (size_t ti = 0; ti < cfg.n_threads; ti++) {
            for (size_t ii = 0; ii < n_intervals; ii++) {
                long interval_us = (long)(cfg.intervals_ns[ii] / NS_PER_US);
                double rate[100], slice[100], requests[100];
                for (long r = 0; r < cfg.repeat; r++) {
                    struct result res = run_once(&cfg, (gil_mode)m, (int)cfg.threads[ti],
                                                 interval_us, argc, argv);
                    rate[r] = res.switches_per_s;
                    slice[r] = res.median_slice_ms;
                    requests[r] = res.drop_requests_per_s;
                    progress_advance(&bar, 1);
                }
                double median_rate = summarize(rate, (size_t)cfg.repeat).median;
                double median_slice = summarize(slice, (size_t)cfg.repeat).median;
                double median_requests = summarize(requests, (size_t)cfg.repeat).median;
                char interval[32] = "-";
                if (m == GIL_NEW)
                    snprintf(interval, sizeof interval, "%ld", interval_us);
                progress_clear(&bar);
                printf("%-4s %7lld %11s %14.1f %15.3f %14.1f\n", gil_mode_names[m],
                       cfg.threads[ti], interval, median_rate, median_slice, median_requests);
                if (df)
                    datafile_row(df, "%s\t%lld\t%s\t%d\t%ld\t%.2f\t%.4f\t%.2f", gil_mode_names[m],
                                 cfg.threads[ti], interval, cfg.cpus, cfg.repeat, median_rate,
                                 median_slice, median_requests);
            }
        }
    }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "threads", required_argument, NULL, 't' },
        { "intervals", required_argument, NULL, 'i' },
        { "duration", required_argument, NULL, 'D' },
        { "cpus", required_argument, NULL, 'c' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "trace", required_argument, NULL, 'T' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .gil_used = { true, true, false } };
    bool quick = false;
    int allowed = cpus_allowed();
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
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
        case 'r':
            cfg->repeat = (long)arg_int("--repeat", optarg, 1, 100);
            break;
        case 'd':
            cfg->data_path = arg_path("--data", optarg);
            break;
        case 'T':
            cfg->trace_path = arg_path("--trace", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            cfg->force_progress = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);

    if (cfg->n_threads == 0) {
        cfg->n_threads = quick ? 1 : 2;
        cfg->threads[0] = 2;
        cfg->threads[1] = 4;
    }
    if (cfg->n_intervals == 0) {
        static const long long quick_iv[] = { NS_PER_MS, 5 * NS_PER_MS };
        static const long long all_iv[] = { NS_PER_MS / 2, NS_PER_MS, 5 * NS_PER_MS, 50 * NS_PER_MS };
        cfg->n_intervals = quick ? 2 : 4;
        memcpy(cfg->intervals_ns, quick ? quick_iv : all_iv, cfg->n_intervals * sizeof(long long));
    }
    if (cfg->duration_ns == 0)
        cfg->duration_ns = quick ? 300 * NS_PER_MS : 2 * NS_PER_S;
    if (cfg->repeat == 0)
        cfg->repeat = quick || cfg->trace_path ? 1 : 3;
    if (cfg->cpus == 0)
        cfg->cpus = allowed;
    if (cfg->trace_path) {
        int modes = cfg->gil_used[0] + cfg->gil_used[1] + cfg->gil_used[2];
        size_t intervals = cfg->gil_used[GIL_NEW] ? cfg->n_intervals : 1;
        if (modes != 1 || cfg->n_threads != 1 || intervals != 1 || cfg->repeat != 1)
            usage_error("--trace: needs exactly one --gil, one --threads, one --intervals "
                        "and --repeat 1");
    }
}
