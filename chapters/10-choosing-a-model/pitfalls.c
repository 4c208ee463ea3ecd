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
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "interp.h"
#include "pool.h"
#include "stats.h"
#include "workloads.h"

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
    "  --work D          total work of a run (default 200ms); big-args: 100 tasks\n"
    "  --repeat N        repeats (1 to 100; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           work 40ms, repeat 3\n"
    "  --help            show this help\n";

static const char *const pitfall_names[] = { "small-tasks", "big-args", NULL };
static const char *const method_names[] = { "serial", "process-pool", "threads-no-gil", NULL };
static double ns_per_iteration;

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

/* Run n tasks (each with argument bytes `arg`) one way; seconds. Checks
 * every result against the serial one. */
static double run(int method, long iterations, const pool_input *inputs, size_t n, uint64_t *results)
{
    struct job job = { iterations };
    int64_t start = now_ns();
    if (method == 0) {
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
    pool_options opt = { .kind = method == 1 ? POOL_PROCESSES : POOL_THREADS, .workers = cpus_allowed(),
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

static void measure(datafile *df, const char *pitfall, long long x, long iterations, size_t n, size_t arg_bytes,
                    long long repeat)
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
    double t[3][100];
    for (long long r = 0; r < repeat; r++)
        for (int m = 0; m < 3; m++)
            t[m][r] = run(m, iterations, inputs, n, results); /* serial first: it sets results */
    double serial = summarize(t[0], (size_t)repeat).median;
    for (int m = 0; m < 3; m++) {
        summary s = summarize(t[m], (size_t)repeat);
        printf("%-12s %10lld %-15s %6zu %10.4f %9.2fx %12.2f\n", pitfall, x, method_names[m], n, s.median,
               serial / s.median, s.median / (double)n * 1e6);
        if (df)
            datafile_row(df, "%s\t%lld\t%s\t%zu\t%lld\t%.5f\t%.5f\t%.5f\t%.3f\t%.3f", pitfall, x, method_names[m], n,
                         repeat, s.median, s.min, s.max, serial / s.median, s.median / (double)n * 1e6);
    }
    free(args);
    free(inputs);
    free(results);
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pitfalls", required_argument, NULL, 'p' },
        { "task-us", required_argument, NULL, 't' },
        { "arg-bytes", required_argument, NULL, 'a' },
        { "work", required_argument, NULL, 'w' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool used[2] = { false }, given = false, quick = false;
    long long task_us[16] = { 1, 10, 100, 1000, 10000 }, arg_bytes[16] = { 1024, 16384, 262144, 1048576, 4194304 };
    size_t n_task_us = 5, n_arg_bytes = 5;
    long long work_ns = 0, repeat = 0;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'p':
            arg_choice_list("--pitfalls", optarg, pitfall_names, used);
            given = true;
            break;
        case 't':
            n_task_us = arg_int_list("--task-us", optarg, 1, 1000000, task_us, 16);
            break;
        case 'a':
            n_arg_bytes = arg_int_list("--arg-bytes", optarg, 1, 64 << 20, arg_bytes, 16);
            break;
        case 'w':
            work_ns = arg_duration_ns("--work", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'r':
            repeat = arg_int("--repeat", optarg, 1, 100);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (!given)
        used[0] = used[1] = true;
    if (work_ns == 0)
        work_ns = (quick ? 40 : 200) * NS_PER_MS;
    if (repeat == 0)
        repeat = quick ? 3 : 5;

    /* How long one iteration of the compute loop takes here, alone. */
    gil g;
    gil_thread th;
    gil_init(&g, GIL_NONE, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&th, &g, 0, 0);
    for (int round = 0; round < 3; round++) { /* the best of three */
        int64_t start = now_ns();
        compute_intensive(&th, 2000000);
        double ns = (double)(now_ns() - start) / 2000000;
        ns_per_iteration = round == 0 || ns < ns_per_iteration ? ns : ns_per_iteration;
    }
    gil_thread_free(&th);
    gil_destroy(&g);

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "work_ns: %lld", work_ns);
        datafile_comment(df, "ns_per_iteration: %.2f", ns_per_iteration);
        datafile_columns(df, "pitfall x method tasks repeats median_s min_s max_s speedup per_task_us");
    }
    printf("%d cores; the compute loop takes %.1f ns an iteration; %.0f ms of work a run\n", cpus_allowed(),
           ns_per_iteration, (double)work_ns / NS_PER_MS);
    printf("%-12s %10s %-15s %6s %10s %10s %12s\n", "pitfall", "x", "method", "tasks", "median_s", "speedup",
           "per_task_us");
    if (used[0])
        for (size_t i = 0; i < n_task_us; i++) {
            long iterations = (long)((double)task_us[i] * 1000 / ns_per_iteration);
            size_t n = (size_t)(work_ns / (task_us[i] * NS_PER_US));
            if (n > 20000)
                n = 20000;
            if (n < 2)
                n = 2;
            measure(df, "small-tasks", task_us[i], iterations > 0 ? iterations : 1, n, 0, repeat);
        }
    if (used[1])
        for (size_t i = 0; i < n_arg_bytes; i++) {
            size_t n = 100;
            long iterations = (long)((double)work_ns / (double)n / ns_per_iteration);
            measure(df, "big-args", arg_bytes[i], iterations, n, (size_t)arg_bytes[i], repeat);
        }
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
