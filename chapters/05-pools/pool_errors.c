/*
 * pool_errors.c - what a pool does when tasks fail: stop at the first
 * failure, or record each failure and go on; and when a worker process dies
 * in the middle of a task.
 *
 * Task i sleeps --task-time, then returns i * i; the inputs named by --fail
 * fail instead (a task returning an error, Python's raised exception), and
 * those named by --crash kill their own worker process with SIGKILL, as a
 * segfault or the out-of-memory killer would.
 *
 *   build/chapter05/pool_errors --fail 3                  # stop: the rest cancelled
 *   build/chapter05/pool_errors --fail 3,7 --policy continue
 *   build/chapter05/pool_errors --pool processes --crash 4 --policy continue
 *
 * Every result is printed in input order, then what the pool did: tasks
 * done, failed, cancelled; workers started and lost. Exit status 0: the
 * failures are the demonstration, not an error of this program.
 *
 * What to expect: with stop, the failed input is named, the tasks still
 * queued come back cancelled and the pool refuses further work; with
 * continue, every other input is done. A crashed worker is reported with
 * the input it was running and replaced. The two policies stay one option
 * (.on_error, which this program passes through) rather than two files:
 * the pool, not the program, is what changes. Compare with Python's
 * executor.map, which raises the first exception and stops, and with the
 * source documents' handle_errors=True, which records each one.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "interp.h"
#include "options.h"
#include "pool.h"

#define MAX_LIST 64

struct config {
    pool_kind kind;
    int workers, chunk;
    long long tasks, task_ns;
    pool_policy policy;
    long long fail[MAX_LIST], crash[MAX_LIST];
    size_t n_fail, n_crash;
    run_options run; /* of the shared options, only --progress and --help */
};

static bool listed(const long long *list, size_t n, int64_t x);

// snippet-begin: failing-task
static int square_slowly(pool_task *task)
{
    const struct config *cfg = task->context;
    int64_t x;
    memcpy(&x, task->input, sizeof x);
    if (listed(cfg->crash, cfg->n_crash, x))
        kill(getpid(), SIGKILL);                 /* the worker process dies here */
    interp_sleep(task->thread, cfg->task_ns);
    if (listed(cfg->fail, cfg->n_fail, x)) {     /* raise ValueError(...) */
        snprintf(task->error, sizeof task->error, "input %" PRId64 " is not allowed", x);
        return -1;
    }
    x *= x;
    memcpy(task->output, &x, sizeof x);
    task->output_len = sizeof x;
    return 0;
}
// snippet-end: failing-task

/* One map under the chosen policy; every result printed in input order,
 * then what the pool did. */
static void map_and_report(const struct config *cfg, const pool_input *inputs, size_t n)
{
    pool_result *results = calloc(n, sizeof *results);
    if (results == NULL)
        die("calloc");
    // snippet-begin: policy
    pool_options opt = { .kind = cfg->kind, .workers = cfg->workers, .chunk_size = cfg->chunk,
                         .on_error = cfg->policy, .fn = square_slowly, .context = (void *)cfg,
                         .output_max = sizeof(int64_t), .label = "tasks",
                         .force_progress = cfg->run.force_progress };
    int64_t start = now_ns();
    pool *p = pool_create(&opt);
    size_t not_done = pool_map(p, inputs, n, results);
    for (size_t i = 0; i < n; i++) {
        if (results[i].status == POOL_DONE) {
            int64_t value;
            memcpy(&value, results[i].data, sizeof value);
            printf("input %2zu: done      %" PRId64 "\n", i, value);
        } else {
            printf("input %2zu: %-9s %s\n", i, pool_status_names[results[i].status], results[i].error);
        }
    }
    // snippet-end: policy
    pool_stats s = pool_get_stats(p);
    bool stopped = pool_stopped(p);
    pool_destroy(p);
    printf("%zu of %zu not done; %ld done, %ld failed, %ld cancelled; %s\n", not_done, n, s.tasks_done,
           s.tasks_failed, s.tasks_cancelled, stopped ? "the pool stopped" : "the pool went on");
    printf("workers started %ld, lost %ld; %.3f s\n", s.workers_started, s.workers_lost,
           (double)(now_ns() - start) / NS_PER_S);
    pool_results_free(results, n);
    free(results);
}

static void parse_args(int argc, char *argv[], struct config *cfg);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    size_t n = (size_t)cfg.tasks;
    pool_input *inputs = pool_numbered_inputs(n);
    printf("%lld tasks, %d %s, chunk %d, policy %s\n", cfg.tasks, cfg.workers, pool_kind_names[cfg.kind],
           cfg.chunk, pool_policy_names[cfg.policy]);
    fflush(stdout); /* shown before the tasks run, even through a pipe */
    map_and_report(&cfg, inputs, n);
    pool_numbered_inputs_free(inputs);
    return EXIT_SUCCESS;
}

/* Is x in the list (--fail or --crash)? */
static bool listed(const long long *list, size_t n, int64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == x)
            return true;
    return false;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pool_errors [--pool threads|processes] [--workers N] [--tasks N] [--chunk N]\n"
    "                   [--policy stop|continue] [--fail LIST] [--crash LIST] [--task-time D] [--progress]";
static const char help_text[] =
    "Runs a map in which some tasks fail or crash their worker, and prints\n"
    "every result and what the pool did about it.\n"
    "\n"
    "  --pool KIND        threads or processes (default threads)\n"
    "  --workers N        workers (1 to 256; default 2)\n"
    "  --tasks N          tasks (1 to 1000; default 10)\n"
    "  --chunk N          tasks per chunk (1 to 1000; default 1)\n"
    "  --policy P         stop (at the first failure; default) or continue\n"
    "  --fail LIST        inputs whose task fails, as 3 or 3,7 (default none)\n"
    "  --crash LIST       inputs whose task kills its worker process with SIGKILL\n"
    "                     (processes only: in a thread it would kill this program)\n"
    "  --task-time D      how long each task sleeps (default 50ms)\n";

/* The defaults, then the options given, then the checks that take two
 * options together. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "pool", required_argument, NULL, 'p' },
        { "workers", required_argument, NULL, 'w' },
        { "tasks", required_argument, NULL, 't' },
        { "chunk", required_argument, NULL, 'c' },
        { "policy", required_argument, NULL, 'o' },
        { "fail", required_argument, NULL, 'f' },
        { "crash", required_argument, NULL, 'x' },
        { "task-time", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .kind = POOL_THREADS, .workers = 2, .chunk = 1, .tasks = 10,
                            .task_ns = 50 * NS_PER_MS, .policy = POOL_STOP };
    cfg->run.takes = TAKES_PROGRESS;
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'p':
            cfg->kind = (pool_kind)arg_choice("--pool", optarg, pool_kind_names);
            break;
        case 'w':
            cfg->workers = (int)arg_int("--workers", optarg, 1, POOL_MAX_WORKERS);
            break;
        case 't':
            cfg->tasks = arg_int("--tasks", optarg, 1, 1000);
            break;
        case 'c':
            cfg->chunk = (int)arg_int("--chunk", optarg, 1, 1000);
            break;
        case 'o':
            cfg->policy = (pool_policy)arg_choice("--policy", optarg, pool_policy_names);
            break;
        case 'f':
            cfg->n_fail = arg_int_list("--fail", optarg, 0, 999, cfg->fail, MAX_LIST);
            break;
        case 'x':
            cfg->n_crash = arg_int_list("--crash", optarg, 0, 999, cfg->crash, MAX_LIST);
            break;
        case 'T':
            cfg->task_ns = arg_duration_ns("--task-time", optarg, 0, 60 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (cfg->n_crash > 0 && cfg->kind == POOL_THREADS)
        usage_error("--crash needs --pool processes: a thread that kills its process kills this program");
    for (size_t i = 0; i < cfg->n_fail; i++)
        if (cfg->fail[i] >= cfg->tasks)
            usage_error("--fail: input %lld is not below --tasks %lld", cfg->fail[i], cfg->tasks);
    for (size_t i = 0; i < cfg->n_crash; i++)
        if (cfg->crash[i] >= cfg->tasks)
            usage_error("--crash: input %lld is not below --tasks %lld", cfg->crash[i], cfg->tasks);
}
