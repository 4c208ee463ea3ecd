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
 *   build/chapter05/overhead --pools threads --gil none      # without the GIL's hand-offs
 *
 * It prints one row per pool and way of handing tasks over: the time per
 * task (median, min and max over the repeats) and the bytes sent and
 * received per task; then what starting and stopping an idle pool costs.
 * The pools are started before the clock starts (start-up is reported on
 * its own).
 *
 * What to expect: a thread pool costs about a microsecond per task or less,
 * a process pool several times more at chunk size 1, and chunking brings
 * the two close together. Both pools and every chunk size stay
 * options of one program, measured side by side in one run, because the
 * ratios between them are the result. Compare with pool_overhead.py, the
 * same in Python's concurrent.futures, and chapter 1's creation_cost (what
 * a pool saves by starting its workers once).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "options.h"
#include "pool.h"
#include "progress.h"
#include "report.h"
#include "stats.h"

#define MAX_COUNTS 16
#define STARTUP_REPEATS 5

struct config {
    bool pool_used[2];
    long long chunks[MAX_COUNTS];
    size_t n_chunks;
    int workers;
    gil_mode gil;
    long long tasks;
    run_options run;
};

/* One pool and one way of handing it the tasks, and its measurements. */
struct series {
    pool_kind kind;
    int chunk;      /* map with this chunk size; 0: submit */
    double *us;     /* time per task, one per repeat */
    double bytes;   /* bytes sent and received per task */
};

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

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_series(const struct config *cfg, struct series *series);
static void measure(const struct config *cfg, struct series *series, size_t n_series);
static double startup_us(pool_kind kind, int workers);
static void report_series(const struct config *cfg, const struct series *series, size_t n_series,
                          const double startup[2], int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    struct series *series = calloc(2 * (MAX_COUNTS + 1), sizeof *series);
    if (series == NULL)
        die("calloc");
    size_t n_series = plan_series(&cfg, series);

    printf("%lld empty tasks, %d workers, %d core(s), %ld repeats; thread pool under GIL %s\n",
           cfg.tasks, cfg.workers, cpus_allowed(), cfg.run.repeat, gil_mode_names[cfg.gil]);
    measure(&cfg, series, n_series);
    double startup[2] = { 0, 0 };
    for (int k = 0; k < 2; k++)
        if (cfg.pool_used[k])
            startup[k] = startup_us((pool_kind)k, cfg.workers);
    report_series(&cfg, series, n_series, startup, argc, argv);

    printf("starting and stopping an idle pool of %d:", cfg.workers);
    if (cfg.pool_used[POOL_THREADS])
        printf(" threads %.0f us%s", startup[POOL_THREADS], cfg.pool_used[POOL_PROCESSES] ? "," : "");
    if (cfg.pool_used[POOL_PROCESSES])
        printf(" processes %.0f us", startup[POOL_PROCESSES]);
    printf("\n");

    for (size_t s = 0; s < n_series; s++)
        free(series[s].us);
    free(series);
    return EXIT_SUCCESS;
}

/* Every (pool, chunk) pair, then submit, for each pool chosen. */
static size_t plan_series(const struct config *cfg, struct series *series)
{
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        if (!cfg->pool_used[k])
            continue;
        for (size_t c = 0; c < cfg->n_chunks; c++)
            series[n++] = (struct series){ .kind = (pool_kind)k, .chunk = (int)cfg->chunks[c] };
        series[n++] = (struct series){ .kind = (pool_kind)k, .chunk = 0 };
    }
    for (size_t s = 0; s < n; s++)
        series[s].us = samples_alloc(cfg->run.repeat);
    return n;
}

static void timed_run(const struct config *cfg, struct series *s, const pool_input *inputs,
                      pool_result *results, long r);

/* Repeat by repeat, every series once, so that a slow moment of the
 * machine touches all of them alike. */
static void measure(const struct config *cfg, struct series *series, size_t n_series)
{
    size_t n = (size_t)cfg->tasks;
    pool_input *inputs = pool_numbered_inputs(n);
    pool_result *results = calloc(n, sizeof *results);
    if (results == NULL)
        die("calloc");
    progress bar;
    progress_start(&bar, "overhead", (long)(n_series * (size_t)cfg->run.repeat), cfg->run.force_progress);
    for (long r = 0; r < cfg->run.repeat; r++) {
        for (size_t s = 0; s < n_series; s++) {
            timed_run(cfg, &series[s], inputs, results, r);
            progress_advance(&bar, 1);
        }
    }
    progress_finish(&bar);
    pool_numbered_inputs_free(inputs);
    free(results);
}

static void check(const pool_result *r);

/* One timed run of series s, its time per task stored as repeat r. The
 * pool is started before the clock starts and stopped after it stops. */
static void timed_run(const struct config *cfg, struct series *s, const pool_input *inputs,
                      pool_result *results, long r)
{
    size_t n = (size_t)cfg->tasks;
    pool_options opt = { .kind = s->kind, .workers = cfg->workers, .chunk_size = s->chunk > 0 ? s->chunk : 1,
                         .fn = double_it, .output_max = sizeof(int64_t), .gil = cfg->gil };
    pool *p = pool_create(&opt);
    pool_stats before = pool_get_stats(p);
    int64_t start = now_ns();
    if (s->chunk > 0) {
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
    s->us[r] = wall_us / (double)n;
    s->bytes = (double)(after.bytes_sent + after.bytes_received - before.bytes_sent -
                        before.bytes_received) / (double)n;
}

/* Every task came back done, with its input doubled. */
static void check(const pool_result *r)
{
    int64_t x;
    if (r->status != POOL_DONE)
        die_msg("task %zu %s: %s", r->index, pool_status_names[r->status], r->error);
    memcpy(&x, r->data, sizeof x);
    if (x != 2 * (int64_t)r->index)
        die_msg("task %zu: got %lld", r->index, (long long)x);
}

/* How long starting and stopping an idle pool takes, in us (the median of
 * STARTUP_REPEATS). */
static double startup_us(pool_kind kind, int workers)
{
    double us[STARTUP_REPEATS];
    for (int r = 0; r < STARTUP_REPEATS; r++) {
        pool_options opt = { .kind = kind, .workers = workers, .fn = double_it, .output_max = 8 };
        int64_t start = now_ns();
        pool_destroy(pool_create(&opt));
        us[r] = (double)(now_ns() - start) / NS_PER_US;
    }
    return summarize(us, STARTUP_REPEATS).median;
}

/* The median, min and max are three plain columns, not one COL_SPREAD:
 * their names (per_task_us min_us max_us) are the ones the graph, the
 * chapter's tables and pool_overhead.py share. */
static const column columns[] = {
    { .name = "pool", .kind = COL_TEXT, .width = 12 },
    { .name = "method", .kind = COL_TEXT },
    { .name = "chunk_size", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "per_task_us", .kind = COL_REAL, .decimals = 4 },
    { .name = "min_us", .kind = COL_REAL, .decimals = 4 },
    { .name = "max_us", .kind = COL_REAL, .decimals = 4 },
    { .name = "bytes_per_task", .kind = COL_REAL, .decimals = 1 },
    { 0 },
};

/* One row per series: the table on stdout and, with --data, the TSV. */
static void report_series(const struct config *cfg, const struct series *series, size_t n_series,
                          const double startup[2], int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "tasks: %lld", cfg->tasks);
    report_comment(out, "workers: %d", cfg->workers);
    report_comment(out, "gil: %s", gil_mode_names[cfg->gil]);
    report_comment(out, "startup_us c-threads: %.0f", startup[POOL_THREADS]);
    report_comment(out, "startup_us c-processes: %.0f", startup[POOL_PROCESSES]);
    for (size_t s = 0; s < n_series; s++) {
        const struct series *c = &series[s];
        summary us = summarize(c->us, (size_t)cfg->run.repeat);
        report_text(out, c->kind == POOL_THREADS ? "c-threads" : "c-processes");
        report_text(out, c->chunk > 0 ? "map" : "submit");
        report_int(out, c->chunk > 0 ? c->chunk : 1);
        report_int(out, cfg->run.repeat);
        report_real(out, us.median);
        report_real(out, us.min);
        report_real(out, us.max);
        report_real(out, c->bytes);
    }
    report_finish(out);
}

/* ---- arguments ----------------------------------------------------------------------- */

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
    "                   as in CPython)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pools", required_argument, NULL, 'p' },
        { "chunks", required_argument, NULL, 'c' },
        { "workers", required_argument, NULL, 'w' },
        { "tasks", required_argument, NULL, 't' },
        { "gil", required_argument, NULL, 'g' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    static const long long chunks[] = { 1, 2, 5, 10, 50, 100 };
    *cfg = (struct config){
        .pool_used = { [POOL_THREADS] = true, [POOL_PROCESSES] = true },
        .n_chunks = sizeof chunks / sizeof chunks[0],
        .workers = cpus_allowed(),
        .gil = GIL_NEW,
        .tasks = quick ? 2000 : 20000,
        .run.repeat = quick ? 3 : 5,
    };
    memcpy(cfg->chunks, chunks, sizeof chunks);

    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "tasks 2000, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'p':
            arg_choice_list("--pools", optarg, pool_kind_names, cfg->pool_used);
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
        }
    }
    arg_no_operands(argc, argv);
}
