/*
 * pool.h - a pool of worker threads or worker processes behind one API, in
 * the manner of Python's concurrent.futures (ThreadPoolExecutor and
 * ProcessPoolExecutor).
 *
 *   pool_options opt = { .kind = POOL_PROCESSES, .workers = 4, .fn = square,
 *                        .chunk_size = 10, .output_max = 8 };
 *   pool *p = pool_create(&opt);
 *
 *   pool_map(p, inputs, n, results);        // results[i] is inputs[i]'s, in order
 *
 *   for (size_t i = 0; i < n; i++)          // or one task at a time ...
 *       pool_submit(p, inputs[i].data, inputs[i].len);
 *   pool_result r;
 *   while (pool_next_completed(p, &r))      // ... results as they finish
 *       ...
 *   pool_destroy(p);
 *
 * Tasks are bytes in and bytes out. A thread pool hands the workers a pointer
 * to the caller's bytes: nothing is copied. A process pool writes the bytes
 * into a pipe and the worker reads them back: the cost of what Python calls
 * pickling is there to measure (pool_get_stats counts the bytes).
 *
 * Chunking: pool_map sends `chunk_size` consecutive tasks to a worker at a
 * time, and the worker sends their results back together; one message (and,
 * for processes, one pair of system calls and wake-ups) per chunk instead of
 * per task. pool_submit sends each task alone, as Python's submit does.
 *
 * Errors: a task function returns 0, or -1 with a message in task->error.
 * With POOL_STOP (the default) the first failure cancels every task not yet
 * started, lets the running ones finish, stops and reaps every worker, and
 * the failed result names its input and why. With POOL_CONTINUE each failure
 * is recorded in its result and the others go on.
 *
 * A worker process that dies (a crash, SIGKILL) is noticed at once (its
 * result pipe reaches end-of-file) and reaped. The task it was running fails
 * with "worker process PID killed by signal N", the tasks it had not started
 * go back to the queue, and a fresh worker takes its place. The error policy
 * then decides, as for any failure. The tasks of that chunk the dead worker
 * had already finished are run again (their results travel with the chunk).
 * A thread that crashes takes the whole process with it: threads share fate.
 *
 * The simulated GIL: the workers of a thread pool are simulated Python
 * threads sharing one GIL (opt.gil); each task runs holding it, and a task
 * that blocks releases it (interp_sleep, or gil_drop/gil_take around a
 * call). The workers of a process pool have one GIL each, as separate
 * interpreters do, so they never contend for it.
 *
 * One map or batch of submitted tasks at a time. Not thread-safe: call it
 * from one thread.
 */
#ifndef WORKBOOK_POOL_H
#define WORKBOOK_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gil.h"

#define POOL_ERROR_MAX 160
#define POOL_MAX_WORKERS 256
#define POOL_MAX_CHUNK 100000

typedef enum { POOL_THREADS, POOL_PROCESSES } pool_kind;
extern const char *const pool_kind_names[]; /* "threads", "processes", NULL */

typedef enum { POOL_STOP, POOL_CONTINUE } pool_policy;
extern const char *const pool_policy_names[]; /* "stop", "continue", NULL */

/* What a task function gets: its input, and room for its result. */
typedef struct {
    size_t index;              /* which input (0 for the first of a map or batch) */
    const void *input;
    size_t input_len;
    void *output;              /* write up to output_max bytes here ... */
    size_t output_max;
    size_t output_len;         /* ... and say how many */
    char error[POOL_ERROR_MAX];/* on failure: why */
    gil_thread *thread;        /* the simulated Python thread running the task */
    void *context;             /* pool_options.context: shared by threads; each
                                  worker process has its own copy, as of fork */
} pool_task;

/* Returns 0 on success, -1 on failure (with task->error filled in). */
typedef int (*pool_fn)(pool_task *task);

typedef struct {
    pool_kind kind;
    int workers;          /* 1 to POOL_MAX_WORKERS */
    int chunk_size;       /* tasks per message in pool_map; 0 means 1 */
    pool_policy on_error; /* POOL_STOP (default) or POOL_CONTINUE */
    pool_fn fn;
    void *context;
    size_t output_max;    /* the largest result a task writes, in bytes */
    gil_mode gil;         /* threads: the GIL they share (default new) */
    long interval_us;     /* its switch interval; 0 means 5 ms */
    const char *label;    /* progress bar label; NULL: no bar */
    bool force_progress;  /* show the bar even when stderr is not a terminal */
} pool_options;

/* One task's input for pool_map: `len` bytes at `data`, which must stay
 * valid until its result is returned. */
typedef struct {
    const void *data;
    size_t len;
} pool_input;

/* The usual inputs: n tasks numbered 0 to n-1, each input an int64_t.
 * Free them with pool_numbered_inputs_free() once the results are in. */
pool_input *pool_numbered_inputs(size_t n);
void pool_numbered_inputs_free(pool_input *inputs);

typedef enum { POOL_DONE, POOL_FAILED, POOL_CANCELLED } pool_status;
extern const char *const pool_status_names[]; /* "done", "failed", "cancelled" */

typedef struct {
    size_t index;         /* which input */
    pool_status status;
    void *data;           /* the result's bytes (malloc'd; pool_results_free) */
    size_t len;
    char error[POOL_ERROR_MAX]; /* FAILED: why; CANCELLED: why not run */
    int worker;           /* which worker ran it, 0 to workers-1; -1: none */
    double task_s;        /* time inside the task function, measured by the worker */
    int64_t done_ns;      /* now_ns() when the pool received the result */
} pool_result;

typedef struct {
    long tasks_done, tasks_failed, tasks_cancelled;
    long workers_started;  /* including replacements */
    long workers_lost;     /* worker processes that died */
    long long messages_sent, messages_received;
    long long bytes_sent, bytes_received;  /* processes: through the pipes */
} pool_stats;

typedef struct pool pool;

/* Start the workers. Dies (exit 1) if a thread or process cannot start. */
pool *pool_create(const pool_options *opt);

/* Run fn on every input; results[i] belongs to inputs[i]. Returns how many
 * results are not POOL_DONE (0: all succeeded). */
size_t pool_map(pool *p, const pool_input *inputs, size_t n, pool_result *results);

/* Queue one task on its own; returns its index (0, 1, 2 ... per batch). */
size_t pool_submit(pool *p, const void *data, size_t len);

/* Wait for the next submitted task to finish, in completion order. Returns
 * false when every submitted task has been returned (the batch is over). */
bool pool_next_completed(pool *p, pool_result *result);

/* True once the pool has stopped at a failure (POOL_STOP): its workers are
 * gone and it takes no more tasks. */
bool pool_stopped(const pool *p);

pool_stats pool_get_stats(const pool *p);

/* Stop the workers (after the tasks still queued: cancelled) and reap them. */
void pool_destroy(pool *p);

void pool_results_free(pool_result *results, size_t n);

#endif
