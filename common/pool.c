/* pool.c - see pool.h.
 *
 * Both kinds of pool keep the same books in the calling thread: a queue of
 * chunks not yet handed out, and for the current map or batch, which results
 * have come back. They differ in how a chunk reaches a worker and how its
 * results come back:
 *
 *   threads    the chunk queue and a list of finished results are shared,
 *              guarded by one mutex with two condition variables; workers
 *              take chunks themselves.
 *   processes  the caller owns the queue; it writes each chunk into one
 *              worker's task pipe and reads results from that worker's
 *              result pipe, waiting on all pipes at once with poll(). A few
 *              chunks per worker at a time. End-of-file on a result pipe
 *              means the worker has died (or been told to stop).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "pool.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "interp.h"
#include "io.h"
#include "progress.h"
#include "locking.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A worker process may have this many chunks sent to it at once: one it is
 * running, the others waiting in its pipe, so that it does not sit idle
 * while the pool reacts to its last results. Only when its chunks are short
 * (the last took under PREFETCH_BELOW_S): a round trip through the pool
 * (tens of microseconds) then matters. When they are long it does not, and a
 * chunk sent early could wait behind a long one while another worker has
 * nothing to do. And only while more chunks wait than there are workers. */
#define POOL_PREFETCH 4
#define PREFETCH_BELOW_S 0.001

const char *const pool_kind_names[] = { "threads", "processes", NULL };
const char *const pool_policy_names[] = { "stop", "continue", NULL };
const char *const pool_status_names[] = { "done", "failed", "cancelled", NULL };

/* Tasks [first, first + count) of the batch; their inputs at `inputs`, or,
 * for a submitted task, in `single`. */
struct chunk {
    size_t first, count;
    const pool_input *inputs;
    pool_input single;
};

static const pool_input *chunk_input(const struct chunk *c, size_t i)
{
    return c->inputs ? &c->inputs[i] : &c->single;
}

/* A double-ended queue of chunks (a failed worker's chunk goes back in front). */
struct chunk_queue {
    struct chunk *items;
    size_t head, len, cap;
};

/* Bytes on their way through a pipe. */
struct buffer {
    char *data;
    size_t pos, len, cap; /* unread bytes are data[pos .. len) */
};

struct thread_worker {
    pool *pool;
    pthread_t id;
    gil_thread thread;
};

struct process_worker {
    pid_t pid;              /* 0: no worker in this slot */
    int cleanup_slot;
    int task_fd, result_fd; /* our ends of its two pipes, or -1 */
    struct chunk sent[POOL_PREFETCH]; /* chunks sent, results not yet back: a FIFO */
    int n_sent;
    double last_chunk_s;    /* the task time of its last chunk; -1: none yet */
    struct buffer out, in;
};

/* Shared with the worker processes (an anonymous shared mapping made before
 * they fork): the cancel flag, and which task each worker is running. */
struct shared_state {
    atomic_int cancel;
    atomic_llong running[]; /* task index, or -1 between tasks */
};

struct pool {
    pool_options opt;
    pool_stats stats;
    bool stopping; /* a failure under POOL_STOP: cancel the rest */
    bool stopped;  /* ... and the workers are gone */

    /* the current map or batch */
    size_t n_tasks, n_returned;
    unsigned char *returned; /* returned[i]: the result of task i came back */
    size_t returned_cap;
    pool_result *results;    /* pool_map: the caller's array; NULL for submit */
    pool_result *ready;      /* submit: results not yet taken, a FIFO */
    size_t ready_head, ready_len, ready_cap;
    progress bar;
    bool bar_started;

    /* threads: `queue`, `finished`, `closing` are guarded by `mutex` */
    pthread_mutex_t mutex;
    pthread_cond_t work_cond, finished_cond;
    struct chunk_queue queue;
    pool_result *finished;
    size_t finished_len, finished_cap;
    bool closing;
    atomic_int cancel;
    gil gil;
    struct thread_worker *threads;

    /* processes */
    struct process_worker *procs;
    struct shared_state *shared;
    size_t shared_size;
    struct sigaction old_sigpipe;
    pool *next_live; /* every process pool alive in this program */
};

/* A new worker process must close the pipes of every other worker, of this
 * pool and of any other: a write end left open in some other process would
 * keep that worker from ever reading end-of-file. */
static pool *live_process_pools;

/* ---- small containers ------------------------------------------------------------ */

static void *grow(void *array, size_t *cap, size_t need, size_t item)
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

static void queue_push(struct chunk_queue *q, struct chunk c, bool front)
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

static struct chunk queue_pop(struct chunk_queue *q)
{
    struct chunk c = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return c;
}

static void buffer_add(struct buffer *b, const void *bytes, size_t n)
{
    if (b->pos > 0 && b->pos == b->len)
        b->pos = b->len = 0;
    b->data = grow(b->data, &b->cap, b->len + n, 1);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

/* ---- messages: a header, then `count` entries of a fixed part and bytes -------- */

struct message_header {
    uint32_t count;
    uint32_t unused;
    uint64_t body_bytes;
};

struct task_entry {
    uint64_t index;
    uint64_t len;
};

struct result_entry {
    uint64_t index;
    int32_t status;
    int32_t unused;
    double task_s;
    uint64_t len;
};

/* ---- running one task (in any worker) ------------------------------------------ */

/* Run one task into r; unless *cancel is set. Under POOL_STOP a failure
 * sets *cancel at once, so that no worker starts another task. */
static void run_task(const pool_options *opt, gil_thread *t, int worker, size_t index,
                     const pool_input *in, atomic_int *cancel, pool_result *r)
{
    *r = (pool_result){ .index = index, .worker = worker };
    if (atomic_load(cancel)) {
        r->status = POOL_CANCELLED;
        snprintf(r->error, sizeof r->error, "not run: the pool stopped at a failure");
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
            atomic_store(cancel, 1);
    }
}

/* ---- the books, kept by the calling thread ------------------------------------- */

static void begin_stop(pool *p);

/* A result came back: file it, count it, apply the error policy. */
static void deliver(pool *p, pool_result *r)
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
        p->ready = grow(p->ready, &p->ready_cap, p->ready_head + p->ready_len + 1, sizeof *p->ready);
        p->ready[p->ready_head + p->ready_len++] = *r;
    }
    if (r->status == POOL_FAILED && p->opt.on_error == POOL_STOP && !p->stopping)
        begin_stop(p);
}

/* Every task of chunk `c` comes back cancelled, with `why`. */
static void deliver_cancelled(pool *p, const struct chunk *c, const char *why)
{
    for (size_t i = 0; i < c->count; i++) {
        pool_result r = { .index = c->first + i, .status = POOL_CANCELLED, .worker = -1 };
        snprintf(r.error, sizeof r.error, "%s", why);
        deliver(p, &r);
    }
}

static void begin_batch(pool *p, size_t n)
{
    if (p->stopped)
        die_msg("pool: used after it stopped at a failure");
    p->n_tasks = n;
    p->n_returned = 0;
    p->returned = grow(p->returned, &p->returned_cap, n ? n : 1, 1);
    memset(p->returned, 0, n);
    p->ready_head = p->ready_len = 0;
    if (p->opt.label) {
        progress_start(&p->bar, p->opt.label, (long)n, p->opt.force_progress);
        p->bar_started = true;
    }
}

static void shut_down_workers(pool *p);

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

/* ---- threads ------------------------------------------------------------------------ */

// snippet-begin: thread-worker
/* A worker thread: take a chunk, run it holding the GIL, hand back the
 * results. Waiting on the pool's lock is a blocking call: the GIL is let go
 * first, as Python's queue.get() does, and never held while waiting. */
static void *thread_worker_main(void *arg)
{
    struct thread_worker *w = arg;
    pool *p = w->pool;
    int me = w->thread.id;
    pool_result *results = malloc((size_t)p->opt.chunk_size * sizeof *results);
    if (results == NULL)
        die("pool: malloc");
    interp_begin(&w->thread);
    for (;;) {
        gil_drop(&w->thread, RELEASE_BLOCKING);
        lock(&p->mutex);
        while (p->queue.len == 0 && !p->closing)
            wait_on(&p->work_cond, &p->mutex);
        if (p->queue.len == 0) { /* closing, and nothing left to do */
            unlock(&p->mutex);
            break;
        }
        struct chunk c = queue_pop(&p->queue);
        unlock(&p->mutex);
        gil_take(&w->thread);

        for (size_t i = 0; i < c.count; i++)
            run_task(&p->opt, &w->thread, me, c.first + i, chunk_input(&c, i),
                     &p->cancel, &results[i]);

        gil_drop(&w->thread, RELEASE_BLOCKING);
        lock(&p->mutex);
        p->finished = grow(p->finished, &p->finished_cap, p->finished_len + c.count,
                           sizeof *p->finished);
        memcpy(p->finished + p->finished_len, results, c.count * sizeof *results);
        p->finished_len += c.count;
        signal_all(&p->finished_cond);
        unlock(&p->mutex);
        gil_take(&w->thread);
    }
    gil_take(&w->thread);
    interp_end(&w->thread);
    free(results);
    return NULL;
}
// snippet-end: thread-worker

static void threads_start(pool *p)
{
    int rc;
    if ((rc = pthread_mutex_init(&p->mutex, NULL)) != 0)
        die_rc(rc, "pthread_mutex_init");
    if ((rc = pthread_cond_init(&p->work_cond, NULL)) != 0 ||
        (rc = pthread_cond_init(&p->finished_cond, NULL)) != 0)
        die_rc(rc, "pthread_cond_init");
    gil_init(&p->gil, p->opt.gil, p->opt.interval_us);
    p->threads = calloc((size_t)p->opt.workers, sizeof *p->threads);
    if (p->threads == NULL)
        die("pool: calloc");
    for (int i = 0; i < p->opt.workers; i++) {
        struct thread_worker *w = &p->threads[i];
        w->pool = p;
        gil_thread_init(&w->thread, &p->gil, i, 0);
        if ((rc = pthread_create(&w->id, NULL, thread_worker_main, w)) != 0)
            die_rc(rc, "pool: pthread_create worker %d", i);
        p->stats.workers_started++;
    }
}

static void threads_enqueue(pool *p, const struct chunk *chunks, size_t n)
{
    lock(&p->mutex);
    for (size_t i = 0; i < n; i++)
        queue_push(&p->queue, chunks[i], false);
    p->stats.messages_sent += (long long)n;
    signal_all(&p->work_cond);
    unlock(&p->mutex);
}

/* Wait until some results have come back, and deliver them. */
static void threads_wait(pool *p)
{
    lock(&p->mutex);
    while (p->finished_len == 0)
        wait_on(&p->finished_cond, &p->mutex);
    size_t n = p->finished_len;
    pool_result *batch = malloc(n * sizeof *batch);
    if (batch == NULL)
        die("pool: malloc");
    memcpy(batch, p->finished, n * sizeof *batch);
    p->finished_len = 0;
    unlock(&p->mutex);
    for (size_t i = 0; i < n; i++)
        deliver(p, &batch[i]);
    free(batch);
}

static void threads_cancel(pool *p)
{
    atomic_store(&p->cancel, 1); /* running chunks skip the tasks they have left */
    lock(&p->mutex);
    struct chunk_queue drained = p->queue;
    p->queue = (struct chunk_queue){ 0 };
    unlock(&p->mutex);
    while (drained.len > 0) {
        struct chunk c = queue_pop(&drained);
        deliver_cancelled(p, &c, "not run: the pool stopped at a failure");
    }
    free(drained.items);
}

static void threads_shut_down(pool *p)
{
    lock(&p->mutex);
    p->closing = true;
    signal_all(&p->work_cond);
    unlock(&p->mutex);
    for (int i = 0; i < p->opt.workers; i++) {
        int rc = pthread_join(p->threads[i].id, NULL);
        if (rc != 0)
            die_rc(rc, "pool: pthread_join worker %d", i);
        gil_thread_free(&p->threads[i].thread);
    }
    free(p->threads);
    p->threads = NULL;
    gil_destroy(&p->gil);
    pthread_cond_destroy(&p->work_cond);
    pthread_cond_destroy(&p->finished_cond);
    pthread_mutex_destroy(&p->mutex);
}

/* ---- processes: the worker's side --------------------------------------------------- */

/* Read exactly n bytes; false at end-of-file before the first byte. */
static bool read_message(int fd, void *buf, size_t n)
{
    size_t got = read_all(fd, buf, n);
    if (got > 0 && got < n)
        die_msg("pool worker: the task pipe ended inside a message");
    return got == n;
}

// snippet-begin: process-worker
/* A worker process: read a chunk of tasks from the task pipe, run them, and
 * write their results back in one message; until the task pipe ends. */
static void process_worker_main(pool *p, int me, int task_fd, int result_fd)
{
    gil g; /* a process is a whole interpreter: its own GIL, uncontended */
    gil_thread t;
    gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
    interp_begin(&t);
    struct buffer in = { 0 }, out = { 0 };
    struct message_header h;
    while (read_message(task_fd, &h, sizeof h)) {
        in.data = grow(in.data, &in.cap, h.body_bytes, 1);
        read_message(task_fd, in.data, h.body_bytes);
        out.pos = out.len = 0;
        struct message_header reply = { .count = h.count };
        buffer_add(&out, &reply, sizeof reply);
        size_t at = 0;
        for (uint32_t i = 0; i < h.count; i++) {
            struct task_entry e;
            memcpy(&e, in.data + at, sizeof e);
            pool_input input = { .data = in.data + at + sizeof e, .len = e.len };
            at += sizeof e + e.len;

            pool_result r;
            atomic_store(&p->shared->running[me], (long long)e.index);
            run_task(&p->opt, &t, me, e.index, &input, &p->shared->cancel, &r);
            atomic_store(&p->shared->running[me], -1);

            const void *bytes = r.status == POOL_DONE ? r.data : r.error;
            size_t len = r.status == POOL_DONE ? r.len : strlen(r.error);
            struct result_entry re = { .index = e.index, .status = (int32_t)r.status,
                                       .task_s = r.task_s, .len = len };
            buffer_add(&out, &re, sizeof re);
            buffer_add(&out, bytes, len);
            free(r.data);
        }
        reply.body_bytes = out.len - sizeof reply;
        memcpy(out.data, &reply, sizeof reply);
        write_all(result_fd, out.data, out.len);
    }
    interp_end(&t);
    _exit(EXIT_SUCCESS); /* not exit(): the parent's atexit work is not ours */
}
// snippet-end: process-worker

/* ---- processes: the pool's side ----------------------------------------------------- */

static void set_flags(int fd, int fd_flags, int fl_flags)
{
    int f = fcntl(fd, F_GETFD);
    if (f == -1 || fcntl(fd, F_SETFD, f | fd_flags) == -1)
        die("pool: fcntl F_SETFD");
    f = fcntl(fd, F_GETFL);
    if (f == -1 || fcntl(fd, F_SETFL, f | fl_flags) == -1)
        die("pool: fcntl F_SETFL");
}

static void spawn_worker(pool *p, int k)
{
    int task_pipe[2], result_pipe[2];
    if (pipe(task_pipe) == -1 || pipe(result_pipe) == -1)
        die("pool: pipe");
    atomic_store(&p->shared->running[k], -1);
    fflush(NULL); /* or the child would write our buffered output again */
    int slot;
    pid_t pid = cleanup_fork(&slot); /* killed and reaped if we are stopped */
    if (pid == 0) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigaction(SIGPIPE, &dfl, NULL); /* if the pool dies, so does the worker */
        close(task_pipe[1]);
        close(result_pipe[0]);
        for (pool *q = live_process_pools; q != NULL; q = q->next_live)
            for (int j = 0; j < q->opt.workers; j++) { /* the other workers' pipes */
                if (q->procs[j].task_fd >= 0)
                    close(q->procs[j].task_fd);
                if (q->procs[j].result_fd >= 0)
                    close(q->procs[j].result_fd);
            }
        process_worker_main(p, k, task_pipe[0], result_pipe[1]);
    }
    close(task_pipe[0]);
    close(result_pipe[1]);
    set_flags(task_pipe[1], FD_CLOEXEC, O_NONBLOCK);
    set_flags(result_pipe[0], FD_CLOEXEC, O_NONBLOCK);
    struct process_worker *w = &p->procs[k];
    w->pid = pid;
    w->cleanup_slot = slot;
    w->task_fd = task_pipe[1];
    w->result_fd = result_pipe[0];
    w->n_sent = 0;
    w->last_chunk_s = -1;
    w->out.pos = w->out.len = w->in.pos = w->in.len = 0;
    p->stats.workers_started++;
}

static void processes_start(pool *p)
{
    p->shared_size = sizeof(struct shared_state) + (size_t)p->opt.workers * sizeof(atomic_llong);
    p->shared = mmap(NULL, p->shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->shared == MAP_FAILED)
        die("pool: mmap");
    atomic_init(&p->shared->cancel, 0);
    /* A write to a dead worker's pipe must fail with EPIPE, not kill us. */
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    if (sigaction(SIGPIPE, &ignore, &p->old_sigpipe) == -1)
        die("pool: sigaction SIGPIPE");
    p->procs = calloc((size_t)p->opt.workers, sizeof *p->procs);
    if (p->procs == NULL)
        die("pool: calloc");
    for (int k = 0; k < p->opt.workers; k++)
        p->procs[k].task_fd = p->procs[k].result_fd = -1;
    p->next_live = live_process_pools;
    live_process_pools = p;
    for (int k = 0; k < p->opt.workers; k++)
        spawn_worker(p, k);
}

/* Serialize chunk `c` into worker k's outgoing bytes. */
static void send_chunk(pool *p, int k, struct chunk c)
{
    struct process_worker *w = &p->procs[k];
    struct message_header h = { .count = (uint32_t)c.count };
    for (size_t i = 0; i < c.count; i++)
        h.body_bytes += sizeof(struct task_entry) + chunk_input(&c, i)->len;
    buffer_add(&w->out, &h, sizeof h);
    for (size_t i = 0; i < c.count; i++) {
        const pool_input *in = chunk_input(&c, i);
        struct task_entry e = { .index = c.first + i, .len = in->len };
        buffer_add(&w->out, &e, sizeof e);
        buffer_add(&w->out, in->data, in->len);
    }
    w->sent[w->n_sent++] = c;
    p->stats.messages_sent++;
    p->stats.bytes_sent += (long long)(sizeof h + h.body_bytes);
}

/* Give every idle worker a chunk; then, while plenty are left, top up the
 * pipes of the busy ones whose chunks are short, round by round. */
static void dispatch(pool *p)
{
    for (int depth = 0; depth < POOL_PREFETCH && !p->stopping; depth++) {
        size_t keep = depth == 0 ? 0 : (size_t)p->opt.workers;
        for (int k = 0; k < p->opt.workers && p->queue.len > keep; k++) {
            struct process_worker *w = &p->procs[k];
            bool short_chunks = w->last_chunk_s >= 0 && w->last_chunk_s < PREFETCH_BELOW_S;
            if (w->pid != 0 && w->n_sent == depth && (depth == 0 || short_chunks))
                send_chunk(p, k, queue_pop(&p->queue));
        }
    }
}

static void describe_status(int status, char *out, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else
        snprintf(out, size, "ended (status 0x%x)", (unsigned)status);
}

/* Close our ends of worker k's pipes and reap it; returns its wait status. */
static int reap_worker(pool *p, int k)
{
    struct process_worker *w = &p->procs[k];
    if (w->task_fd >= 0)
        close(w->task_fd);
    if (w->result_fd >= 0)
        close(w->result_fd);
    w->task_fd = w->result_fd = -1;
    int status;
    while (waitpid(w->pid, &status, 0) == -1)
        if (errno != EINTR)
            die("pool: waitpid worker %d", (int)w->pid);
    cleanup_forget(w->cleanup_slot);
    w->pid = 0;
    return status;
}

// snippet-begin: worker-died
/* Worker k's result pipe ended while it had a chunk: it died. The task it
 * was running fails, naming the worker and the cause; the tasks it had not
 * run go back to the front of the queue; a new worker takes its place. */
static void worker_died(pool *p, int k)
{
    struct process_worker *w = &p->procs[k];
    pid_t pid = w->pid;
    long long running = atomic_load(&p->shared->running[k]);
    char cause[80];
    describe_status(reap_worker(p, k), cause, sizeof cause);
    p->stats.workers_lost++;
    /* The chunks behind the first were never started: back to the queue. */
    for (int i = w->n_sent - 1; i >= 1; i--) {
        if (p->stopping)
            deliver_cancelled(p, &w->sent[i], "not run: the pool stopped at a failure");
        else
            queue_push(&p->queue, w->sent[i], true);
    }
    struct chunk c = w->sent[0];
    if (w->n_sent == 0)
        c.count = 0; /* it died idle: no task is lost */
    w->n_sent = 0;

    size_t r = running >= 0 ? (size_t)running - c.first : c.count; /* c.count: between tasks */
    if (r < c.count) {
        pool_result failed = { .index = (size_t)running, .status = POOL_FAILED, .worker = k };
        snprintf(failed.error, sizeof failed.error, "worker process %d %s while running this task",
                 (int)pid, cause);
        deliver(p, &failed);
    }
    struct chunk before = c, after = c; /* the tasks before and after the failed one */
    before.count = r < c.count ? r : c.count;
    after.first = c.first + r + 1;
    after.count = r < c.count ? c.count - r - 1 : 0;
    if (c.inputs)
        after.inputs = c.inputs + (after.first - c.first);
    const char *why = "not run: the pool stopped at a failure";
    if (after.count > 0) {
        if (p->stopping)
            deliver_cancelled(p, &after, why);
        else
            queue_push(&p->queue, after, true);
    }
    if (before.count > 0) {
        char lost[POOL_ERROR_MAX];
        snprintf(lost, sizeof lost, "ran, but its result died with worker process %d", (int)pid);
        if (p->stopping)
            deliver_cancelled(p, &before, lost);
        else
            queue_push(&p->queue, before, true);
    }
    if (!p->stopping)
        spawn_worker(p, k);
}
// snippet-end: worker-died

/* Decode the complete messages in worker k's incoming bytes. */
static void take_results(pool *p, int k)
{
    struct process_worker *w = &p->procs[k];
    struct message_header h;
    while (w->in.len - w->in.pos >= sizeof h) {
        memcpy(&h, w->in.data + w->in.pos, sizeof h);
        if (w->in.len - w->in.pos < sizeof h + h.body_bytes)
            return; /* the rest is still on its way */
        const char *at = w->in.data + w->in.pos + sizeof h;
        w->last_chunk_s = 0;
        for (uint32_t i = 0; i < h.count; i++) {
            struct result_entry e;
            memcpy(&e, at, sizeof e);
            at += sizeof e;
            pool_result r = { .index = e.index, .status = (pool_status)e.status, .worker = k,
                              .task_s = e.task_s };
            w->last_chunk_s += e.task_s;
            if (r.status == POOL_DONE) {
                r.data = malloc(e.len ? e.len : 1);
                if (r.data == NULL)
                    die("pool: malloc");
                memcpy(r.data, at, e.len);
                r.len = e.len;
            } else {
                size_t n = e.len < POOL_ERROR_MAX - 1 ? e.len : POOL_ERROR_MAX - 1;
                memcpy(r.error, at, n);
                r.error[n] = '\0';
            }
            at += e.len;
            deliver(p, &r);
        }
        w->in.pos += sizeof h + h.body_bytes;
        memmove(&w->sent[0], &w->sent[1], (size_t)(w->n_sent - 1) * sizeof w->sent[0]);
        w->n_sent--;
        p->stats.messages_received++;
        p->stats.bytes_received += (long long)(sizeof h + h.body_bytes);
    }
}

/* Read what worker k has sent; false at end-of-file (it has gone). */
static bool read_results(pool *p, int k)
{
    struct process_worker *w = &p->procs[k];
    for (;;) {
        if (w->in.pos == w->in.len)
            w->in.pos = w->in.len = 0;
        w->in.data = grow(w->in.data, &w->in.cap, w->in.len + 65536, 1);
        ssize_t n = read(w->result_fd, w->in.data + w->in.len, w->in.cap - w->in.len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            return true;
        if (n == -1)
            die("pool: read from worker %d", (int)w->pid);
        if (n == 0)
            return false;
        w->in.len += (size_t)n;
        take_results(p, k);
    }
}

static void write_tasks(pool *p, int k)
{
    struct process_worker *w = &p->procs[k];
    while (w->out.pos < w->out.len) {
        ssize_t n = write(w->task_fd, w->out.data + w->out.pos, w->out.len - w->out.pos);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            return; /* the pipe is full: poll() says when there is room */
        if (n == -1 && errno == EPIPE) {
            w->out.pos = w->out.len = 0; /* it has died: its result pipe will end */
            return;
        }
        if (n == -1)
            die("pool: write to worker %d", (int)w->pid);
        w->out.pos += (size_t)n;
    }
}

/* Hand out chunks, then wait until some worker has sent results, taken
 * tasks or died, and deal with it. */
static void processes_wait(pool *p)
{
    dispatch(p);
    int n_workers = p->opt.workers;
    struct pollfd fds[2 * POOL_MAX_WORKERS];
    int owner[2 * POOL_MAX_WORKERS];
    nfds_t n = 0;
    for (int k = 0; k < n_workers; k++) {
        struct process_worker *w = &p->procs[k];
        if (w->pid == 0)
            continue;
        if (w->out.pos < w->out.len) {
            fds[n] = (struct pollfd){ .fd = w->task_fd, .events = POLLOUT };
            owner[n++] = k;
        }
        fds[n] = (struct pollfd){ .fd = w->result_fd, .events = POLLIN };
        owner[n++] = k;
    }
    if (n == 0)
        die_msg("pool: internal error: waiting for results with no worker left");
    while (poll(fds, n, -1) == -1)
        if (errno != EINTR)
            die("pool: poll");
    for (nfds_t i = 0; i < n; i++) {
        int k = owner[i];
        if (fds[i].revents == 0 || p->procs[k].pid == 0)
            continue;
        if (fds[i].fd == p->procs[k].task_fd)
            write_tasks(p, k);
        else if (!read_results(p, k))
            worker_died(p, k);
    }
}

static void processes_cancel(pool *p)
{
    atomic_store(&p->shared->cancel, 1); /* workers skip the tasks they have left */
    while (p->queue.len > 0) {
        struct chunk c = queue_pop(&p->queue);
        deliver_cancelled(p, &c, "not run: the pool stopped at a failure");
    }
}

/* Close every task pipe: each worker reads end-of-file and exits; reap it. */
static void processes_shut_down(pool *p)
{
    for (int k = 0; k < p->opt.workers; k++) {
        if (p->procs[k].task_fd >= 0)
            close(p->procs[k].task_fd);
        p->procs[k].task_fd = -1;
    }
    for (int k = 0; k < p->opt.workers; k++) {
        if (p->procs[k].pid == 0)
            continue;
        reap_worker(p, k);
    }
    for (int k = 0; k < p->opt.workers; k++) {
        free(p->procs[k].in.data);
        free(p->procs[k].out.data);
    }
    for (pool **q = &live_process_pools; *q != NULL; q = &(*q)->next_live)
        if (*q == p) {
            *q = p->next_live;
            break;
        }
    free(p->procs);
    p->procs = NULL;
    if (munmap(p->shared, p->shared_size) == -1)
        die("pool: munmap");
    if (sigaction(SIGPIPE, &p->old_sigpipe, NULL) == -1)
        die("pool: sigaction SIGPIPE");
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
    pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        die("pool: calloc");
    p->opt = *opt;
    if (p->opt.chunk_size == 0)
        p->opt.chunk_size = 1;
    if (p->opt.interval_us == 0)
        p->opt.interval_us = GIL_DEFAULT_INTERVAL_US;
    atomic_init(&p->cancel, 0);
    if (p->opt.kind == POOL_THREADS)
        threads_start(p);
    else
        processes_start(p);
    return p;
}

static void wait_some(pool *p)
{
    if (p->opt.kind == POOL_THREADS)
        threads_wait(p);
    else
        processes_wait(p);
}

static void begin_stop(pool *p)
{
    p->stopping = true;
    if (p->opt.kind == POOL_THREADS)
        threads_cancel(p);
    else
        processes_cancel(p);
}

static void shut_down_workers(pool *p)
{
    if (p->opt.kind == POOL_THREADS)
        threads_shut_down(p);
    else
        processes_shut_down(p);
}

static void enqueue(pool *p, const struct chunk *chunks, size_t n)
{
    if (p->opt.kind == POOL_THREADS) {
        threads_enqueue(p, chunks, n);
    } else {
        for (size_t i = 0; i < n; i++)
            queue_push(&p->queue, chunks[i], false);
        dispatch(p);
    }
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
    p->returned = grow(p->returned, &p->returned_cap, p->n_tasks, 1);
    p->returned[index] = 0;
    if (p->bar_started)
        p->bar.total = (long)p->n_tasks;
    struct chunk c = { .first = index, .count = 1, .single = { data, len } };
    if (p->stopping)
        deliver_cancelled(p, &c, "not run: the pool stopped at a failure");
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
    free(p->queue.items);
    free(p->finished);
    free(p->ready);
    free(p->returned);
    free(p);
}

pool_input *pool_numbered_inputs(size_t n)
{
    /* the n inputs, then the n numbers they point to */
    pool_input *inputs = malloc((n ? n : 1) * (sizeof(pool_input) + sizeof(int64_t)));
    if (inputs == NULL)
        die("pool: malloc");
    int64_t *numbers = (int64_t *)(inputs + n);
    for (size_t i = 0; i < n; i++) {
        numbers[i] = (int64_t)i;
        inputs[i] = (pool_input){ &numbers[i], sizeof numbers[i] };
    }
    return inputs;
}

void pool_results_free(pool_result *results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(results[i].data);
        results[i].data = NULL;
    }
}
