/* pool_processes.c - the process pool (pool.h; its place in pool_internal.h).
 *
 * A worker process shares nothing with the pool but two pipes and a little
 * shared memory. The calling thread owns the queue of chunks: it writes each
 * chunk into one worker's task pipe, in the wire format below, and reads the
 * results from that worker's result pipe, waiting on all pipes at once with
 * poll(). A few chunks per worker may be in its pipe at a time. End-of-file
 * on a result pipe means the worker has died (or been told to stop).
 *
 * In order: the wire format; the worker's side; the pool's side (starting
 * workers, sending chunks, a worker that died, reading results, waiting,
 * shutting down).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, strsignal */
#include "pool_internal.h"
#include "cleanup.h"
#include "error.h"
#include "interp.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

/* ---- the wire format: a header, then `count` entries of a fixed part and bytes -- */

struct message_header {
    uint32_t count;
    uint32_t unused;
    uint64_t body_bytes;
};

struct task_entry { /* then `len` bytes of input */
    uint64_t index;
    uint64_t len;
};

struct result_entry { /* then `len` bytes: the result if done, else the error */
    uint64_t index;
    int32_t status;
    int32_t unused;
    double task_s;
    uint64_t len;
};

/* Bytes on their way through a pipe. */
struct buffer {
    char *data;
    size_t pos, len, cap; /* unread bytes are data[pos .. len) */
};

static void buffer_add(struct buffer *b, const void *bytes, size_t n)
{
    if (b->pos > 0 && b->pos == b->len)
        b->pos = b->len = 0;
    b->data = pool_grow(b->data, &b->cap, b->len + n, 1);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

/* ---- the process pool's part of struct pool ------------------------------------- */

struct process_worker {
    pid_t pid;              /* 0: no worker in this slot */
    int cleanup_slot;
    int task_fd, result_fd; /* our ends of its two pipes, or -1 */
    struct chunk sent[POOL_PREFETCH]; /* chunks sent, results not yet back: a FIFO */
    int n_sent;
    double last_chunk_s;    /* the task time of its last chunk; -1: none yet */
    struct buffer out, in;
};

struct process_pool {
    struct process_worker *workers; /* opt.workers slots */
    /* Shared with the worker processes (mapped before they fork): the task
     * worker k is running, or -1 between tasks; read when it dies. */
    atomic_llong *running;
    size_t running_size;
    struct sigaction old_sigpipe;
    pool *next_live; /* every process pool alive in this program */
};

/* A new worker process must close the pipes of every other worker, of this
 * pool and of any other: a write end left open in some other process would
 * keep that worker from ever reading end-of-file. */
static pool *live_process_pools;

/* ---- the worker's side ------------------------------------------------------------ */

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
    atomic_llong *running = p->processes->running;
    struct buffer in = { 0 }, out = { 0 };
    struct message_header h;
    while (read_message(task_fd, &h, sizeof h)) {
        in.data = pool_grow(in.data, &in.cap, h.body_bytes, 1);
        if (!read_message(task_fd, in.data, h.body_bytes))
            die_msg("pool worker: the task pipe ended after a header");
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
            atomic_store(&running[me], (long long)e.index);
            pool_run_task(p, &t, me, e.index, &input, &r);
            atomic_store(&running[me], -1);

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

/* ---- the pool's side: starting workers ------------------------------------------ */

static void set_flags(int fd, int fd_flags, int fl_flags)
{
    int f = fcntl(fd, F_GETFD);
    if (f == -1)
        die("pool: fcntl F_GETFD");
    if (fcntl(fd, F_SETFD, f | fd_flags) == -1)
        die("pool: fcntl F_SETFD");
    f = fcntl(fd, F_GETFL);
    if (f == -1)
        die("pool: fcntl F_GETFL");
    if (fcntl(fd, F_SETFL, f | fl_flags) == -1)
        die("pool: fcntl F_SETFL");
}

static void spawn_worker(pool *p, int k)
{
    struct process_pool *procs = p->processes;
    int task_pipe[2], result_pipe[2];
    if (pipe(task_pipe) == -1)
        die("pool: pipe for tasks");
    if (pipe(result_pipe) == -1)
        die("pool: pipe for results");
    atomic_store(&procs->running[k], -1);
    fflush(NULL); /* or the child would write our buffered output again */
    int slot;
    pid_t pid = cleanup_fork(&slot); /* killed and reaped if we are stopped */
    if (pid == 0) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        if (sigaction(SIGPIPE, &dfl, NULL) == -1) /* if the pool dies, so does the worker */
            die("pool worker: sigaction SIGPIPE");
        close(task_pipe[1]);
        close(result_pipe[0]);
        for (pool *q = live_process_pools; q != NULL; q = q->processes->next_live)
            for (int j = 0; j < q->opt.workers; j++) { /* the other workers' pipes */
                struct process_worker *other = &q->processes->workers[j];
                if (other->task_fd >= 0)
                    close(other->task_fd);
                if (other->result_fd >= 0)
                    close(other->result_fd);
            }
        process_worker_main(p, k, task_pipe[0], result_pipe[1]);
    }
    close(task_pipe[0]);
    close(result_pipe[1]);
    set_flags(task_pipe[1], FD_CLOEXEC, O_NONBLOCK);
    set_flags(result_pipe[0], FD_CLOEXEC, O_NONBLOCK);
    struct process_worker *w = &procs->workers[k];
    w->pid = pid;
    w->cleanup_slot = slot;
    w->task_fd = task_pipe[1];
    w->result_fd = result_pipe[0];
    w->n_sent = 0;
    w->last_chunk_s = -1;
    w->out.pos = w->out.len = w->in.pos = w->in.len = 0;
    p->stats.workers_started++;
}

void pool_processes_start(pool *p)
{
    struct process_pool *procs = calloc(1, sizeof *procs);
    if (procs == NULL)
        die("pool: calloc");
    p->processes = procs;
    procs->running_size = (size_t)p->opt.workers * sizeof *procs->running;
    procs->running = mmap(NULL, procs->running_size, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (procs->running == MAP_FAILED)
        die("pool: mmap");
    /* A write to a dead worker's pipe must fail with EPIPE, not kill us. */
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    if (sigaction(SIGPIPE, &ignore, &procs->old_sigpipe) == -1)
        die("pool: sigaction SIGPIPE");
    procs->workers = calloc((size_t)p->opt.workers, sizeof *procs->workers);
    if (procs->workers == NULL)
        die("pool: calloc");
    for (int k = 0; k < p->opt.workers; k++)
        procs->workers[k].task_fd = procs->workers[k].result_fd = -1;
    procs->next_live = live_process_pools;
    live_process_pools = p;
    for (int k = 0; k < p->opt.workers; k++)
        spawn_worker(p, k);
}

/* ---- the pool's side: sending chunks -------------------------------------------- */

/* Serialize chunk `c` into worker k's outgoing bytes. */
static void send_chunk(pool *p, int k, struct chunk c)
{
    struct process_worker *w = &p->processes->workers[k];
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
            struct process_worker *w = &p->processes->workers[k];
            bool short_chunks = w->last_chunk_s >= 0 && w->last_chunk_s < PREFETCH_BELOW_S;
            if (w->pid != 0 && w->n_sent == depth && (depth == 0 || short_chunks))
                send_chunk(p, k, pool_queue_pop(&p->queue));
        }
    }
}

void pool_processes_enqueue(pool *p, const struct chunk *chunks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pool_queue_push(&p->queue, chunks[i], false);
    dispatch(p);
}

/* ---- the pool's side: a worker that died ---------------------------------------- */

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
    struct process_worker *w = &p->processes->workers[k];
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
/* Tasks of a dead worker that did not finish go back to the front of the
 * queue, to run again; unless the pool is stopping: then they come back
 * cancelled, with `why`. */
static void give_back(pool *p, struct chunk c, const char *why)
{
    if (c.count == 0)
        return;
    if (p->stopping)
        pool_deliver_cancelled(p, &c, why);
    else
        pool_queue_push(&p->queue, c, true);
}

/* Worker k's result pipe ended while it had a chunk: it died. The task it
 * was running fails, naming the worker and the cause; the tasks it had not
 * run go back to the front of the queue; a new worker takes its place. */
static void worker_died(pool *p, int k)
{
    struct process_worker *w = &p->processes->workers[k];
    pid_t pid = w->pid;
    long long running = atomic_load(&p->processes->running[k]);
    char cause[80];
    describe_status(reap_worker(p, k), cause, sizeof cause);
    p->stats.workers_lost++;
    /* The chunks behind the first were never started. */
    for (int i = w->n_sent - 1; i >= 1; i--)
        give_back(p, w->sent[i], pool_not_run);
    struct chunk c = w->sent[0];
    if (w->n_sent == 0)
        c.count = 0; /* it died idle: no task is lost */
    w->n_sent = 0;

    size_t r = running >= 0 ? (size_t)running - c.first : c.count; /* c.count: between tasks */
    if (r < c.count) {
        pool_result failed = { .index = (size_t)running, .status = POOL_FAILED, .worker = k };
        snprintf(failed.error, sizeof failed.error, "worker process %d %s while running this task",
                 (int)pid, cause);
        pool_deliver(p, &failed);
    }
    struct chunk before = c, after = c; /* the tasks before and after the failed one */
    before.count = r < c.count ? r : c.count;
    after.first = c.first + r + 1;
    after.count = r < c.count ? c.count - r - 1 : 0;
    if (c.inputs)
        after.inputs = c.inputs + (after.first - c.first);
    give_back(p, after, pool_not_run);
    char lost[POOL_ERROR_MAX];
    snprintf(lost, sizeof lost, "ran, but its result died with worker process %d", (int)pid);
    give_back(p, before, lost);
    if (!p->stopping)
        spawn_worker(p, k);
}
// snippet-end: worker-died

/* ---- the pool's side: reading results and waiting ------------------------------- */

/* Decode the complete messages in worker k's incoming bytes. */
static void take_results(pool *p, int k)
{
    struct process_worker *w = &p->processes->workers[k];
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
            pool_deliver(p, &r);
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
    struct process_worker *w = &p->processes->workers[k];
    for (;;) {
        if (w->in.pos == w->in.len)
            w->in.pos = w->in.len = 0;
        w->in.data = pool_grow(w->in.data, &w->in.cap, w->in.len + 65536, 1);
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
    struct process_worker *w = &p->processes->workers[k];
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
void pool_processes_wait(pool *p)
{
    dispatch(p);
    struct process_worker *workers = p->processes->workers;
    struct pollfd fds[2 * POOL_MAX_WORKERS];
    int owner[2 * POOL_MAX_WORKERS];
    nfds_t n = 0;
    for (int k = 0; k < p->opt.workers; k++) {
        struct process_worker *w = &workers[k];
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
        if (fds[i].revents == 0 || workers[k].pid == 0)
            continue;
        if (fds[i].fd == workers[k].task_fd)
            write_tasks(p, k);
        else if (!read_results(p, k))
            worker_died(p, k);
    }
}

struct chunk_queue pool_processes_take_queue(pool *p)
{
    struct chunk_queue queued = p->queue; /* no worker touches it: no lock */
    p->queue = (struct chunk_queue){ 0 };
    return queued;
}

/* ---- the pool's side: shutting down ---------------------------------------------- */

/* Close every task pipe: each worker reads end-of-file and exits; reap it,
 * and free the process pool's part. */
void pool_processes_shut_down(pool *p)
{
    struct process_pool *procs = p->processes;
    for (int k = 0; k < p->opt.workers; k++) {
        if (procs->workers[k].task_fd >= 0)
            close(procs->workers[k].task_fd);
        procs->workers[k].task_fd = -1;
    }
    for (int k = 0; k < p->opt.workers; k++) {
        if (procs->workers[k].pid == 0)
            continue;
        reap_worker(p, k);
    }
    for (int k = 0; k < p->opt.workers; k++) {
        free(procs->workers[k].in.data);
        free(procs->workers[k].out.data);
    }
    for (pool **q = &live_process_pools; *q != NULL; q = &(*q)->processes->next_live)
        if (*q == p) {
            *q = procs->next_live;
            break;
        }
    if (munmap(procs->running, procs->running_size) == -1)
        die("pool: munmap");
    if (sigaction(SIGPIPE, &procs->old_sigpipe, NULL) == -1)
        die("pool: sigaction SIGPIPE");
    free(procs->workers);
    free(procs);
    p->processes = NULL;
}
