/* pool_threads.c - the thread pool (pool.h; its place in pool_internal.h).
 *
 * The workers and the calling thread share the pool's queue of chunks and a
 * list of finished results, guarded by one mutex with two condition
 * variables: "there is work" and "there are results". Workers take chunks
 * themselves; the calling thread adds chunks and collects results. A task's
 * input is the caller's own bytes, passed by pointer: nothing is copied.
 *
 * The workers are simulated Python threads sharing one GIL: a task runs
 * holding it, and waiting for the pool's lock is a blocking call that lets
 * go of it first.
 */
#define _POSIX_C_SOURCE 200809L
#include "pool_internal.h"
#include "error.h"
#include "interp.h"
#include "locking.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct thread_worker {
    pool *pool;
    pthread_t id;
    gil_thread thread;
};

struct thread_pool {
    /* `mutex` guards the pool's `queue`, and `finished` and `closing` here. */
    pthread_mutex_t mutex;
    pthread_cond_t work_cond;     /* the queue has chunks, or closing is set */
    pthread_cond_t finished_cond; /* `finished` has results */
    pool_result *finished;        /* results the calling thread has not yet taken */
    size_t finished_len, finished_cap;
    bool closing;                 /* no more chunks will come: a worker with none exits */
    gil gil;                      /* the one GIL the workers share */
    struct thread_worker *workers;
};

// snippet-begin: thread-worker
/* A worker thread: take a chunk, run it holding the GIL, hand back the
 * results. Waiting on the pool's lock is a blocking call: the GIL is let go
 * first, as Python's queue.get() does, and never held while waiting. */
static void *thread_worker_main(void *arg)
{
    struct thread_worker *w = arg;
    pool *p = w->pool;
    struct thread_pool *threads = p->threads;
    int me = w->thread.id;
    pool_result *results = malloc((size_t)p->opt.chunk_size * sizeof *results);
    if (results == NULL)
        die("pool: malloc");
    interp_begin(&w->thread);
    for (;;) {
        gil_drop(&w->thread, RELEASE_BLOCKING);
        lock(&threads->mutex);
        while (p->queue.len == 0 && !threads->closing)
            wait_on(&threads->work_cond, &threads->mutex);
        if (p->queue.len == 0) { /* closing, and nothing left to do */
            unlock(&threads->mutex);
            break;
        }
        struct chunk c = pool_queue_pop(&p->queue);
        unlock(&threads->mutex);
        gil_take(&w->thread);

        for (size_t i = 0; i < c.count; i++)
            pool_run_task(p, &w->thread, me, c.first + i, chunk_input(&c, i), &results[i]);

        gil_drop(&w->thread, RELEASE_BLOCKING);
        lock(&threads->mutex);
        threads->finished = pool_grow(threads->finished, &threads->finished_cap,
                                      threads->finished_len + c.count, sizeof *threads->finished);
        memcpy(threads->finished + threads->finished_len, results, c.count * sizeof *results);
        threads->finished_len += c.count;
        signal_all(&threads->finished_cond);
        unlock(&threads->mutex);
        gil_take(&w->thread);
    }
    gil_take(&w->thread);
    interp_end(&w->thread);
    free(results);
    return NULL;
}
// snippet-end: thread-worker

void pool_threads_start(pool *p)
{
    struct thread_pool *threads = calloc(1, sizeof *threads);
    if (threads == NULL)
        die("pool: calloc");
    p->threads = threads;
    int rc = pthread_mutex_init(&threads->mutex, NULL);
    if (rc != 0)
        die_rc(rc, "pool: pthread_mutex_init");
    rc = pthread_cond_init(&threads->work_cond, NULL);
    if (rc != 0)
        die_rc(rc, "pool: pthread_cond_init work_cond");
    rc = pthread_cond_init(&threads->finished_cond, NULL);
    if (rc != 0)
        die_rc(rc, "pool: pthread_cond_init finished_cond");
    gil_init(&threads->gil, p->opt.gil, p->opt.interval_us);
    threads->workers = calloc((size_t)p->opt.workers, sizeof *threads->workers);
    if (threads->workers == NULL)
        die("pool: calloc");
    for (int i = 0; i < p->opt.workers; i++) {
        struct thread_worker *w = &threads->workers[i];
        w->pool = p;
        gil_thread_init(&w->thread, &threads->gil, i, 0);
        rc = pthread_create(&w->id, NULL, thread_worker_main, w);
        if (rc != 0)
            die_rc(rc, "pool: pthread_create worker %d", i);
        p->stats.workers_started++;
    }
}

void pool_threads_enqueue(pool *p, const struct chunk *chunks, size_t n)
{
    struct thread_pool *threads = p->threads;
    lock(&threads->mutex);
    for (size_t i = 0; i < n; i++)
        pool_queue_push(&p->queue, chunks[i], false);
    p->stats.messages_sent += (long long)n;
    signal_all(&threads->work_cond);
    unlock(&threads->mutex);
}

void pool_threads_wait(pool *p)
{
    struct thread_pool *threads = p->threads;
    lock(&threads->mutex);
    while (threads->finished_len == 0)
        wait_on(&threads->finished_cond, &threads->mutex);
    /* Copy them out, so that pool_deliver runs without the lock held. */
    size_t n = threads->finished_len;
    pool_result *batch = malloc(n * sizeof *batch);
    if (batch == NULL)
        die("pool: malloc");
    memcpy(batch, threads->finished, n * sizeof *batch);
    threads->finished_len = 0;
    unlock(&threads->mutex);
    for (size_t i = 0; i < n; i++)
        pool_deliver(p, &batch[i]);
    free(batch);
}

struct chunk_queue pool_threads_take_queue(pool *p)
{
    struct thread_pool *threads = p->threads;
    lock(&threads->mutex); /* the workers take chunks from it meanwhile */
    struct chunk_queue queued = p->queue;
    p->queue = (struct chunk_queue){ 0 };
    unlock(&threads->mutex);
    return queued;
}

/* Tell the workers no more chunks will come; each finishes the queue and
 * exits; join them, and free the thread pool's part. */
void pool_threads_shut_down(pool *p)
{
    struct thread_pool *threads = p->threads;
    lock(&threads->mutex);
    threads->closing = true;
    signal_all(&threads->work_cond);
    unlock(&threads->mutex);
    for (int i = 0; i < p->opt.workers; i++) {
        int rc = pthread_join(threads->workers[i].id, NULL);
        if (rc != 0)
            die_rc(rc, "pool: pthread_join worker %d", i);
        gil_thread_free(&threads->workers[i].thread);
    }
    gil_destroy(&threads->gil);
    int rc = pthread_cond_destroy(&threads->work_cond);
    if (rc != 0)
        die_rc(rc, "pool: pthread_cond_destroy work_cond");
    rc = pthread_cond_destroy(&threads->finished_cond);
    if (rc != 0)
        die_rc(rc, "pool: pthread_cond_destroy finished_cond");
    rc = pthread_mutex_destroy(&threads->mutex);
    if (rc != 0)
        die_rc(rc, "pool: pthread_mutex_destroy");
    free(threads->workers);
    free(threads->finished);
    free(threads);
    p->threads = NULL;
}
