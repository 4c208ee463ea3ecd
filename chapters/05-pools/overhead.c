/*
 * overhead.c - what a pool costs per task, when the task itself costs
 * nothing: map with chunk sizes 1, 2, 5, 10, 50, 100, and submit, through a
 * thread pool and a process pool.
 *
 * Each task takes an 8-byte number and returns it doubled: all that is timed
 * is the pool's own work. A thread pool hands a chunk over through one lock
 * and two condition variables; a process pool writes it into a pipe, wakes
 * the worker, and reads the results back from another pipe. Chunking sends
 * many tasks per message, so those costs are paid once per chunk.
 *
 *   build/chapter05/overhead --quick
 *   build/chapter05/overhead --pools processes --chunks 1,10,100 --tasks 50000
 *
 * The pools are started before the clock starts (start-up is reported on
 * its own). Compare with pool_overhead.py, the same in Python's
 * concurrent.futures.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "pool.h"
#include "progress.h"
#include "stats.h"

static const char usage_line[] =
    "overhead [--pools LIST] [--chunks LIST] [--workers N] [--tasks N] [--gil MODE]\n"
    "                [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Measures the time per task of a thread pool and a process pool when the\n"
    "task does nothing: pool_map at each chunk size, and pool_submit.\n"
    "\n"
    "  --pools LIST     threads, processes (default both)\n"
    "  --chunks LIST    chunk sizes for map (1 to 100000; default 1,2,5,10,50,100)\n"
    "  --workers N      workers in each pool (1 to 256; default: the cores, 2 here)\n"
    "  --tasks N        tasks per run (100 to 10^7; default 20000)\n"
    "  --gil MODE       the thread pool's simulated GIL: new, old, none (default new,\n"
    "                   as in CPython)\n"
    "  --repeat N       repeats of every run (1 to 1000; default 5)\n"
    "  --data FILE      also write the results as TSV to FILE\n"
    "  --quick          tasks 2000, repeat 3\n"
    "  --progress       show the progress bar even when stderr is not a terminal\n"
    "  --help           show this help\n";

#define MAX_COUNTS 16

struct config {
    bool pool_used[2];
    long long chunks[MAX_COUNTS];
    size_t n_chunks;
    int workers;
    gil_mode gil;
    long long tasks;
    long repeat;
    const char *data_path;
    bool force_progress;
};

static void parse_args(int argc, char *argv[], struct config *cfg);

// snippet-begin: empty-task
static int double_it(pool_task *task)
{
    int64_t x;
    memcpy(&x, task->input, sizeof x);
    x *= 2;
    memcpy(task->output, &x, sizeof x);
    task->output_len = sizeof x;
    return 0;
}
// snippet-end: empty-task

struct run {
    double per_task_us;
    double bytes_per_task;
};

static void check(const pool_result *r)
{
    int64_t x;
    if (r->status != POOL_DONE)
        die_msg("task %zu %s: %s", r->index, pool_status_names[r->status], r->error);
    memcpy(&x, r->data, sizeof x);
    if (x != 2 * (int64_t)r->index)
        die_msg("task %zu: got %lld", r->index, (long long)x);
}

/* One timed run: `chunk` > 0 maps with that chunk size; 0 submits. */
static struct run timed_run(pool_kind kind, int workers, gil_mode gil, int chunk,
                            const pool_input *inputs, size_t n, pool_result *results)
{
    pool_options opt = { .kind = kind, .workers = workers, .chunk_size = chunk > 0 ? chunk : 1,
                         .fn = double_it, .output_max = sizeof(int64_t), .gil = gil };
    pool *p = pool_create(&opt);
    pool_stats before = pool_get_stats(p);
    int64_t start = now_ns();
    if (chunk > 0) {
        pool_map(p, inputs, n, results);
    } else {
        for (size_t i = 0; i < n; i++)
            pool_submit(p, inputs[i].data, inputs[i].len);
        for (size_t k = 0; pool_next_completed(p, &results[k]); k++)
            ;
    }
    double wall_us = (double)(now_ns() - start) / NS_PER_US;
    pool_stats after = pool_get_stats(p);
    pool_destroy(p);
    for (size_t i = 0; i < n; i++)
        check(&results[i]);
    pool_results_free(results, n);
    return (struct run){ wall_us / (double)n,
                         (double)(after.bytes_sent + after.bytes_received - before.bytes_sent -
                                  before.bytes_received) / (double)n };
}

/* How long starting and stopping an idle pool takes, in us (median of 5). */
static double startup_us(pool_kind kind, int workers)
{
    double us[5];
    for (int r = 0; r < 5; r++) {
        pool_options opt = { .kind = kind, .workers = workers, .fn = double_it, .output_max = 8 };
        int64_t start = now_ns();
        pool_destroy(pool_create(&opt));
        us[r] = (double)(now_ns() - start) / NS_PER_US;
    }
    return summarize(us, 5).median;
}

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    size_t n = (size_t)cfg.tasks;
    pool_input *inputs = pool_numbered_inputs(n);
    pool_result *results = calloc(n, sizeof *results);
    if (results == NULL)
        die("calloc");

    /* Every (pool, chunk) pair; chunk 0 stands for submit. */
    struct series {
        pool_kind kind;
        int chunk;
        double us[1000], bytes;
    } *series = calloc(2 * (MAX_COUNTS + 1), sizeof *series);
    if (series == NULL)
        die("calloc");
    size_t n_series = 0;
    for (int k = 0; k < 2; k++) {
        if (!cfg.pool_used[k])
            continue;
        for (size_t c = 0; c < cfg.n_chunks; c++)
            series[n_series++] = (struct series){ .kind = (pool_kind)k, .chunk = (int)cfg.chunks[c] };
        series[n_series++] = (struct series){ .kind = (pool_kind)k, .chunk = 0 };
    }

    printf("%lld empty tasks, %d workers, %d core(s), %ld repeats; thread pool under GIL %s\n",
           cfg.tasks, cfg.workers, cpus_allowed(), cfg.repeat, gil_mode_names[cfg.gil]);
    progress bar;
    progress_start(&bar, "overhead", (long)(n_series * (size_t)cfg.repeat), cfg.force_progress);
    for (long r = 0; r < cfg.repeat; r++) {
        for (size_t s = 0; s < n_series; s++) {
            struct run run = timed_run(series[s].kind, cfg.workers, cfg.gil, series[s].chunk, inputs,
                                       n, results);
            series[s].us[r] = run.per_task_us;
            series[s].bytes = run.bytes_per_task;
            progress_advance(&bar, 1);
        }
    }
    progress_finish(&bar);

    double start_threads = cfg.pool_used[POOL_THREADS] ? startup_us(POOL_THREADS, cfg.workers) : 0;
    double start_processes = cfg.pool_used[POOL_PROCESSES] ? startup_us(POOL_PROCESSES, cfg.workers) : 0;
    datafile *df = NULL;
    if (cfg.data_path) {
        df = datafile_create(cfg.data_path, argc, argv);
        datafile_comment(df, "tasks: %lld", cfg.tasks);
        datafile_comment(df, "workers: %d", cfg.workers);
        datafile_comment(df, "gil: %s", gil_mode_names[cfg.gil]);
        datafile_comment(df, "startup_us c-threads: %.0f", start_threads);
        datafile_comment(df, "startup_us c-processes: %.0f", start_processes);
        datafile_columns(df, "pool method chunk_size repeats per_task_us min_us max_us bytes_per_task");
    }
    printf("%-12s %-7s %10s %12s %9s %9s %14s\n", "pool", "method", "chunk_size", "per_task_us",
           "min_us", "max_us", "bytes_per_task");
    for (size_t s = 0; s < n_series; s++) {
        summary us = summarize(series[s].us, (size_t)cfg.repeat);
        const char *name = series[s].kind == POOL_THREADS ? "c-threads" : "c-processes";
        const char *method = series[s].chunk > 0 ? "map" : "submit";
        int chunk = series[s].chunk > 0 ? series[s].chunk : 1;
        printf("%-12s %-7s %10d %12.3f %9.3f %9.3f %14.1f\n", name, method, chunk, us.median, us.min,
               us.max, series[s].bytes);
        if (df)
            datafile_row(df, "%s\t%s\t%d\t%ld\t%.4f\t%.4f\t%.4f\t%.1f", name, method, chunk, cfg.repeat,
                         us.median, us.min, us.max, series[s].bytes);
    }
    if (cfg.pool_used[POOL_THREADS])
        printf("starting and stopping an idle pool of %d: threads %.0f us", cfg.workers, start_threads);
    if (cfg.pool_used[POOL_PROCESSES])
        printf("%s processes %.0f us", cfg.pool_used[POOL_THREADS] ? ", " : "starting and stopping an idle pool: ",
               start_processes);
    printf("\n");
    if (df)
        datafile_commit(df);
    free(series);
    free(inputs);
    free(results);
    return EXIT_SUCCESS;
}

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pools", required_argument, NULL, 'p' },
        { "chunks", required_argument, NULL, 'c' },
        { "workers", required_argument, NULL, 'w' },
        { "tasks", required_argument, NULL, 't' },
        { "gil", required_argument, NULL, 'g' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .gil = GIL_NEW };
    bool quick = false, pools_given = false;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'p':
            arg_choice_list("--pools", optarg, pool_kind_names, cfg->pool_used);
            pools_given = true;
            break;
        case 'c':
            cfg->n_chunks = arg_int_list("--chunks", optarg, 1, POOL_MAX_CHUNK, cfg->chunks, MAX_COUNTS);
            break;
        case 'w':
            cfg->workers = (int)arg_int("--workers", optarg, 1, POOL_MAX_WORKERS);
            break;
        case 't':
            cfg->tasks = arg_int("--tasks", optarg, 100, 10000000);
            break;
        case 'g':
            cfg->gil = (gil_mode)arg_choice("--gil", optarg, gil_mode_names);
            break;
        case 'r':
            cfg->repeat = (long)arg_int("--repeat", optarg, 1, 1000);
            break;
        case 'd':
            cfg->data_path = arg_path("--data", optarg);
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
    if (!pools_given)
        cfg->pool_used[POOL_THREADS] = cfg->pool_used[POOL_PROCESSES] = true;
    static const long long chunks[] = { 1, 2, 5, 10, 50, 100 };
    if (cfg->n_chunks == 0) {
        cfg->n_chunks = sizeof chunks / sizeof chunks[0];
        memcpy(cfg->chunks, chunks, sizeof chunks);
    }
    if (cfg->workers == 0)
        cfg->workers = cpus_allowed();
    if (cfg->tasks == 0)
        cfg->tasks = quick ? 2000 : 20000;
    if (cfg->repeat == 0)
        cfg->repeat = quick ? 3 : 5;
}
