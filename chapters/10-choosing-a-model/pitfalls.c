/*
 * pitfalls.c - two ways a process pool loses to doing the work serially:
 *
 *   small-tasks  the same total work cut into tasks of 1 us to 10 ms: below
 *                some task length the pool's cost per task (chapter 5)
 *                outweighs the second core. Where is the break-even?
 *   big-args     100 tasks of equal work, each carrying an argument of 1 KiB
 *                to 4 MiB: a process pool copies every argument through a
 *                pipe (chapter 6); threads pass a pointer.
 *
 * Each against serial, with a process pool and a thread pool without a GIL
 * (free-threaded), both with one worker per core. A task's length is not
 * assumed but measured: its compute loop is calibrated by timing tasks of
 * the length asked for (with their argument), and every point reports how
 * long its tasks took serially. Each repeat runs serial, then the process
 * pool, then the threads, so that every speed-up is taken against the
 * serial run just before it, in the same conditions; the speed-up is
 * reported as the median of those per-repeat ratios, with their min and max.
 *
 *   build/chapter10/pitfalls --quick
 *   build/chapter10/pitfalls --pitfalls small-tasks --task-us 1,10,100,1000
 *   build/chapter10/pitfalls --pitfalls big-args --arg-bytes 1024,1048576 --repeat 15
 *
 * It prints one row per pitfall, size and way: the wall time (median, min
 * and max over the repeats), the speed-up over serial (median, min, max),
 * the measured length of a task and the wall time per task. Every task's
 * result is checked against the serial one.
 *
 * What to expect: the process pool loses for tasks of a few microseconds
 * and for arguments of megabytes; the threads lose far less. Compare with
 * chapter 5's overhead (the pool's cost per task) and chapter 6's
 * pipe_throughput (what copying through a pipe costs).
 *
 * The two pitfalls stay one program chosen by --pitfalls, not two files:
 * they share the task, the three ways and one data file (one graph shows
 * both), and the ways must be measured side by side against serial.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "interp.h"
#include "options.h"
#include "pool.h"
#include "report.h"
#include "workloads.h"

#define MAX_COUNTS 16
#define MAX_TASKS 200000   /* the same work in tasks of 1 us: 200 ms */

enum pitfall { SMALL_TASKS, BIG_ARGS };
static const char *const pitfall_names[] = { "small-tasks", "big-args", NULL };
enum method { SERIAL, PROCESS_POOL, THREADS_NO_GIL };
#define N_METHODS 3
static const char *const method_names[] = { "serial", "process-pool", "threads-no-gil", NULL };

struct config {
    bool pitfall_used[2];
    long long task_us[MAX_COUNTS], arg_bytes[MAX_COUNTS];
    size_t n_task_us, n_arg_bytes;
    long long work_ns;
    run_options run;
};

struct job {
    long iterations;  /* compute per task */
};

// snippet-begin: task
/* A task: `iterations` of the compute loop, plus one pass over its
 * argument (a sum of its 8-byte words), which it returns. */
static int task(pool_task *t)
{
    const struct job *job = t->context;
    double x = compute_intensive(t->thread, job->iterations);
    uint64_t sum = (uint64_t)(x * 1e6);
    const unsigned char *arg = t->input;
    size_t i = 0;
    for (; i + 8 <= t->input_len; i += 8) {
        uint64_t word;
        memcpy(&word, arg + i, sizeof word);
        sum += word;
    }
    for (; i < t->input_len; i++)
        sum += arg[i];
    memcpy(t->output, &sum, sizeof sum);
    t->output_len = sizeof sum;
    return 0;
}
// snippet-end: task

static void parse_args(int argc, char *argv[], struct config *cfg);
static report *start_report(const struct config *cfg, int argc, char *argv[]);
static void measure(report *out, const struct config *cfg, enum pitfall pitfall, long long x, int64_t task_ns,
                    size_t n, size_t arg_bytes);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    report *out = start_report(&cfg, argc, argv);

    /* The same work in tasks of each length: as many as fit, 2 to MAX_TASKS. */
    for (size_t i = 0; i < cfg.n_task_us && cfg.pitfall_used[SMALL_TASKS]; i++) {
        int64_t task_ns = cfg.task_us[i] * NS_PER_US;
        size_t n = (size_t)(cfg.work_ns / task_ns);
        n = n > MAX_TASKS ? MAX_TASKS : n < 2 ? 2 : n;
        measure(out, &cfg, SMALL_TASKS, cfg.task_us[i], task_ns, n, 0);
    }
    /* The same work in 100 tasks, each with an argument of each size. */
    for (size_t i = 0; i < cfg.n_arg_bytes && cfg.pitfall_used[BIG_ARGS]; i++) {
        size_t n = 100;
        measure(out, &cfg, BIG_ARGS, cfg.arg_bytes[i], cfg.work_ns / (int64_t)n, n, (size_t)cfg.arg_bytes[i]);
    }
    report_finish(out);
    return EXIT_SUCCESS;
}

static const column columns[] = {
    { .name = "pitfall", .kind = COL_TEXT, .width = 11 },
    { .name = "x", .kind = COL_INT },
    { .name = "method", .kind = COL_TEXT, .width = 14 },
    { .name = "tasks", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "iterations", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 5 },
    { .name = "speedup", .kind = COL_REAL, .decimals = 3 },
    { .name = "speedup_min", .kind = COL_REAL, .decimals = 3 },
    { .name = "speedup_max", .kind = COL_REAL, .decimals = 3 },
    { .name = "task_us", .kind = COL_REAL, .decimals = 2 },
    { .name = "wall_per_task_us", .kind = COL_REAL, .decimals = 2 },
    { 0 },
};

static report *start_report(const struct config *cfg, int argc, char *argv[])
{
    printf("%d cores; %.0f ms of work a run; speed-up: the median, min and max of serial / way, "
           "repeat by repeat; task_us: a task's length, measured serially\n",
           cpus_allowed(), (double)cfg->work_ns / NS_PER_MS);
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "work_ns: %lld", cfg->work_ns);
    report_comment(out, "max_tasks: %d", MAX_TASKS);
    return out;
}

static long calibrate(int64_t task_ns, const pool_input *inputs, size_t n, uint64_t *results);
static double run(enum method method, long iterations, const pool_input *inputs, size_t n, uint64_t *results);
static void report_way(report *out, enum pitfall pitfall, long long x, enum method m, size_t n, long repeat,
                       long iterations, const double *seconds, const double *serial);

/* n tasks of task_ns each, with an argument of arg_bytes, every way, repeat
 * after repeat; a row for each way. */
static void measure(report *out, const struct config *cfg, enum pitfall pitfall, long long x, int64_t task_ns,
                    size_t n, size_t arg_bytes)
{
    unsigned char *args = malloc(n * (arg_bytes ? arg_bytes : 1));
    pool_input *inputs = malloc(n * sizeof *inputs);
    uint64_t *results = malloc(n * sizeof *results);
    if (args == NULL || inputs == NULL || results == NULL)
        die("malloc");
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < arg_bytes; b++)
            args[i * arg_bytes + b] = (unsigned char)(i + b);
        inputs[i] = (pool_input){ args + i * arg_bytes, arg_bytes };
    }
    long iterations = calibrate(task_ns, inputs, n, results);

    double *seconds[N_METHODS];
    for (int m = 0; m < N_METHODS; m++)
        seconds[m] = samples_alloc(cfg->run.repeat);
    for (long r = 0; r < cfg->run.repeat; r++)       /* serial, pool, threads; again */
        for (int m = 0; m < N_METHODS; m++)
            seconds[m][r] = run((enum method)m, iterations, inputs, n, results); /* serial first: it sets results */

    for (int m = 0; m < N_METHODS; m++)
        report_way(out, pitfall, x, (enum method)m, n, cfg->run.repeat, iterations, seconds[m], seconds[SERIAL]);
    for (int m = 0; m < N_METHODS; m++)
        free(seconds[m]);
    free(args);
    free(inputs);
    free(results);
}

/* How many iterations of the compute loop make a task (argument included)
 * take task_ns here. Not a fixed cost per iteration: cos() of a larger
 * argument costs more, so a short task's iterations are cheaper than a long
 * one's. Timed on tasks of the guessed length, the guess corrected, three
 * times; each timing the median of three runs of about 20 ms of tasks (the
 * median, as the rows report). */
static long calibrate(int64_t task_ns, const pool_input *inputs, size_t n, uint64_t *results)
{
    size_t k = (size_t)(20 * NS_PER_MS / task_ns);
    k = k < 1 ? 1 : k > n ? n : k;
    double iterations = (double)task_ns / 10;        /* a first guess: 10 ns an iteration */
    for (int round = 0; round < 3; round++) {
        long it = iterations < 1 ? 1 : (long)iterations;
        double seconds[3];
        for (int t = 0; t < 3; t++)
            seconds[t] = run(SERIAL, it, inputs, k, results);
        double per_task_ns = summarize(seconds, 3).median * NS_PER_S / (double)k;
        iterations = (double)it * (double)task_ns / per_task_ns;
    }
    return iterations < 1 ? 1 : (long)iterations;
}

/* One way's row: its wall time, and its speed-up over the serial run of
 * the same repeat, summarized over the repeats. */
static void report_way(report *out, enum pitfall pitfall, long long x, enum method m, size_t n, long repeat,
                       long iterations, const double *seconds, const double *serial)
{
    double *speedup = samples_alloc(repeat);
    for (long r = 0; r < repeat; r++)
        speedup[r] = serial[r] / seconds[r];
    summary sp = summarize(speedup, (size_t)repeat);
    summary task = summarize(serial, (size_t)repeat);
    report_text(out, pitfall_names[pitfall]);
    report_int(out, x);
    report_text(out, method_names[m]);
    report_int(out, (long long)n);
    report_int(out, repeat);
    report_int(out, iterations);
    summary wall = report_spread(out, seconds, (size_t)repeat);
    report_real(out, sp.median);
    report_real(out, sp.min);
    report_real(out, sp.max);
    report_real(out, task.median / (double)n * 1e6);
    report_real(out, wall.median / (double)n * 1e6);
    free(speedup);
}

/* Run n tasks one way; seconds. Serially it fills results; a pool's
 * results are checked against them. */
static double run(enum method method, long iterations, const pool_input *inputs, size_t n, uint64_t *results)
{
    struct job job = { iterations };
    int64_t start = now_ns();
    if (method == SERIAL) {
        gil g;
        gil_thread th;
        gil_init(&g, GIL_NONE, GIL_DEFAULT_INTERVAL_US);
        gil_thread_init(&th, &g, 0, 0);
        for (size_t i = 0; i < n; i++) {
            pool_task t = { .index = i, .input = inputs[i].data, .input_len = inputs[i].len,
                            .output = &results[i], .output_max = 8, .thread = &th, .context = &job };
            task(&t);
        }
        gil_thread_free(&th);
        gil_destroy(&g);
        return (double)(now_ns() - start) / NS_PER_S;
    }
    pool_options opt = { .kind = method == PROCESS_POOL ? POOL_PROCESSES : POOL_THREADS, .workers = cpus_allowed(),
                         .fn = task, .context = &job, .output_max = 8, .gil = GIL_NONE };
    pool_result *r = calloc(n, sizeof *r);
    if (r == NULL)
        die("calloc");
    pool *p = pool_create(&opt);
    pool_map(p, inputs, n, r);
    pool_destroy(p);
    double s = (double)(now_ns() - start) / NS_PER_S;
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        if (r[i].status != POOL_DONE)
            die_msg("task %zu: %s", i, r[i].error);
        memcpy(&v, r[i].data, sizeof v);
        if (v != results[i])
            die_msg("%s: task %zu gave %llu, serially %llu", method_names[method], i, (unsigned long long)v,
                    (unsigned long long)results[i]);
    }
    pool_results_free(r, n);
    free(r);
    return s;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pitfalls [--pitfalls LIST] [--task-us LIST] [--arg-bytes LIST] [--work D] [--repeat N]\n"
    "                [--data FILE] [--quick]";
static const char help_text[] =
    "Measures where a process pool stops paying: tasks too small, arguments too big.\n"
    "\n"
    "  --pitfalls LIST   small-tasks, big-args (default both)\n"
    "  --task-us LIST    small-tasks: task lengths in us (1 to 10^6; default\n"
    "                    1,10,100,1000,10000)\n"
    "  --arg-bytes LIST  big-args: argument sizes (1 to 64 MiB; default\n"
    "                    1024,16384,262144,1048576,4194304)\n"
    "  --work D          total work of a run (1ms to 60s; default 200ms): small-tasks\n"
    "                    as many tasks as fit (2 to 200000), big-args 100 tasks\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pitfalls", required_argument, NULL, 'p' },
        { "task-us", required_argument, NULL, 't' },
        { "arg-bytes", required_argument, NULL, 'a' },
        { "work", required_argument, NULL, 'w' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .pitfall_used = { true, true },
        .task_us = { 1, 10, 100, 1000, 10000 },
        .n_task_us = 5,
        .arg_bytes = { 1024, 16384, 262144, 1048576, 4194304 },
        .n_arg_bytes = 5,
        .work_ns = (quick ? 40 : 200) * NS_PER_MS,
        .run.repeat = quick ? 3 : 9,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "work 40ms, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'p':
            arg_choice_list("--pitfalls", optarg, pitfall_names, cfg->pitfall_used);
            break;
        case 't':
            cfg->n_task_us = arg_int_list("--task-us", optarg, 1, 1000000, cfg->task_us, MAX_COUNTS);
            break;
        case 'a':
            cfg->n_arg_bytes = arg_int_list("--arg-bytes", optarg, 1, 64 << 20, cfg->arg_bytes, MAX_COUNTS);
            break;
        case 'w':
            cfg->work_ns = arg_duration_ns("--work", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
