/*
 * pool_check.c - drives the pool (common/pool.h) from the bats tests (tests/pool.bats).
 * Each subcommand runs tasks through a pool and prints what came back, one
 * line per result, for the test to check; then "children N" (worker
 * processes not reaped) and "threads N" (threads left in this process).
 *
 *   pool_check map KIND WORKERS CHUNK N          map; task i sleeps (N - i) * 200 us
 *                                                and returns i * i + 1
 *   pool_check submit KIND WORKERS N             the same, submitted; printed
 *                                                in completion order
 *   pool_check slow-first KIND WORKERS N         submit; task 0 sleeps 1 s, the
 *                                                others not at all
 *   pool_check fail KIND WORKERS CHUNK N I POLICY    map; task I fails
 *   pool_check crash KIND WORKERS CHUNK N I POLICY   map; task I kills its own
 *                                                worker process with SIGKILL
 *   pool_check big KIND WORKERS CHUNK N BYTES    map; inputs of BYTES bytes each,
 *                                                returned reversed; checked here
 *
 * Lines: "INDEX STATUS VALUE-OR-ERROR", then the summary lines.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "interp.h"
#include "pool.h"

static const char usage_line[] = "pool_check map|submit|slow-first|fail|crash|big ARGS...";

struct plan {
    size_t n;
    long long special; /* the task that fails or crashes, or -1 */
    enum { NORMAL, FAIL, CRASH, SLOW_FIRST, BIG } kind;
};

static int task_fn(pool_task *task)
{
    const struct plan *plan = task->context;
    if (plan->kind == BIG) { /* echo the input reversed */
        const unsigned char *in = task->input;
        unsigned char *out = task->output;
        for (size_t i = 0; i < task->input_len; i++)
            out[i] = in[task->input_len - 1 - i];
        task->output_len = task->input_len;
        return 0;
    }
    int64_t i;
    memcpy(&i, task->input, sizeof i);
    int64_t delay = plan->kind == SLOW_FIRST ? (i == 0 ? NS_PER_S : 0)
                                              : (int64_t)(plan->n - (size_t)i) * 200 * NS_PER_US;
    if (i == plan->special && plan->kind == CRASH)
        kill(getpid(), SIGKILL);
    interp_sleep(task->thread, delay);
    if (i == plan->special && plan->kind == FAIL) {
        snprintf(task->error, sizeof task->error, "task %" PRId64 " failed on purpose", i);
        return -1;
    }
    int64_t r = i * i + 1;
    memcpy(task->output, &r, sizeof r);
    task->output_len = sizeof r;
    return 0;
}

static void print_result(const pool_result *r)
{
    if (r->status == POOL_DONE) {
        int64_t v;
        memcpy(&v, r->data, sizeof v);
        printf("%zu done %" PRId64 "\n", r->index, v);
    } else {
        printf("%zu %s %s\n", r->index, pool_status_names[r->status], r->error);
    }
}

/* The threads of this process as the kernel lists them now. */
static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        die("opendir /proc/self/task");
    int threads = 0;
    errno = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        threads += e->d_name[0] != '.';
    if (errno != 0)
        die("readdir /proc/self/task");
    if (closedir(d) != 0)
        die("closedir /proc/self/task");
    return threads;
}

/* pthread_join returns when the kernel clears the thread's ID (exit_mm), a
 * moment before the exiting thread leaves its thread group (exit_notify):
 * a joined thread can still be listed in /proc/self/task for that moment.
 * So a count above one is read again for up to two seconds; a thread left
 * running, never joined, is still there at the end and is counted. */
static int threads_left(void)
{
    int threads = count_threads();
    for (int64_t deadline = now_ns() + 2 * NS_PER_S; threads > 1 && now_ns() < deadline;) {
        sleep_ns(1000000);
        threads = count_threads();
    }
    return threads;
}

static void print_leftovers(const pool_stats *s)
{
    int children = 0;
    while (waitpid(-1, NULL, WNOHANG) > 0) /* a child nobody reaped */
        children++;
    if (errno != ECHILD)
        children++; /* some child is still running */
    int threads = threads_left();
    printf("children %d\nthreads %d\n", children, threads);
    printf("done %ld failed %ld cancelled %ld started %ld lost %ld\n", s->tasks_done,
           s->tasks_failed, s->tasks_cancelled, s->workers_started, s->workers_lost);
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, "");
    if (argc < 2)
        usage_error("which check?");
    const char *what = argv[1];
    struct plan plan = { .special = -1 };
    pool_options opt = { .fn = task_fn, .context = &plan, .output_max = sizeof(int64_t) };
    bool submit = false;
    long long bytes = 0;
    int a = 2;
    if (argc < 5)
        usage_error("too few arguments");
    opt.kind = (pool_kind)arg_choice("KIND", argv[a++], pool_kind_names);
    opt.workers = (int)arg_int("WORKERS", argv[a++], 1, POOL_MAX_WORKERS);
    if (strcmp(what, "map") == 0 && argc == 6) {
        opt.chunk_size = (int)arg_int("CHUNK", argv[a++], 1, POOL_MAX_CHUNK);
    } else if ((strcmp(what, "submit") == 0 || strcmp(what, "slow-first") == 0) && argc == 5) {
        submit = true;
        plan.kind = what[0] == 's' && what[1] == 'l' ? SLOW_FIRST : NORMAL;
    } else if ((strcmp(what, "fail") == 0 || strcmp(what, "crash") == 0) && argc == 8) {
        opt.chunk_size = (int)arg_int("CHUNK", argv[a++], 1, POOL_MAX_CHUNK);
        plan.kind = what[0] == 'f' ? FAIL : CRASH;
    } else if (strcmp(what, "big") == 0 && argc == 7) {
        opt.chunk_size = (int)arg_int("CHUNK", argv[a++], 1, POOL_MAX_CHUNK);
        plan.kind = BIG;
    } else {
        usage_error("unknown check or wrong number of arguments: %s", what);
    }
    plan.n = (size_t)arg_int("N", argv[a++], 0, 1000000);
    if (plan.kind == FAIL || plan.kind == CRASH) {
        plan.special = arg_int("I", argv[a++], 0, (long long)plan.n);
        opt.on_error = (pool_policy)arg_choice("POLICY", argv[a++], pool_policy_names);
    }
    if (plan.kind == BIG) {
        bytes = arg_int("BYTES", argv[a++], 1, 64 << 20);
        opt.output_max = (size_t)bytes;
    }

    /* BIG: inputs of BYTES bytes each; the others: the numbers 0 to n-1. */
    pool_input *inputs = plan.kind == BIG ? malloc((plan.n ? plan.n : 1) * sizeof *inputs)
                                          : pool_numbered_inputs(plan.n);
    pool_result *results = calloc(plan.n ? plan.n : 1, sizeof *results);
    unsigned char *big = plan.kind == BIG ? malloc(plan.n * (size_t)bytes) : NULL;
    if (inputs == NULL || results == NULL || (plan.kind == BIG && big == NULL))
        die("malloc");
    for (size_t i = 0; i < plan.n; i++) {
        if (big) {
            unsigned char *b = big + i * (size_t)bytes;
            for (long long j = 0; j < bytes; j++)
                b[j] = (unsigned char)(i * 131 + (size_t)j * 7 + (size_t)(j >> 8));
            inputs[i] = (pool_input){ b, (size_t)bytes };
        }
    }

    pool *p = pool_create(&opt);
    if (submit) {
        for (size_t i = 0; i < plan.n; i++)
            pool_submit(p, inputs[i].data, inputs[i].len);
        pool_result r;
        while (pool_next_completed(p, &r)) {
            print_result(&r);
            free(r.data);
        }
    } else if (plan.kind == BIG) {
        pool_map(p, inputs, plan.n, results);
        size_t good = 0;
        for (size_t i = 0; i < plan.n; i++) {
            const unsigned char *in = inputs[i].data, *out = results[i].data;
            bool same = results[i].status == POOL_DONE && results[i].len == (size_t)bytes;
            for (long long j = 0; same && j < bytes; j++)
                same = out[j] == in[bytes - 1 - j];
            good += same;
            if (!same)
                printf("%zu wrong\n", i);
        }
        printf("intact %zu of %zu\n", good, plan.n);
    } else {
        size_t not_done = pool_map(p, inputs, plan.n, results);
        for (size_t i = 0; i < plan.n; i++)
            print_result(&results[i]);
        printf("not-done %zu\n", not_done);
        printf("stopped %s\n", pool_stopped(p) ? "yes" : "no");
    }
    pool_stats stats = pool_get_stats(p);
    pool_destroy(p);
    pool_results_free(results, plan.n);
    print_leftovers(&stats);
    free(big);
    if (plan.kind == BIG)
        free(inputs);
    else
        pool_numbered_inputs_free(inputs);
    free(results);
    return 0;
}
