/*
 * pool_internal.h - what the three files of the pool share. Chapter
 * programs use pool.h; this is for pool*.c alone.
 *
 * The pool is split as Python's concurrent.futures is (_base, thread,
 * process):
 *
 *   pool.c            the API, and the books of a map or batch kept in the
 *                     calling thread: the chunks not yet handed out, which
 *                     results have come back, the error policy
 *   pool_threads.c    the thread pool: workers take chunks from the queue
 *                     themselves, under one mutex
 *   pool_processes.c  the process pool: chunks written into pipes in its
 *                     wire format, results read back with poll(), workers
 *                     that die replaced
 *
 * pool.c decides what happens; where the two kinds differ it asks the kind,
 * with a plain `if (p->opt.kind == POOL_THREADS) ... else ...` calling
 * pool_threads_X or pool_processes_X, so that gdb steps straight into it.
 */
#ifndef WORKBOOK_POOL_INTERNAL_H
#define WORKBOOK_POOL_INTERNAL_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pool.h"
#include "progress.h"

/* The cache line size of the machines the workbook runs on (x86-64, arm64). */
#define POOL_CACHE_LINE 64

/* Tasks [first, first + count) of the batch; their inputs at `inputs`, or,
 * for a submitted task, in `single`. */
struct chunk {
    size_t first, count;
    const pool_input *inputs;
    pool_input single;
};

/* Task i of the chunk's input (inline: a worker asks once per task). */
static inline const pool_input *chunk_input(const struct chunk *c, size_t i)
{
    return c->inputs ? &c->inputs[i] : &c->single;
}

/* A double-ended queue of chunks (a dead worker's chunks go back in front). */
struct chunk_queue {
    struct chunk *items;
    size_t head, len, cap;
};

struct thread_pool;  /* pool_threads.c */
struct process_pool; /* pool_processes.c */

struct pool {
    /* Read by the workers for every task, written only when the pool is made
     * (and the flag at a failure). The calling thread's bookkeeping below,
     * written for every result, starts on a cache line of its own: sharing a
     * line with it, these cost a cache miss per task (0.21 to 0.27 us per
     * task measured in chapter 5's thread pool at chunk size 100). */
    pool_options opt;

    /* The one cancel flag, for either kind: set at the first failure under
     * POOL_STOP, read by every worker before each task. It lives in memory
     * mapped shared before any worker starts, so that worker processes,
     * which get a copy of everything else at fork, see the same flag. */
    atomic_int *cancel;

    /* The kind's own part: the one for opt.kind is set, the other is NULL. */
    struct thread_pool *threads;
    struct process_pool *processes;

    /* The calling thread's: the current map or batch. */
    alignas(POOL_CACHE_LINE) pool_stats stats;
    bool stopping; /* a failure under POOL_STOP: cancel the rest */
    bool stopped;  /* ... and the workers are gone */
    size_t n_tasks, n_returned;
    unsigned char *returned; /* returned[i]: the result of task i came back */
    size_t returned_cap;
    pool_result *results;    /* pool_map: the caller's array; NULL for submit */
    pool_result *ready;      /* submit: results not yet taken, a FIFO */
    size_t ready_head, ready_len, ready_cap;
    progress bar;
    bool bar_started;

    /* The chunks not yet handed to a worker. Threads: the workers take them
     * from here, so it is guarded by the thread pool's mutex (a write per
     * chunk, not per task). Processes: the calling thread's alone; it writes
     * them into the workers' pipes. */
    alignas(POOL_CACHE_LINE) struct chunk_queue queue;
};

/* Why a task did not run when the pool stopped at a failure: its result's
 * error. */
extern const char pool_not_run[];

/* ---- pool.c: for the two kinds ----------------------------------------------- */

/* array, grown (realloc) to hold at least `need` items of `item` bytes. */
void *pool_grow(void *array, size_t *cap, size_t need, size_t item);

void pool_queue_push(struct chunk_queue *q, struct chunk c, bool front);
struct chunk pool_queue_pop(struct chunk_queue *q);

/* Run one task into r, on simulated thread t of worker `worker`; unless the
 * cancel flag is set. Under POOL_STOP a failure sets the flag at once. */
void pool_run_task(const pool *p, gil_thread *t, int worker, size_t index, const pool_input *in,
                   pool_result *r);

/* A result came back (calling thread only): file it, count it, apply the
 * error policy. */
void pool_deliver(pool *p, pool_result *r);

/* Every task of chunk c comes back cancelled, with `why`. */
void pool_deliver_cancelled(pool *p, const struct chunk *c, const char *why);

/* ---- pool_threads.c ------------------------------------------------------------ */

void pool_threads_start(pool *p);
void pool_threads_enqueue(pool *p, const struct chunk *chunks, size_t n);
void pool_threads_wait(pool *p);                       /* deliver some results */
struct chunk_queue pool_threads_take_queue(pool *p);   /* empty the queue, return it */
void pool_threads_shut_down(pool *p);

/* ---- pool_processes.c ---------------------------------------------------------- */

void pool_processes_start(pool *p);
void pool_processes_enqueue(pool *p, const struct chunk *chunks, size_t n);
void pool_processes_wait(pool *p);                     /* deliver some results */
struct chunk_queue pool_processes_take_queue(pool *p); /* empty the queue, return it */
void pool_processes_shut_down(pool *p);

#endif
