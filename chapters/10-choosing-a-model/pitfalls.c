/*
 * pitfalls.c - two ways a process pool loses to doing the work serially:
 *
 *   small-tasks  the same total work cut into tasks of 1 us to 10 ms: below
 *                some task length the pool's cost per task (chapter 5)
 *                outweighs the second core. Where is the break-even?
 *   big-args     tasks of the same work, each carrying an argument of 1 KiB
 *                to 4 MiB: a process pool copies every argument through a
 *                pipe (chapter 6); threads pass a pointer.
 *
 * Each against serial, measured in the same run, with a process pool and a
 * thread pool without a GIL (free-threaded), both with one worker per core.
 *
 *   build/chapter10/pitfalls --quick
 *   build/chapter10/pitfalls --pitfalls small-tasks --task-us 1,10,100,1000
 *   build/chapter10/pitfalls --pitfalls big-args --arg-bytes 1024,1048576 --repeat 9
 *
 * It prints one row per pitfall, size and way: the wall time (median, min
 * and max over the repeats), the speed-up over serial, and the time per
 * task. Every task's result is checked against the serial one.
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
 * argument (a sum of its bytes), which it returns. */
static int task(pool_task *t)
{
    const struct job *job = t->context;
    double x = compute_intensive(t->thread, job->iterations);
    uint64_t sum = (uint64_t)(x * 1e6);
    const unsigned char *arg = t->input;
    for (size_t i = 0; i < t->input_len; i++)
        sum += arg[i];
    memcpy(t->output, &sum, sizeof sum);
    t->output_len = sizeof sum;
    return 0;
}
// snippet-end: task

static void parse_args(int argc, char *argv[], struct config *cfg);
static double ns_per_iteration(void);
static report *start_report(const struct config *cfg, double ns, int argc, char *argv[]);
static void measure(report *out, const struct config *cfg, enum pitfall pitfall, long long x, long iterations,
                    size_t n, size_t arg_bytes);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    double ns = ns_per_iteration();
    report *out = start_report(&cfg, ns, argc, argv);

    /* The same work in tasks of each length: as many as fit, 2 to 20000. */
    for (size_t i = 0; i < cfg.n_task_us && cfg.pitfall_used[SMALL_TASKS]; i++) {
        long iterations = (long)((double)cfg.task_us[i] * 1000 / ns);
        size_t n = (size_t)(cfg.work_ns / (cfg.task_us[i] * NS_PER_US));
        n = n > 20000 ? 20000 : n < 2 ? 2 : n;
        measure(out, &cfg, SMALL_TASKS, cfg.task_us[i], iterations > 0 ? iterations : 1, n, 0);
    }
    /* The same work in 100 tasks, each with an argument of each size. */
    for (size_t i = 0; i < cfg.n_arg_bytes && cfg.pitfall_used[BIG_ARGS]; i++) {
        size_t n = 100;
        long iterations = (long)((double)cfg.work_ns / (double)n / ns);
        measure(out, &cfg, BIG_ARGS, cfg.arg_bytes[i], iterations, n, (size_t)cfg.arg_bytes[i]);
    }
    report_finish(out);
    return EXIT_SUCCESS;
}

/* How long one iteration of the compute loop takes here, alone: the best
 * of three. */
static double ns_per_iteration(void)
{
    gil g;
    gil_thread th;
    gil_init(&g, GIL_NONE, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&th, &g, 0, 0);
    double best = 0;
    for (int round = 0; round < 3; round++) {
        int64_t start = now_ns();
        compute_intensive(&th, 2000000);
        double ns = (double)(now_ns() - start) / 2000000;
        best = round == 0 || ns < best ? ns : best;
    }
    gil_thread_free(&th);
    gil_destroy(&g);
    return best;
}

static const column columns[] = {
    { .name = "pitfall", .kind = COL_TEXT, .width = 11 },
    { .name = "x", .kind = COL_INT },
    { .name = "method", .kind = COL_TEXT, .width = 14 },
    { .name = "tasks", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 5 },
    { .name = "speedup", .kind = COL_REAL, .decimals = 3 },
    { .name = "per_task_us", .kind = COL_REAL, .decimals = 3 },
    { 0 },
};

static report *start_report(const struct config *cfg, double ns, int argc, char *argv[])
{
    printf("%d cores; the compute loop takes %.1f ns an iteration; %.0f ms of work a run\n", cpus_allowed(), ns,
           (double)cfg->work_ns / NS_PER_MS);
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "work_ns: %lld", cfg->work_ns);
    report_comment(out, "ns_per_iteration: %.2f", ns);
    return out;
}

static double run(enum method method, long iterations, const pool_input *inputs, size_t n, uint64_t *results);

/* n tasks, each with an argument of arg_bytes, every way, repeat after
 * repeat; a row for each way. */
static void measure(report *out, const struct config *cfg, enum pitfall pitfall, long long x, long iterations,
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
    double *seconds[N_METHODS];
    for (int m = 0; m < N_METHODS; m++)
        seconds[m] = samples_alloc(cfg->run.repeat);
    for (long r = 0; r < cfg->run.repeat; r++)
        for (int m = 0; m < N_METHODS; m++)
            seconds[m][r] = run((enum method)m, iterations, inputs, n, results); /* serial first: it sets results */

    size_t repeat = (size_t)cfg->run.repeat;
    double serial = summarize(seconds[SERIAL], repeat).median;
    for (int m = 0; m < N_METHODS; m++) {
        report_text(out, pitfall_names[pitfall]);
        report_int(out, x);
        report_text(out, method_names[m]);
        report_int(out, (long long)n);
        report_int(out, cfg->run.repeat);
        summary s = report_spread(out, seconds[m], repeat);
        report_real(out, serial / s.median);
        report_real(out, s.median / (double)n * 1e6);
        free(seconds[m]);
    }
    free(args);
    free(inputs);
    free(results);
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
    "  --work D          total work of a run (1ms to 60s; default 200ms); big-args: 100 tasks\n"
    "  --repeat N        repeats (1 to 10000; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           work 40ms, repeat 3\n"
    "  --help            show this help\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pitfalls", required_argument, NULL, 'p' },
        { "task-us", required_argument, NULL, 't' },
        { "arg-bytes", required_argument, NULL, 'a' },
        { "work", required_argument, NULL, 'w' },
        { "repeat", required_argument, NULL, OPT_REPEAT },
        { "data", required_argument, NULL, OPT_DATA },
        { "quick", no_argument, NULL, OPT_QUICK },
        { "help", no_argument, NULL, OPT_HELP },
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
        .run.repeat = quick ? 3 : 5,
    };
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
