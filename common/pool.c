/* pool.c - see pool.h: the API, and the books of a map or batch.
 *
 * Both kinds of pool keep the same books in the calling thread: a queue of
 * chunks not yet handed out, and, for the current map or batch, which
 * results have come back. This file keeps them, and runs a task in any
 * worker. How a chunk reaches a worker and how its results come back is the
 * kind's business (pool_internal.h says who does what):
 *
 *   threads    (pool_threads.c) the chunk queue and a list of finished
 *              results are shared, guarded by one mutex with two condition
 *              variables; workers take chunks themselves.
 *   processes  (pool_processes.c) the caller owns the queue; it writes each
 *              chunk into one worker's task pipe and reads results from that
 *              worker's result pipe, waiting on all pipes at once with
 *              poll(). End-of-file on a result pipe means the worker has died
 *              (or been told to stop).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "pool_internal.h"
#include "clock.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *const pool_kind_names[] = { "threads", "processes", NULL };
const char *const pool_policy_names[] = { "stop", "continue", NULL };
const char *const pool_status_names[] = { "done", "failed", "cancelled", NULL };

const char pool_not_run[] = "not run: the pool stopped at a failure";

/* ---- small containers ------------------------------------------------------------ */

void *pool_grow(void *array, size_t *cap, size_t need, size_t item)
{
    if (need <= *cap)
        return array;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *bigger = realloc(array, cap2 * item);
    if (bigger == NULL)
        die("pool: realloc");
    *cap = cap2;
    return bigger;
}

void pool_queue_push(struct chunk_queue *q, struct chunk c, bool front)
{
    if (q->len == q->cap) { /* unroll into a bigger array, head at 0 */
        size_t cap = q->cap ? 2 * q->cap : 64;
        struct chunk *items = malloc(cap * sizeof *items);
        if (items == NULL)
            die("pool: malloc");
        for (size_t i = 0; i < q->len; i++)
            items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items;
        q->head = 0;
        q->cap = cap;
    }
    if (front) {
        q->head = (q->head + q->cap - 1) % q->cap;
        q->items[q->head] = c;
    } else {
        q->items[(q->head + q->len) % q->cap] = c;
    }
    q->len++;
}

struct chunk pool_queue_pop(struct chunk_queue *q)
{
    struct chunk c = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return c;
}

/* ---- running one task (in any worker) ------------------------------------------ */

void pool_run_task(const pool *p, gil_thread *t, int worker, size_t index, const pool_input *in,
                   pool_result *r)
{
    const pool_options *opt = &p->opt;
    *r = (pool_result){ .index = index, .worker = worker };
    if (atomic_load(p->cancel)) {
        r->status = POOL_CANCELLED;
        snprintf(r->error, sizeof r->error, "%s", pool_not_run);
        return;
    }
    pool_task task = { .index = index, .input = in->data, .input_len = in->len,
                       .output = malloc(opt->output_max ? opt->output_max : 1),
                       .output_max = opt->output_max, .thread = t, .context = opt->context };
    if (task.output == NULL)
        die("pool: malloc");
    int64_t start = now_ns();
    int rc = opt->fn(&task);
    r->task_s = (double)(now_ns() - start) / NS_PER_S;
    if (rc == 0) {
        if (task.output_len > opt->output_max)
            die_msg("pool: task %zu wrote %zu bytes, more than output_max %zu", index,
                    task.output_len, opt->output_max);
        r->status = POOL_DONE;
        r->data = task.output;
        r->len = task.output_len;
    } else {
        r->status = POOL_FAILED;
        task.error[POOL_ERROR_MAX - 1] = '\0';
        snprintf(r->error, sizeof r->error, "%s", task.error[0] ? task.error : "failed (no message)");
        free(task.output);
        if (opt->on_error == POOL_STOP)
            atomic_store(p->cancel, 1); /* no worker starts another task */
    }
}

/* ---- where the kinds differ: ask the kind ------------------------------------- */

static void start_workers(pool *p)
{
    if (p->opt.kind == POOL_THREADS)
        pool_threads_start(p);
    else
        pool_processes_start(p);
}

static void enqueue(pool *p, const struct chunk *chunks, size_t n)
{
    if (p->opt.kind == POOL_THREADS)
        pool_threads_enqueue(p, chunks, n);
    else
        pool_processes_enqueue(p, chunks, n);
}

/* Wait until some results have come back, and deliver them. */
static void wait_some(pool *p)
{
    if (p->opt.kind == POOL_THREADS)
        pool_threads_wait(p);
    else
        pool_processes_wait(p);
}

static struct chunk_queue take_queue(pool *p)
{
    if (p->opt.kind == POOL_THREADS)
        return pool_threads_take_queue(p);
    else
        return pool_processes_take_queue(p);
}

static void shut_down_workers(pool *p)
{
    if (p->opt.kind == POOL_THREADS)
        pool_threads_shut_down(p);
    else
        pool_processes_shut_down(p);
}

/* ---- the books, kept by the calling thread ------------------------------------- */

/* The first failure under POOL_STOP (or pool_destroy with tasks still out):
 * no worker starts another task, the chunks still queued come back
 * cancelled, and the tasks already running finish. */
static void begin_stop(pool *p)
{
    p->stopping = true;
    atomic_store(p->cancel, 1); /* running chunks skip the tasks they have left */
    struct chunk_queue queued = take_queue(p);
    while (queued.len > 0) {
        struct chunk c = pool_queue_pop(&queued);
        pool_deliver_cancelled(p, &c, pool_not_run);
    }
    free(queued.items);
}

void pool_deliver(pool *p, pool_result *r)
{
    if (r->index >= p->n_tasks || p->returned[r->index])
        die_msg("pool: internal error: result for task %zu unexpected", r->index);
    p->returned[r->index] = 1;
    p->n_returned++;
    r->done_ns = now_ns();
    switch (r->status) {
    case POOL_DONE:
        p->stats.tasks_done++;
        break;
    case POOL_FAILED:
        p->stats.tasks_failed++;
        break;
    case POOL_CANCELLED:
        p->stats.tasks_cancelled++;
        break;
    }
    if (p->bar_started)
        progress_advance(&p->bar, 1);
    if (p->results) {
        p->results[r->index] = *r;
    } else {
        p->ready = pool_grow(p->ready, &p->ready_cap, p->ready_head + p->ready_len + 1,
                             sizeof *p->ready);
        p->ready[p->ready_head + p->ready_len++] = *r;
    }
    if (r->status == POOL_FAILED && p->opt.on_error == POOL_STOP && !p->stopping)
        begin_stop(p);
}

void pool_deliver_cancelled(pool *p, const struct chunk *c, const char *why)
{
    for (size_t i = 0; i < c->count; i++) {
        pool_result r = { .index = c->first + i, .status = POOL_CANCELLED, .worker = -1 };
        snprintf(r.error, sizeof r.error, "%s", why);
        pool_deliver(p, &r);
    }
}

static void begin_batch(pool *p, size_t n)
{
    if (p->stopped)
        die_msg("pool: used after it stopped at a failure");
    p->n_tasks = n;
    p->n_returned = 0;
    p->returned = pool_grow(p->returned, &p->returned_cap, n ? n : 1, 1);
    memset(p->returned, 0, n);
    p->ready_head = p->ready_len = 0;
    if (p->opt.label) {
        progress_start(&p->bar, p->opt.label, (long)n, p->opt.force_progress);
        p->bar_started = true;
    }
}

static void end_batch(pool *p)
{
    if (p->bar_started) {
        progress_finish(&p->bar);
        p->bar_started = false;
    }
    p->n_tasks = p->n_returned = 0;
    p->results = NULL;
    if (p->stopping && !p->stopped) {
        shut_down_workers(p); /* every worker reaped before the caller hears */
        p->stopped = true;
    }
}

/* ---- the API ------------------------------------------------------------------------- */

pool *pool_create(const pool_options *opt)
{
    if (opt->workers < 1 || opt->workers > POOL_MAX_WORKERS)
        die_msg("pool: %d workers: must be 1 to %d", opt->workers, POOL_MAX_WORKERS);
    if (opt->chunk_size < 0 || opt->chunk_size > POOL_MAX_CHUNK)
        die_msg("pool: chunk size %d: must be 1 to %d", opt->chunk_size, POOL_MAX_CHUNK);
    if (opt->fn == NULL)
        die_msg("pool: no task function");
    /* Aligned, so that the fields struct pool keeps on lines of their own
     * really are (pool_internal.h). */
    size_t size = (sizeof(pool) + POOL_CACHE_LINE - 1) / POOL_CACHE_LINE * POOL_CACHE_LINE;
    pool *p = aligned_alloc(POOL_CACHE_LINE, size);
    if (p == NULL)
        die("pool: aligned_alloc");
    memset(p, 0, size);
    p->opt = *opt;
    if (p->opt.chunk_size == 0)
        p->opt.chunk_size = 1;
    if (p->opt.interval_us == 0)
        p->opt.interval_us = GIL_DEFAULT_INTERVAL_US;
    /* Threads would see an ordinary variable; worker processes see only
     * memory mapped shared before they fork. One mapping serves both. */
    p->cancel = mmap(NULL, sizeof *p->cancel, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
    if (p->cancel == MAP_FAILED)
        die("pool: mmap the cancel flag");
    atomic_init(p->cancel, 0);
    start_workers(p);
    return p;
}

// snippet-begin: map
size_t pool_map(pool *p, const pool_input *inputs, size_t n, pool_result *results)
{
    if (p->n_tasks > 0)
        die_msg("pool: pool_map while submitted tasks are still out");
    begin_batch(p, n);
    p->results = results;
    size_t size = (size_t)p->opt.chunk_size, n_chunks = (n + size - 1) / size;
    struct chunk *chunks = malloc((n_chunks ? n_chunks : 1) * sizeof *chunks);
    if (chunks == NULL)
        die("pool: malloc");
    for (size_t c = 0; c < n_chunks; c++) {   /* tasks [c*size, c*size + count) */
        size_t first = c * size, count = n - first < size ? n - first : size;
        chunks[c] = (struct chunk){ .first = first, .count = count, .inputs = inputs + first };
    }
    enqueue(p, chunks, n_chunks);
    free(chunks);
    while (p->n_returned < n)
        wait_some(p);                      /* results land in results[index] */
    end_batch(p);

    size_t not_done = 0;
    for (size_t i = 0; i < n; i++)
        not_done += results[i].status != POOL_DONE;
    return not_done;
}
// snippet-end: map

size_t pool_submit(pool *p, const void *data, size_t len)
{
    if (p->n_tasks == 0)
        begin_batch(p, 0);
    size_t index = p->n_tasks++;
    p->returned = pool_grow(p->returned, &p->returned_cap, p->n_tasks, 1);
    p->returned[index] = 0;
    if (p->bar_started)
        p->bar.total = (long)p->n_tasks;
    struct chunk c = { .first = index, .count = 1, .single = { data, len } };
    if (p->stopping)
        pool_deliver_cancelled(p, &c, pool_not_run);
    else
        enqueue(p, &c, 1);
    return index;
}

// snippet-begin: as-completed
bool pool_next_completed(pool *p, pool_result *result)
{
    while (p->ready_len == 0 && p->n_returned < p->n_tasks)
        wait_some(p);
    if (p->ready_len == 0) { /* every submitted task has been returned */
        end_batch(p);
        return false;
    }
    *result = p->ready[p->ready_head++];
    p->ready_len--;
    return true;
}
// snippet-end: as-completed

bool pool_stopped(const pool *p)
{
    return p->stopped;
}

pool_stats pool_get_stats(const pool *p)
{
    return p->stats;
}

void pool_destroy(pool *p)
{
    if (p->n_returned < p->n_tasks || p->ready_len > 0) {
        /* Submitted tasks not collected: cancel what has not started, wait
         * for the rest, and drop their results. */
        if (!p->stopping)
            begin_stop(p);
        while (p->n_returned < p->n_tasks)
            wait_some(p);
        for (size_t i = 0; i < p->ready_len; i++)
            free(p->ready[p->ready_head + i].data);
        p->ready_len = 0;
        end_batch(p);
    }
    if (!p->stopped)
        shut_down_workers(p);
    /* Every worker has gone: nobody reads the flag any more. */
    if (munmap(p->cancel, sizeof *p->cancel) == -1)
        die("pool: munmap the cancel flag");
    free(p->queue.items);
    free(p->ready);
    free(p->returned);
    free(p);
}

pool_input *pool_numbered_inputs(size_t n)
{
    /* Two arrays: the numbers, and the inputs pointing at them; inputs[0]
     * points at the start of the numbers, which is how _free finds them. */
    int64_t *numbers = malloc((n ? n : 1) * sizeof *numbers);
    pool_input *inputs = malloc((n ? n : 1) * sizeof *inputs);
    if (numbers == NULL || inputs == NULL)
        die("pool: malloc %zu numbered inputs", n);
    for (size_t i = 0; i < n; i++) {
        numbers[i] = (int64_t)i;
        inputs[i] = (pool_input){ &numbers[i], sizeof numbers[i] };
    }
    if (n == 0)
        inputs[0] = (pool_input){ numbers, 0 };
    return inputs;
}

void pool_numbered_inputs_free(pool_input *inputs)
{
    if (inputs == NULL)
        return;
    free((void *)inputs[0].data);
    free(inputs);
}

void pool_results_free(pool_result *results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(results[i].data);
        results[i].data = NULL;
    }
}
