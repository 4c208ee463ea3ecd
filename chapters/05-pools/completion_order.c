/*
 * completion_order.c - the same tasks through a pool twice: with map, whose
 * results come in input order, and with submit, whose results come in the
 * order the tasks finish (as_completed). When can you start on each result?
 *
 * Each task is delayed_return with a duration drawn from a Gaussian (the
 * same durations both times, from --seed). A result of map can be used only
 * when it and every result before it have arrived: one slow task early in
 * the input holds up everything behind it. as_completed hands each result
 * over the moment it exists.
 *
 *   build/chapter05/completion_order
 *   build/chapter05/completion_order --quick --data order.tsv
 *   build/chapter05/completion_order --pool processes --workers 2 --tasks 8
 *
 * It prints the two orders side by side, one line per result: the input it
 * came from, how long its task ran and when the caller could use it; then
 * the first result's wait, the mean wait and the wall time of each. With
 * --data, every result's timing as TSV (one row per result: a timeline of
 * arrivals, not repeated measurements, so it is written with datafile.h
 * directly rather than report.h, whose table would lose the side by side).
 *
 * What to expect: both finish at about the same time; as_completed hands
 * over its first result sooner and makes each one wait less on average.
 * map and as_completed stay two functions of one program, run on the same
 * pool over the same durations, because the point is the comparison.
 * Compare with Python:
 *   results = list(pool.map(delayed_return, durations))         # in order
 *   futures = [pool.submit(delayed_return, d) for d in durations]
 *   for f in as_completed(futures): ...                          # as they finish
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "datafile.h"
#include "error.h"
#include "options.h"
#include "pool.h"
#include "random.h"
#include "workloads.h"

struct config {
    pool_kind kind;
    int workers;
    long long tasks, mean_ns, sd_ns, seed;
    run_options run;
};

/* What one result looked like from the caller's side. */
struct arrival {
    size_t index;
    double task_s;      /* how long the task ran */
    double available_s; /* when the caller could use it, since the start */
};

static void check(const pool_result *r);

// snippet-begin: map-order
/* map: results[i] is input i's. Handed over in input order, result i is
 * usable once results 0..i have all arrived. */
static double by_map(pool *p, const pool_input *inputs, size_t n, struct arrival *out)
{
    pool_result *results = calloc(n, sizeof *results);
    if (results == NULL)
        die("calloc");
    int64_t start = now_ns();
    pool_map(p, inputs, n, results);
    double wall = (double)(now_ns() - start) / NS_PER_S;
    int64_t ready = start;
    for (size_t i = 0; i < n; i++) {
        check(&results[i]);
        if (results[i].done_ns > ready)
            ready = results[i].done_ns; /* waits for the slowest before it */
        out[i] = (struct arrival){ i, results[i].task_s, (double)(ready - start) / NS_PER_S };
    }
    pool_results_free(results, n);
    free(results);
    return wall;
}
// snippet-end: map-order

// snippet-begin: as-completed-order
/* submit + as_completed: each result is usable the moment it arrives. */
static double by_completion(pool *p, const pool_input *inputs, size_t n, struct arrival *out)
{
    int64_t start = now_ns();
    for (size_t i = 0; i < n; i++)
        pool_submit(p, inputs[i].data, inputs[i].len);
    pool_result r;
    for (size_t k = 0; pool_next_completed(p, &r); k++) {
        check(&r);
        out[k] = (struct arrival){ r.index, r.task_s, (double)(r.done_ns - start) / NS_PER_S };
        free(r.data);
    }
    return (double)(now_ns() - start) / NS_PER_S;
}
// snippet-end: as-completed-order

static void parse_args(int argc, char *argv[], struct config *cfg);
static struct arrival *arrivals_alloc(size_t n);
static int task(pool_task *t);
static void print_arrivals(const struct config *cfg, const struct arrival *ordered,
                           const struct arrival *completed, double map_wall, double submit_wall);
static void write_arrivals(const struct config *cfg, const struct arrival *ordered,
                           const struct arrival *completed, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    size_t n = (size_t)cfg.tasks;
    pool_input *inputs = pool_numbered_inputs(n);
    struct arrival *ordered = arrivals_alloc(n), *completed = arrivals_alloc(n);

    pool_options opt = { .kind = cfg.kind, .workers = cfg.workers, .fn = task, .context = &cfg,
                         .output_max = sizeof(int64_t), .label = "tasks",
                         .force_progress = cfg.run.force_progress };
    pool *p = pool_create(&opt);
    double map_wall = by_map(p, inputs, n, ordered);
    double submit_wall = by_completion(p, inputs, n, completed);
    pool_destroy(p);

    print_arrivals(&cfg, ordered, completed, map_wall, submit_wall);
    if (cfg.run.data_path != NULL)
        write_arrivals(&cfg, ordered, completed, argc, argv);
    pool_numbered_inputs_free(inputs);
    free(ordered);
    free(completed);
    return EXIT_SUCCESS;
}

static struct arrival *arrivals_alloc(size_t n)
{
    struct arrival *arrivals = calloc(n, sizeof *arrivals);
    if (arrivals == NULL)
        die("calloc %zu arrivals", n);
    return arrivals;
}

/* Task i: delayed_return(i) after its own duration, the same in both runs. */
static int task(pool_task *t)
{
    const struct config *cfg = t->context;
    int64_t i;
    memcpy(&i, t->input, sizeof i);
    int64_t result = delayed_return(t->thread, i,
                                    gaussian_delay_ns((uint64_t)cfg->seed, (uint64_t)i, cfg->mean_ns, cfg->sd_ns));
    memcpy(t->output, &result, sizeof result);
    t->output_len = sizeof result;
    return 0;
}

/* Every task succeeds and returns its own input. */
static void check(const pool_result *r)
{
    int64_t value;
    if (r->status != POOL_DONE)
        die_msg("task %zu %s: %s", r->index, pool_status_names[r->status], r->error);
    memcpy(&value, r->data, sizeof value);
    if (value != (int64_t)r->index)
        die_msg("task %zu returned %lld", r->index, (long long)value);
}

/* The two orders side by side, then what they mean for the caller. */
static void print_arrivals(const struct config *cfg, const struct arrival *ordered,
                           const struct arrival *completed, double map_wall, double submit_wall)
{
    size_t n = (size_t)cfg->tasks;
    printf("%lld tasks, %d %s, durations %.0f +- %.0f ms (seed %lld)\n\n", cfg->tasks, cfg->workers,
           pool_kind_names[cfg->kind], (double)cfg->mean_ns / NS_PER_MS, (double)cfg->sd_ns / NS_PER_MS,
           cfg->seed);
    printf("%-22s | %-22s\n", "map (input order)", "as_completed");
    printf("%5s %7s %8s | %5s %7s %8s\n", "input", "task_s", "usable_s", "input", "task_s", "usable_s");
    double map_sum = 0, submit_sum = 0;
    for (size_t k = 0; k < n; k++) {
        printf("%5zu %7.3f %8.3f | %5zu %7.3f %8.3f\n", ordered[k].index, ordered[k].task_s,
               ordered[k].available_s, completed[k].index, completed[k].task_s, completed[k].available_s);
        map_sum += ordered[k].available_s;
        submit_sum += completed[k].available_s;
    }
    printf("\nfirst result usable after: map %.3f s, as_completed %.3f s\n", ordered[0].available_s,
           completed[0].available_s);
    printf("mean wait for a result:    map %.3f s, as_completed %.3f s\n", map_sum / (double)n,
           submit_sum / (double)n);
    printf("all results (wall):        map %.3f s, as_completed %.3f s\n", map_wall, submit_wall);
}

/* One row per result, map's first, in the order each was handed over. */
static void write_arrivals(const struct config *cfg, const struct arrival *ordered,
                           const struct arrival *completed, int argc, char *argv[])
{
    size_t n = (size_t)cfg->tasks;
    datafile *df = datafile_create(cfg->run.data_path, argc, argv);
    datafile_comment(df, "pool: %s", pool_kind_names[cfg->kind]);
    datafile_comment(df, "workers: %d", cfg->workers);
    datafile_comment(df, "mean_ns: %lld", cfg->mean_ns);
    datafile_comment(df, "sd_ns: %lld", cfg->sd_ns);
    datafile_comment(df, "seed: %lld", cfg->seed);
    datafile_columns(df, "method position index task_s available_s");
    for (size_t k = 0; k < n; k++)
        datafile_row(df, "map\t%zu\t%zu\t%.4f\t%.4f", k + 1, ordered[k].index, ordered[k].task_s,
                     ordered[k].available_s);
    for (size_t k = 0; k < n; k++)
        datafile_row(df, "as_completed\t%zu\t%zu\t%.4f\t%.4f", k + 1, completed[k].index,
                     completed[k].task_s, completed[k].available_s);
    datafile_commit(df);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "completion_order [--pool threads|processes] [--workers N] [--tasks N] [--mean D] [--sd D]\n"
    "                        [--seed N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Runs the same tasks of varied length through pool_map (results in input\n"
    "order) and through pool_submit + pool_next_completed (results as they\n"
    "finish), and shows when each result reached the caller.\n"
    "\n"
    "  --pool KIND      threads or processes (default threads)\n"
    "  --workers N      workers in the pool (1 to 256; default 4)\n"
    "  --tasks N        tasks (1 to 10000; default 12)\n"
    "  --mean D         mean task duration (default 200ms)\n"
    "  --sd D           its standard deviation (default 100ms)\n"
    "  --seed N         seed for the durations (default 1)\n";

/* The defaults (shorter tasks with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pool", required_argument, NULL, 'p' },
        { "workers", required_argument, NULL, 'w' },
        { "tasks", required_argument, NULL, 't' },
        { "mean", required_argument, NULL, 'm' },
        { "sd", required_argument, NULL, 's' },
        { "seed", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .kind = POOL_THREADS,
        .workers = 4,
        .tasks = 12,
        .mean_ns = (quick ? 40 : 200) * NS_PER_MS,
        .sd_ns = (quick ? 20 : 100) * NS_PER_MS,
        .seed = 1,
    };
    cfg->run.takes = TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "mean 40ms, sd 20ms";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'p':
            cfg->kind = (pool_kind)arg_choice("--pool", optarg, pool_kind_names);
            break;
        case 'w':
            cfg->workers = (int)arg_int("--workers", optarg, 1, POOL_MAX_WORKERS);
            break;
        case 't':
            cfg->tasks = arg_int("--tasks", optarg, 1, 10000);
            break;
        case 'm':
            cfg->mean_ns = arg_duration_ns("--mean", optarg, 0, 60 * NS_PER_S);
            break;
        case 's':
            cfg->sd_ns = arg_duration_ns("--sd", optarg, 0, 60 * NS_PER_S);
            break;
        case 'e':
            cfg->seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
