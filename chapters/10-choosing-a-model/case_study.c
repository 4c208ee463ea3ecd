/*
 * case_study.c - generate N synthetic users, each needing one call to a
 * remote API (the workbook's local server: a latency distribution, some
 * failures, some very slow answers) and some CPU work on the reply, seven
 * ways, all producing the same users:
 *
 *   serial             one simulated Python thread, user after user
 *   threads            a thread pool (under the simulated GIL, or without)
 *   process-per-user   a process for each user, results sent back through
 *                      one pipe: the source document's multiprocessing code
 *   process-pool       a pool of worker processes
 *   hybrid             a thread pool for the calls, then a process pool for
 *                      the CPU step
 *   event-loop         one thread, no pool: every call a non-blocking socket
 *                      in one epoll loop, the CPU step in the loop (asyncio)
 *   event-loop-pool    the same loop, the CPU step handed to a worker
 *                      process per core (asyncio's run_in_executor)
 *
 * Each call has a timeout; a failed or timed-out call is retried, a bounded
 * number of times, after a growing pause; a user whose every attempt failed
 * is reported, never dropped.
 *
 *   build/chapter10/case_study --quick
 *   build/chapter10/case_study --users 100 --methods threads,process-pool --gil new,none
 *   build/chapter10/case_study --users 100 --fail-rate 0 --slow-rate 0
 *   build/chapter10/case_study --users 100,500,5000 --methods threads,process-pool,event-loop --gil none
 *   build/chapter10/case_study --serve     (the API alone, for case_study_asyncio.py)
 *
 * It prints one row per way and number of users: the wall time (median,
 * min and max over the repeats), the CPU time, the peak memory of the
 * processes it ran in, the processes and threads it created, the users that
 * failed and the calls made, the most calls in flight at once, the loop's
 * longest turn (stall_ms), the memory per call in flight (kib_per_wait:
 * the peaks added up over in_flight, what each wait at once costs) and the
 * server's peak; then the users that failed for good. Every
 * way's users are checked, field by field, against the first way's. First
 * it raises its limit on open descriptors to the hard limit and says so: an
 * event loop holds a socket for every call in flight.
 *
 * Peak memory is not sampled (a sampler misses what happens between two
 * samples) but read from the kernel's own high-water marks, which it keeps
 * for every process: this process's VmHWM (reset before each run through
 * /proc/self/clear_refs), each user process's ru_maxrss from wait4(), each
 * pool worker's VmHWM read just before the pool stops it. peak_sum adds up
 * every process's own peak: an upper bound of the whole tree's (they need
 * not all peak at once, and pages they share are counted in each);
 * peak_largest is the largest of them: a lower bound. The server, standing
 * for a remote machine, is counted in neither.
 *
 * What to expect: the calls wait, so every way but serial overlaps them;
 * what separates the others is the price (memory, processes, CPU).
 * process-per-user is fast for many users and pays the most memory; threads
 * pay the least. The event loop waits for all the calls at once in one
 * thread and a few KiB each, but while it computes nobody else's answer is
 * read: stall_ms is the longest it went without looking. Compare with
 * chapter 4's scaling and event_loop (the same waiting and computing,
 * apart) and chapter 1's creation_cost (what a process costs).
 *
 * The seven ways stay one program chosen by --methods, not seven files:
 * they must be measured side by side, in one run, against the same server,
 * for their users to be compared.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "eventloop.h"
#include "interp.h"
#include "io.h"
#include "locking.h"
#include "memory.h"
#include "options.h"
#include "pool.h"
#include "progress.h"
#include "report.h"
#include "server.h"
#include "workloads.h"

#define MAX_COUNTS 16

enum method { SERIAL, THREADS, PER_USER, POOL, HYBRID, LOOP, LOOP_POOL };
#define N_METHODS 7
static const char *const method_names[] = { "serial", "threads", "process-per-user", "process-pool", "hybrid",
                                            "event-loop", "event-loop-pool", NULL };
static const char *const gil_names[] = { "new", "none", NULL };
static const gil_mode gil_modes[] = { GIL_NEW, GIL_NONE };

struct config {
    long long users[MAX_COUNTS];     /* users per run, one run per count */
    size_t n_users;
    bool method_used[N_METHODS], gil_used[2];
    long long workers;
    long long latency_ns, sd_ns, fail_rate, slow_rate; /* the API */
    long long timeout_ns, retries, cpu_base, seed;
    long long in_flight;             /* the event loop's calls at once */
    bool serve;                      /* --serve: the API alone */
    run_options run;
};

/* One way to run: a method, and for those with threads, their GIL. */
struct way {
    enum method method;
    gil_mode gil;          /* the threads' GIL (GIL_NEW where there are none) */
    const char *gil_name;  /* "new", "none"; "-": no threads */
};

// snippet-begin: user
struct user {               /* what generating a user produces */
    int64_t id;
    int64_t value;          /* from the API */
    int64_t score;          /* from the CPU step */
    int32_t attempts;       /* calls made */
    int32_t ok;             /* 0: every attempt failed */
};

struct study {
    int port;
    pid_t server;           /* the API's process: not counted in our memory */
    int64_t timeout_ns, backoff_ns;
    int retries;
    int64_t cpu_base;
    long in_flight;         /* the event loop: calls at once, at most */
};

/* The call, as a careful client makes it: a timeout on each attempt, a
 * bounded number of retries, a pause that doubles between them. */
static void fetch(const struct study *s, gil_thread *t, struct user *u)
{
    char error[POOL_ERROR_MAX];
    for (int attempt = 0; attempt <= s->retries; attempt++) {
        uint64_t value;
        u->attempts = attempt + 1;
        if (server_request(t, s->port, (long)u->id, attempt, s->timeout_ns, &value, error,
                           sizeof error) == 200) {
            u->value = (int64_t)(value >> 1);
            u->ok = 1;
            return;
        }                                           /* 503, or timed out: */
        if (attempt < s->retries)
            interp_sleep(t, s->backoff_ns << attempt); /* wait, then try again */
    }
    u->ok = 0;                                      /* reported, not dropped */
}

/* The CPU step on the reply. */
static void post_process(const struct study *s, gil_thread *t, struct user *u)
{
    u->score = u->ok ? long_factorize(t, s->cpu_base + u->value % 1000) : 0;
}
// snippet-end: user

/* ---- the ways -------------------------------------------------------------------- */

/* The peak memory of one run's processes, KiB: see the header comment. */
struct peaks {
    long self_kib;
    long children_sum_kib, children_largest_kib;
};

struct outcome {
    double wall_s, cpu_s;
    long processes, threads;  /* created */
    long most_waiting;        /* calls in flight at once, at most */
    long server_kib;          /* the server's peak (not in peak) */
    double stall_ms;          /* the event loop's longest turn; -1: no loop */
    struct peaks peak;
};

static long map_users(pool_kind kind, int workers, gil_mode threads_gil, pool_fn fn, const struct study *s,
                      const pool_input *inputs, size_t n, struct user *users, struct peaks *peak);
static int whole_user_task(pool_task *task);
static int fetch_task(pool_task *task);
static int cpu_task(pool_task *task);
static void per_user(const struct study *s, size_t n, struct user *users, struct peaks *peak);
static void loop_way(const struct study *s, size_t n, int workers, struct user *users, struct outcome *o);
static void peak_reset(pid_t pid);
static void peak_of_self(struct peaks *peak);
static long peak_sum_kib(const struct peaks *peak);
static long peak_largest_kib(const struct peaks *peak);

/* Generate users 0 to n-1 one way, into users[]. */
static struct outcome run_way(struct way w, const struct study *s, size_t n, int workers, struct user *users)
{
    struct outcome o = { .stall_ms = -1 };
    pool_input *ids = pool_numbered_inputs(n);
    long at_once = workers < (long)n ? workers : (long)n;  /* a pool's calls in flight */
    peak_reset(0);
    peak_reset(s->server);
    int64_t start = now_ns(), start_cpu = cpu_ns_with_children();
    switch (w.method) {
    case SERIAL: {
        gil g;
        gil_thread t;
        gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
        gil_thread_init(&t, &g, 0, 0);
        interp_begin(&t);
        for (size_t i = 0; i < n; i++) {
            users[i] = (struct user){ .id = (int64_t)i };
            fetch(s, &t, &users[i]);
            post_process(s, &t, &users[i]);
        }
        interp_end(&t);
        gil_thread_free(&t);
        gil_destroy(&g);
        o.most_waiting = 1;
        break;
    }
    case THREADS:
        o.threads = map_users(POOL_THREADS, workers, w.gil, whole_user_task, s, ids, n, users, &o.peak);
        o.most_waiting = at_once;
        break;
    case PER_USER:
        per_user(s, n, users, &o.peak);
        o.processes = (long)n;
        o.most_waiting = (long)n;
        break;
    case POOL:
        o.processes = map_users(POOL_PROCESSES, workers, w.gil, whole_user_task, s, ids, n, users, &o.peak);
        o.most_waiting = at_once;
        break;
    case LOOP:
        loop_way(s, n, 0, users, &o);
        break;
    case LOOP_POOL:
        loop_way(s, n, cpus_allowed(), users, &o);
        break;
    case HYBRID: {
        // snippet-begin: hybrid
        struct user *fetched = malloc(n * sizeof *fetched);
        pool_input *in = malloc(n * sizeof *in);
        if (fetched == NULL || in == NULL)
            die("malloc");
        o.threads = map_users(POOL_THREADS, workers, w.gil, fetch_task, s, ids, n, fetched, &o.peak); /* wait */
        for (size_t i = 0; i < n; i++)
            in[i] = (pool_input){ &fetched[i], sizeof fetched[i] };
        o.processes = map_users(POOL_PROCESSES, cpus_allowed(), w.gil, cpu_task, s, in, n, users, &o.peak);
        // snippet-end: hybrid
        free(fetched);
        free(in);
        o.most_waiting = at_once;
        break;
    }
    }
    o.wall_s = (double)(now_ns() - start) / NS_PER_S;
    o.cpu_s = (double)(cpu_ns_with_children() - start_cpu) / NS_PER_S;
    peak_of_self(&o.peak);
    o.server_kib = status_kib(s->server, "VmHWM");
    pool_numbered_inputs_free(ids);
    return o;
}

// snippet-begin: per-user
/* A process for each user; each sends its user back through one pipe
 * (32 bytes: less than PIPE_BUF, so the writes never mix). */
_Static_assert(sizeof(struct user) == 32 && sizeof(struct user) <= PIPE_BUF, "a user is sent in one write");
static void per_user(const struct study *s, size_t n, struct user *users, struct peaks *peak)
{
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    pid_t *pids = malloc(n * sizeof *pids);
    int *slots = malloc(n * sizeof *slots);
    if (pids == NULL || slots == NULL)
        die("malloc");
    fflush(NULL);
    for (size_t i = 0; i < n; i++) {
        pids[i] = cleanup_fork(&slots[i]);     /* killed and reaped if we are stopped */
        if (pids[i] == 0) {
            close(fds[0]);
            gil g;
            gil_thread t;
            gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
            gil_thread_init(&t, &g, 0, 0);
            interp_begin(&t);
            struct user u = { .id = (int64_t)i };
            fetch(s, &t, &u);
            post_process(s, &t, &u);
            write_all(fds[1], &u, sizeof u);           /* queue.put(user) */
            _exit(EXIT_SUCCESS);
        }
    }
    close(fds[1]);
    for (size_t k = 0; k < n; k++) {                   /* queue.get(), n times */
        struct user u;
        if (read_all(fds[0], &u, sizeof u) != sizeof u)
            die_msg("a user process ended without sending its user");
        if (u.id < 0 || (size_t)u.id >= n)
            die_msg("a user that was not asked for: %lld", (long long)u.id);
        users[u.id] = u;
    }
    for (size_t i = 0; i < n; i++) {                   /* p.join() for each */
        struct rusage used;                            /* and what it used */
        if (wait4(pids[i], NULL, 0, &used) == -1)
            die("wait4");
        cleanup_forget(slots[i]);
        peak->children_sum_kib += used.ru_maxrss;
        if (used.ru_maxrss > peak->children_largest_kib)
            peak->children_largest_kib = used.ru_maxrss;
    }
    close(fds[0]);
    free(pids);
    free(slots);
}
// snippet-end: per-user

/* ---- the sixth way: one thread, an event loop -------------------------------------- */

#define LOOP_ANSWER_MAX 512   /* the server's answers are under 200 bytes */

struct loop_user;

/* A worker process for the CPU step (event-loop-pool): a user goes in
 * through a socket, comes back with its score. */
struct cpu_worker {
    loop_handler handler;         /* watches its end of the socket pair */
    int fd;                       /* that end */
    pid_t pid;
    int slot;                     /* cleanup.h's: killed and reaped if we are stopped */
    bool busy;
    struct loop_study *study;
};

/* One run of the loop: the users, the calls in flight, the CPU step. */
struct loop_study {
    event_loop loop;
    const struct study *s;
    struct loop_user *users;
    struct user *results;
    size_t n, started, done;
    long waiting, most_waiting, limit;  /* calls in flight: now, at most, allowed */
    gil_thread thread;            /* the loop's: one simulated Python thread */
    struct cpu_worker *workers_at;
    int workers;                  /* 0: the CPU step runs in the loop */
    size_t *queue, queue_head, queue_tail;  /* users waiting for a free worker */
};

static void start_users(struct loop_study *ls);
static void start_attempt(struct loop_user *lu);
static int send_request(struct loop_user *lu);
static bool connected(int fd);
static int read_answer(struct loop_user *lu);
static void close_attempt(struct loop_user *lu);
static void attempt_answered(struct loop_user *lu);
static void attempt_failed(struct loop_user *lu);
static void user_fetched(struct loop_study *ls, struct loop_user *lu);
static void hand_to_worker(struct loop_study *ls, struct user u);
static void user_done(struct loop_study *ls, const struct user *u);

// snippet-begin: loop-user
/* A user in the event loop: not a thread with a stack, just where its call
 * stands. Thousands wait at once, each a socket and one of these. */
struct loop_user {
    loop_handler handler;         /* first: the loop hands it back */
    struct user u;
    enum { CONNECTING, READING, BACKING_OFF } phase;
    int attempt;
    int64_t deadline_real_ns;     /* this attempt's timeout, on the kernel's clock */
    int64_t arrived_real_ns;      /* when the kernel took in the answer's last bytes */
    size_t got;
    char answer[LOOP_ANSWER_MAX];
    struct loop_study *study;
};

/* A user's events: its socket is ready, or its deadline has passed. The
 * same careful client as fetch(), turned inside out: no call blocks, each
 * step is taken when the loop says it can be. */
static void on_user(event_loop *loop, loop_handler *h, uint32_t events)
{
    struct loop_user *lu = (struct loop_user *)h;
    if (lu->phase == BACKING_OFF) {                    /* the pause is over: try again */
        lu->attempt++;
        start_attempt(lu);
        return;
    }
    if (events == LOOP_DEADLINE && !(lu->phase == CONNECTING && connected(lu->handler.fd))) {
        if (read_answer(lu) == 1)                      /* timed out, unless the answer came */
            attempt_answered(lu);                      /* while the loop was busy */
        else
            attempt_failed(lu);
        return;
    }
    if (lu->phase == CONNECTING) {                     /* connected: send the request */
        if (send_request(lu) == -1) {
            attempt_failed(lu);
            return;
        }
        lu->phase = READING;
        loop_change(loop, h, EPOLLIN);
        return;
    }
    int state = read_answer(lu);                       /* READING */
    if (state == 1)
        attempt_answered(lu);
    else if (state == -1)
        attempt_failed(lu);
}

/* The whole answer is in: a success, or a 503 or a late answer to retry. */
static void attempt_answered(struct loop_user *lu)
{
    struct loop_study *ls = lu->study;
    uint64_t value;
    char error[POOL_ERROR_MAX];
    close_attempt(lu);
    if (lu->arrived_real_ns <= lu->deadline_real_ns &&
        server_parse(lu->answer, &value, error, sizeof error) == 200) {
        lu->u.value = (int64_t)(value >> 1);
        lu->u.ok = 1;
        user_fetched(ls, lu);
        return;
    }
    attempt_failed(lu);
}

/* 503, timed out or refused: pause, doubling, then retry; or give up. */
static void attempt_failed(struct loop_user *lu)
{
    struct loop_study *ls = lu->study;
    close_attempt(lu);
    if (lu->attempt < ls->s->retries) {
        lu->phase = BACKING_OFF;
        loop_set_deadline(&ls->loop, &lu->handler, now_ns() + (ls->s->backoff_ns << lu->attempt));
        return;
    }
    lu->u.ok = 0;                                      /* reported, not dropped */
    user_fetched(ls, lu);
}

/* The call is over; the CPU step, in the loop or handed to a worker. */
static void user_fetched(struct loop_study *ls, struct loop_user *lu)
{
    ls->waiting--;
    if (ls->workers == 0) {
        post_process(ls->s, &ls->thread, &lu->u);      /* every other user waits meanwhile */
        user_done(ls, &lu->u);
    } else {
        hand_to_worker(ls, lu->u);                     /* the loop goes on at once */
    }
    start_users(ls);                                   /* a place is free: the next user */
}
// snippet-end: loop-user

static int64_t realtime_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
        die("clock_gettime CLOCK_REALTIME");
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Start users while fewer than the limit are waiting. */
static void start_users(struct loop_study *ls)
{
    while (ls->started < ls->n && ls->waiting < ls->limit) {
        struct loop_user *lu = &ls->users[ls->started];
        lu->u = (struct user){ .id = (int64_t)ls->started };
        lu->study = ls;
        lu->attempt = 0;
        loop_handler_init(&lu->handler, on_user);
        ls->started++;
        if (++ls->waiting > ls->most_waiting)
            ls->most_waiting = ls->waiting;
        start_attempt(lu);
    }
}

/* A non-blocking connect: the loop says when it has finished. Each socket
 * asks the kernel to stamp what it receives (SO_TIMESTAMPNS), so that an
 * answer is judged by when it came, not by when a busy loop got to it. */
static void start_attempt(struct loop_user *lu)
{
    struct loop_study *ls = lu->study;
    lu->u.attempts = lu->attempt + 1;
    lu->got = 0;
    lu->arrived_real_ns = 0;
    lu->deadline_real_ns = realtime_ns() + ls->s->timeout_ns;
    loop_set_deadline(&ls->loop, &lu->handler, now_ns() + ls->s->timeout_ns);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1)
        die("socket (user %lld; %ld calls in flight)", (long long)lu->u.id, ls->waiting);
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) == -1)
        die("setsockopt SO_TIMESTAMPNS");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)ls->s->port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    lu->phase = CONNECTING;
    loop_watch(&ls->loop, &lu->handler, fd, EPOLLOUT);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1 && errno != EINPROGRESS)
        attempt_failed(lu);
}

/* Has the kernel finished the connect (while a busy loop was not looking)? */
static bool connected(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    return fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* Connected (or not: SO_ERROR says): the request, in one send. From now
 * the answer has the timeout to come, as a blocking recv would. */
static int send_request(struct loop_user *lu)
{
    struct loop_study *ls = lu->study;
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(lu->handler.fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1 || error != 0)
        return -1;
    char request[128];
    int n = snprintf(request, sizeof request, "GET /item/%lld?attempt=%d HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
                     (long long)lu->u.id, lu->attempt);
    if (send(lu->handler.fd, request, (size_t)n, MSG_NOSIGNAL) != n)
        return -1;
    lu->deadline_real_ns = realtime_ns() + ls->s->timeout_ns;
    loop_set_deadline(&ls->loop, &lu->handler, now_ns() + ls->s->timeout_ns);
    return 0;
}

/* Read what has come: 1 at the end of the answer (the server closes), 0
 * when more is to come, -1 on an error. Notes the kernel's stamp. */
static int read_answer(struct loop_user *lu)
{
    if (lu->handler.fd < 0 || lu->phase != READING)
        return -1;
    for (;;) {
        char control[CMSG_SPACE(sizeof(struct timespec))];
        struct iovec iov = { lu->answer + lu->got, sizeof lu->answer - 1 - lu->got };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof control };
        ssize_t n = recvmsg(lu->handler.fd, &msg, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                lu->arrived_real_ns = (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
            }
        lu->got += (size_t)n;
        lu->answer[lu->got] = '\0';
        if (n == 0 || lu->got == sizeof lu->answer - 1)
            return 1;
    }
}

static void close_attempt(struct loop_user *lu)
{
    struct loop_study *ls = lu->study;
    loop_clear_deadline(&ls->loop, &lu->handler);
    int fd = lu->handler.fd;
    if (fd >= 0) {
        loop_forget(&ls->loop, &lu->handler);
        close(fd);
    }
}

static void user_done(struct loop_study *ls, const struct user *u)
{
    ls->results[u->id] = *u;
    ls->done++;
    if (ls->done == ls->n)                          /* the workers' sockets keep the loop */
        for (int k = 0; k < ls->workers; k++)       /* going: let it end */
            loop_forget(&ls->loop, &ls->workers_at[k].handler);
}

/* ---- event-loop-pool: the CPU step in worker processes --------------------------------- */

/* To an idle worker, or into the queue. One user at a time per worker:
 * 32 bytes, so the send never blocks. */
static void hand_to_worker(struct loop_study *ls, struct user u)
{
    for (int k = 0; k < ls->workers; k++)
        if (!ls->workers_at[k].busy) {
            ls->workers_at[k].busy = true;
            if (send(ls->workers_at[k].fd, &u, sizeof u, MSG_NOSIGNAL) != (ssize_t)sizeof u)
                die("send a user to CPU worker %d", k);
            return;
        }
    ls->queue[ls->queue_tail++] = (size_t)u.id;     /* each user is queued at most once */
    ls->results[u.id] = u;
}

/* A worker's user is back, scored: keep it, give the worker the next one. */
static void on_worker(event_loop *loop, loop_handler *h, uint32_t events)
{
    (void)loop;
    (void)events;
    struct cpu_worker *w = (struct cpu_worker *)h;
    struct loop_study *ls = w->study;
    struct user u;
    ssize_t n = recv(h->fd, &u, sizeof u, 0);
    if (n == -1 && errno == EINTR)
        return;
    if (n != (ssize_t)sizeof u || u.id < 0 || (size_t)u.id >= ls->n)
        die_msg("CPU worker %d ended or sent what was not asked for", (int)(w - ls->workers_at));
    w->busy = false;
    user_done(ls, &u);
    if (ls->queue_head < ls->queue_tail)
        hand_to_worker(ls, ls->results[ls->queue[ls->queue_head++]]);
}

/* The worker: a user in, the CPU step, the user out; until end-of-file. */
static void cpu_worker_main(const struct study *s, int fd)
{
    gil g;
    gil_thread t;
    gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
    interp_begin(&t);
    struct user u;
    ssize_t n;
    while ((n = recv(fd, &u, sizeof u, 0)) == (ssize_t)sizeof u || (n == -1 && errno == EINTR)) {
        if (n == -1)
            continue;
        post_process(s, &t, &u);
        write_all(fd, &u, sizeof u);
    }
    _exit(n == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Fork the CPU workers, before the loop has any socket to hand down. */
static void start_cpu_workers(struct loop_study *ls, int count)
{
    ls->workers = count;
    ls->workers_at = calloc((size_t)count, sizeof *ls->workers_at);
    ls->queue = malloc(ls->n * sizeof *ls->queue);
    if (ls->workers_at == NULL || ls->queue == NULL)
        die("malloc");
    fflush(NULL);
    for (int k = 0; k < count; k++) {
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1)
            die("socketpair");
        struct cpu_worker *w = &ls->workers_at[k];
        w->pid = cleanup_fork(&w->slot);
        if (w->pid == 0) {
            for (int j = 0; j < k; j++)              /* the others' ends are not ours */
                close(ls->workers_at[j].fd);
            close(pair[0]);
            cpu_worker_main(ls->s, pair[1]);
        }
        close(pair[1]);
        loop_handler_init(&w->handler, on_worker);
        w->fd = pair[0];                             /* watched once the loop is made */
        w->study = ls;
    }
}

/* End of file stops each worker; reap it and add its peak. */
static void stop_cpu_workers(struct loop_study *ls, struct peaks *peak)
{
    for (int k = 0; k < ls->workers; k++)
        close(ls->workers_at[k].fd);
    for (int k = 0; k < ls->workers; k++) {
        struct rusage used;
        int status;
        if (wait4(ls->workers_at[k].pid, &status, 0, &used) == -1)
            die("wait4");
        cleanup_forget(ls->workers_at[k].slot);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die_msg("CPU worker %d ended badly (status 0x%x)", k, (unsigned)status);
        peak->children_sum_kib += used.ru_maxrss;
        if (used.ru_maxrss > peak->children_largest_kib)
            peak->children_largest_kib = used.ru_maxrss;
    }
    free(ls->workers_at);
    free(ls->queue);
}

/* The sixth way: every user's call in one loop, at most s->in_flight at once;
 * the CPU step in the loop (workers 0) or in `workers` processes. */
static void loop_way(const struct study *s, size_t n, int workers, struct user *users,
                     struct outcome *o)
{
    struct loop_study ls = { .s = s, .n = n, .results = users, .limit = s->in_flight };
    ls.users = calloc(n, sizeof *ls.users);
    if (ls.users == NULL)
        die("calloc");
    if (workers > 0)
        start_cpu_workers(&ls, workers);
    loop_init(&ls.loop);
    for (int k = 0; k < ls.workers; k++)
        loop_watch(&ls.loop, &ls.workers_at[k].handler, ls.workers_at[k].fd, EPOLLIN);
    gil g;
    gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&ls.thread, &g, 0, 0);
    interp_begin(&ls.thread);

    start_users(&ls);
    loop_run(&ls.loop);                              /* until every user is done */

    interp_end(&ls.thread);
    gil_thread_free(&ls.thread);
    gil_destroy(&g);
    if (ls.done != n)
        die_msg("the loop ended with %zu of %zu users done", ls.done, n);
    o->most_waiting = ls.most_waiting;
    o->stall_ms = (double)ls.loop.longest_stall_ns / NS_PER_MS;
    if (workers > 0) {
        stop_cpu_workers(&ls, &o->peak);
        o->processes = workers;
    }
    loop_free(&ls.loop);
    free(ls.users);
}

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_ways(const struct config *cfg, struct way *ways);
static int serve_only(const struct config *cfg);
static long descriptors_for_calls(const struct config *cfg);
static void start_server(const struct config *cfg, api_server *server);
static void yield_to_server(void);
static report *start_report(const struct config *cfg, int argc, char *argv[]);
static void measure_users(const struct config *cfg, const struct study *s, size_t n, const struct way *ways,
                          size_t n_ways, report *out, progress *bar);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    struct way ways[2 * N_METHODS];
    size_t n_ways = plan_ways(&cfg, ways);
    if (cfg.serve)
        return serve_only(&cfg);
    long in_flight = descriptors_for_calls(&cfg);

    api_server server;
    start_server(&cfg, &server);
    yield_to_server();
    struct study s = { .port = server.port, .server = server.pid, .timeout_ns = cfg.timeout_ns,
                       .backoff_ns = 10 * NS_PER_MS, .retries = (int)cfg.retries, .cpu_base = cfg.cpu_base,
                       .in_flight = in_flight };

    report *out = start_report(&cfg, argc, argv);
    progress bar;    /* a step per run of a way: what is run, not what could be */
    progress_start(&bar, "users", (long)(cfg.n_users * n_ways) * cfg.run.repeat, cfg.run.force_progress);
    report_progress(out, &bar);
    for (size_t k = 0; k < cfg.n_users; k++)
        measure_users(&cfg, &s, (size_t)cfg.users[k], ways, n_ways, out, &bar);
    progress_finish(&bar);

    printf("the server: %ld thread(s) answered every call\n", status_kib(server.pid, "Threads"));
    server_stop(&server);
    report_finish(out);
    printf("every way made the same users, and reported the same failed ones\n");
    return EXIT_SUCCESS;
}

/* The ways --methods and --gil ask for, in the order of method_names. */
static size_t plan_ways(const struct config *cfg, struct way *ways)
{
    size_t n = 0;
    for (int m = 0; m < N_METHODS; m++) {
        if (!cfg->method_used[m])
            continue;
        if (m != THREADS && m != HYBRID) {
            ways[n++] = (struct way){ (enum method)m, GIL_NEW, "-" };
            continue;
        }
        for (int g = 0; g < 2; g++)
            if (cfg->gil_used[g])
                ways[n++] = (struct way){ (enum method)m, gil_modes[g], gil_names[g] };
    }
    return n;
}

/* The API the options describe, in its own process (server.h). */
static void start_server(const struct config *cfg, api_server *server)
{
    server_start(server, &(server_options){ .latency_ns = cfg->latency_ns, .latency_sd_ns = cfg->sd_ns,
                                            .fail_rate = (double)cfg->fail_rate / 100,
                                            .slow_rate = (double)cfg->slow_rate / 100,
                                            .slow_ns = NS_PER_S, .seed = (uint64_t)cfg->seed });
}

/* --serve: only the API, for a client in another language (the asyncio
 * companion): its port on stdout, then it answers until stdin reaches
 * end-of-file (the client has finished, or died) or a signal stops us. */
static int serve_only(const struct config *cfg)
{
    long before;
    loop_raise_descriptor_limit(&before);
    api_server server;
    start_server(cfg, &server);
    printf("serving on 127.0.0.1 port %d until stdin closes\n", server.port);
    fflush(stdout);
    char buf[256];
    for (ssize_t n = 1; n > 0 || (n == -1 && errno == EINTR);)
        n = read(STDIN_FILENO, buf, sizeof buf);     /* until end-of-file (or an error) */
    server_stop(&server);
    return EXIT_SUCCESS;
}

// snippet-begin: descriptors
/* The event loop holds a socket for every call in flight: raise the soft
 * limit on open descriptors to the hard one, and keep the calls at once
 * below it (with room for the rest of the program). */
static long descriptors_for_calls(const struct config *cfg)
{
    long before, limit = loop_raise_descriptor_limit(&before);
    if (limit != before)
        printf("descriptors: soft limit raised from %ld to %ld (the hard limit)\n", before, limit);
    else
        printf("descriptors: soft limit %ld, already the hard limit\n", limit);
    long room = limit - 64;
    if (cfg->in_flight <= room)
        return (long)cfg->in_flight;
    printf("descriptors: at most %ld calls in flight at once, not %lld\n", room < 1 ? 1 : room, cfg->in_flight);
    return room < 1 ? 1 : room;
}
// snippet-end: descriptors

/* The server stands for a remote machine: its answers must not wait for
 * our computing. On the same cores they would: with 500 user processes
 * computing at once, a server thread that wakes to answer waits its turn
 * behind hundreds, past the 250 ms timeout. So everything started from now
 * on (this thread, and the threads and processes it creates) runs at a
 * lower priority than the server, which was started before: nice 10. (No
 * privilege is needed to lower one's own priority; on Linux it is per
 * thread, and inherited.) */
static void yield_to_server(void)
{
    errno = 0;
    if (nice(10) == -1 && errno != 0)
        die("nice");
}

/* ---- the peak memory: the kernel's high-water marks ------------------------------- */

/* From now on, the VmHWM of process pid (0: this one) is its peak since
 * now (proc(5): writing 5 to clear_refs resets it to the current resident
 * size). */
static void peak_reset(pid_t pid)
{
    char path[64] = "/proc/self/clear_refs";
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs("5", f) == EOF || fclose(f) == EOF)
        die("reset the peak memory: %s", path);
}

static void peak_of_self(struct peaks *peak)
{
    peak->self_kib = status_kib(0, "VmHWM");
    if (peak->self_kib < 0)
        die_msg("no VmHWM in /proc/self/status");
}

/* The bounds of the whole tree's peak: every process's own peak added up
 * (above it), and the largest of them (below it). */
static long peak_sum_kib(const struct peaks *peak)
{
    return peak->self_kib + peak->children_sum_kib;
}

static long peak_largest_kib(const struct peaks *peak)
{
    return peak->self_kib > peak->children_largest_kib ? peak->self_kib : peak->children_largest_kib;
}

/* The parent of process pid, from /proc/PID/stat; -1 if it is gone. */
static pid_t parent_of(pid_t pid)
{
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t len = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[len] = '\0';
    const char *after = strrchr(stat, ')');     /* "pid (comm) state ppid ...": comm may hold ')' */
    int ppid;
    return after && sscanf(after + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : -1;
}

/* Add the peaks of our child processes but the server, alive at this
 * moment: a pool's workers, before the pool stops them. Returns how many. */
static long workers_peak(struct peaks *peak, pid_t server)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        die("opendir /proc");
    long found = 0;
    for (struct dirent *e; (e = readdir(proc)) != NULL;) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0 || pid == server || parent_of(pid) != getpid())
            continue;
        long kib = status_kib(pid, "VmHWM");
        if (kib < 0)
            continue;
        peak->children_sum_kib += kib;
        if (kib > peak->children_largest_kib)
            peak->children_largest_kib = kib;
        found++;
    }
    closedir(proc);
    return found;
}

/* ---- the results ----------------------------------------------------------------- */

static const column columns[] = {
    { .name = "method", .kind = COL_TEXT, .width = 16 },
    { .name = "gil", .kind = COL_TEXT },
    { .name = "users", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "cpu_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "peak_sum_mib", .kind = COL_REAL, .decimals = 1 },
    { .name = "peak_largest_mib", .kind = COL_REAL, .decimals = 1 },
    { .name = "processes", .kind = COL_INT },
    { .name = "threads", .kind = COL_INT },
    { .name = "failed", .kind = COL_INT },
    { .name = "calls", .kind = COL_INT },
    { .name = "in_flight", .kind = COL_INT },
    { .name = "stall_ms", .kind = COL_TEXT, .width = 8 },
    { .name = "kib_per_wait", .kind = COL_REAL, .decimals = 1 },
    { .name = "server_mib", .kind = COL_REAL, .decimals = 1 },
    { 0 },
};

/* The API and the pools, on stdout and in the data file; then the rows. */
static report *start_report(const struct config *cfg, int argc, char *argv[])
{
    double latency_ms = (double)cfg->latency_ns / NS_PER_MS, sd_ms = (double)cfg->sd_ns / NS_PER_MS;
    double timeout_ms = (double)cfg->timeout_ns / NS_PER_MS;
    printf("API: %.0f +- %.0f ms, %lld%% of attempts fail, %lld%% take 1 s; timeout %.0f ms, %lld retries; "
           "%lld workers, %d cores; a user is %zu bytes\n", latency_ms, sd_ms, cfg->fail_rate, cfg->slow_rate,
           timeout_ms, cfg->retries, cfg->workers, cpus_allowed(), sizeof(struct user));
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "workers: %lld", cfg->workers);
    report_comment(out, "user_bytes: %zu", sizeof(struct user));
    report_comment(out, "cpu_step: long_factorize of %lld + (value mod 1000)", cfg->cpu_base);
    report_comment(out, "in_flight_limit: %lld (the event loop's calls at once, within the descriptor limit)",
                   cfg->in_flight);
    report_comment(out, "peak_memory: peak_sum adds every process's own peak (VmHWM, wait4 ru_maxrss), "
                        "peak_largest is the largest of them; the server is not counted");
    report_comment(out, "api: latency %.0f ms sd %.0f ms, %lld%% fail, %lld%% slow (1 s), timeout %.0f ms, %lld retries",
                   latency_ms, sd_ms, cfg->fail_rate, cfg->slow_rate, timeout_ms, cfg->retries);
    return out;
}

static void report_way(report *out, struct way w, size_t n, const struct config *cfg, const double *wall,
                       const double *cpu, long sum_kib, long largest_kib, struct outcome o,
                       const struct user *users);
static void report_failed_users(const struct user *users, size_t n, const progress *bar);

/* Every way for n users, repeat after repeat; every run's users are checked
 * against the first run's. */
static void measure_users(const struct config *cfg, const struct study *s, size_t n, const struct way *ways,
                          size_t n_ways, report *out, progress *bar)
{
    struct user *expected = calloc(n, sizeof *expected), *got = calloc(n, sizeof *got);
    if (expected == NULL || got == NULL)
        die("calloc");
    double *wall = samples_alloc(cfg->run.repeat), *cpu = samples_alloc(cfg->run.repeat);
    for (size_t w = 0; w < n_ways; w++) {
        long sum_kib = 0, largest_kib = 0;  /* the largest over the repeats */
        struct outcome o = { 0 };
        for (long r = 0; r < cfg->run.repeat; r++) {
            o = run_way(ways[w], s, n, (int)cfg->workers, got);
            wall[r] = o.wall_s;
            cpu[r] = o.cpu_s;
            if (peak_sum_kib(&o.peak) > sum_kib)
                sum_kib = peak_sum_kib(&o.peak);
            if (peak_largest_kib(&o.peak) > largest_kib)
                largest_kib = peak_largest_kib(&o.peak);
            if (w == 0 && r == 0)
                memcpy(expected, got, n * sizeof *got);
            else if (memcmp(expected, got, n * sizeof *got) != 0)
                die_msg("%s with %zu users made different users", method_names[ways[w].method], n);
            progress_advance(bar, 1);
        }
        report_way(out, ways[w], n, cfg, wall, cpu, sum_kib, largest_kib, o, got);
    }
    report_failed_users(expected, n, bar);
    free(wall);
    free(cpu);
    free(expected);
    free(got);
}

/* One row: the times over the repeats, the highest peaks, the last run's
 * counts. */
static void report_way(report *out, struct way w, size_t n, const struct config *cfg, const double *wall,
                       const double *cpu, long sum_kib, long largest_kib, struct outcome o,
                       const struct user *users)
{
    long failed = 0, calls = 0;
    for (size_t i = 0; i < n; i++) {
        failed += !users[i].ok;
        calls += users[i].attempts;
    }
    size_t repeat = (size_t)cfg->run.repeat;
    report_text(out, method_names[w.method]);
    report_text(out, w.gil_name);
    report_int(out, (long long)n);
    report_int(out, cfg->run.repeat);
    report_spread(out, wall, repeat);
    report_real(out, summarize(cpu, repeat).median);
    report_real(out, (double)sum_kib / 1024);
    report_real(out, (double)largest_kib / 1024);
    report_int(out, o.processes);
    report_int(out, o.threads);
    report_int(out, failed);
    report_int(out, calls);
    report_int(out, o.most_waiting);
    char stall[32] = "-";
    if (o.stall_ms >= 0)
        snprintf(stall, sizeof stall, "%.1f", o.stall_ms);
    report_text(out, stall);
    report_real(out, (double)sum_kib / (double)o.most_waiting);   /* the price of each wait at once */
    report_real(out, (double)o.server_kib / 1024);
}

/* The users that failed for good: the first five by name, then how many. */
static void report_failed_users(const struct user *users, size_t n, const progress *bar)
{
    long failed = 0;
    progress_clear(bar);
    for (size_t i = 0; i < n; i++)
        if (!users[i].ok && failed++ < 5)
            printf("  user %lld failed after %d attempts\n", (long long)users[i].id, users[i].attempts);
    if (failed > 5)
        printf("  ... %ld users failed in all\n", failed);
}

/* ---- the pools' side of the ways ---------------------------------------------------- */

/* Map the users over a pool; returns the workers it started. */
static long map_users(pool_kind kind, int workers, gil_mode threads_gil, pool_fn fn, const struct study *s,
                      const pool_input *inputs, size_t n, struct user *users, struct peaks *peak)
{
    pool_result *r = calloc(n, sizeof *r);
    if (r == NULL)
        die("calloc");
    pool_options opt = { .kind = kind, .workers = workers, .fn = fn, .context = (void *)s,
                         .output_max = sizeof(struct user), .gil = threads_gil };
    pool *p = pool_create(&opt);
    pool_map(p, inputs, n, r);
    pool_stats stats = pool_get_stats(p);
    if (kind == POOL_PROCESSES) {  /* the workers' peaks, before pool_destroy reaps them */
        long alive = stats.workers_started - stats.workers_lost;
        if (workers_peak(peak, s->server) != alive)
            die_msg("found the peak memory of fewer than the pool's %ld workers", alive);
    }
    pool_destroy(p);
    long started = stats.workers_started;
    for (size_t i = 0; i < n; i++) {
        if (r[i].status != POOL_DONE)
            die_msg("user %zu: %s", i, r[i].error);
        memcpy(&users[i], r[i].data, sizeof users[i]);
    }
    pool_results_free(r, n);
    free(r);
    return started;
}

/* A user from its number: the call and the CPU step (threads, process-pool). */
static int whole_user_task(pool_task *task)
{
    struct user u = { 0 };
    memcpy(&u.id, task->input, sizeof u.id);
    fetch(task->context, task->thread, &u);
    post_process(task->context, task->thread, &u);
    memcpy(task->output, &u, sizeof u);
    task->output_len = sizeof u;
    return 0;
}

/* hybrid, first pool: the call only. */
static int fetch_task(pool_task *task)
{
    struct user u = { 0 };
    memcpy(&u.id, task->input, sizeof u.id);
    fetch(task->context, task->thread, &u);
    memcpy(task->output, &u, sizeof u);
    task->output_len = sizeof u;
    return 0;
}

/* hybrid, second pool: the CPU step on a fetched user. */
static int cpu_task(pool_task *task)
{
    struct user u;
    memcpy(&u, task->input, sizeof u);
    post_process(task->context, task->thread, &u);
    memcpy(task->output, &u, sizeof u);
    task->output_len = sizeof u;
    return 0;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "case_study [--users LIST] [--methods LIST] [--gil LIST] [--workers N] [--latency D] [--sd D]\n"
    "                  [--fail-rate P] [--slow-rate P] [--timeout D] [--retries N] [--cpu N]\n"
    "                  [--in-flight N] [--serve] [--repeat N] [--seed N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Generates synthetic users (an API call and CPU work each) seven ways and\n"
    "compares wall time, CPU time, peak memory and processes/threads created.\n"
    "\n"
    "  --users LIST      users per run (1 to 10000; default 20,100,500)\n"
    "  --methods LIST    serial, threads, process-per-user, process-pool, hybrid,\n"
    "                    event-loop, event-loop-pool (default all)\n"
    "  --gil LIST        the threads' simulated GIL: new, none (default both)\n"
    "  --workers N       workers of the thread pool and the process pool (1 to 256;\n"
    "                    default 8); hybrid's and event-loop-pool's process pools\n"
    "                    have one per core\n"
    "  --in-flight N     the event loop's calls at once, at most (1 to 10000;\n"
    "                    default 10000, within the descriptor limit)\n"
    "  --serve           only start the API, print its port and serve until stdin\n"
    "                    closes (for case_study_asyncio.py)\n"
    "  --latency D       the API's mean latency (0 to 10s; default 20ms)\n"
    "  --sd D            its standard deviation (0 to 10s; default 10ms)\n"
    "  --fail-rate P     percent of attempts answered 503 (0 to 100; default 5)\n"
    "  --slow-rate P     percent of attempts answered after 1 s (0 to 100; default 2)\n"
    "  --timeout D       per call (1ms to 60s; default 250ms): a slow answer times out\n"
    "  --retries N       retries after a failed attempt (0 to 10; default 3)\n"
    "  --cpu N           CPU work per user: long_factorize of N + (value mod 1000)\n"
    "                    (1000 to 10^9; default 2000001, a few ms)\n"
    "  --seed N          the server's seed (default 1)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "users", required_argument, NULL, 'u' },
        { "methods", required_argument, NULL, 'm' },
        { "gil", required_argument, NULL, 'g' },
        { "workers", required_argument, NULL, 'w' },
        { "latency", required_argument, NULL, 'l' },
        { "sd", required_argument, NULL, 's' },
        { "fail-rate", required_argument, NULL, 'f' },
        { "slow-rate", required_argument, NULL, 'S' },
        { "timeout", required_argument, NULL, 't' },
        { "retries", required_argument, NULL, 'R' },
        { "cpu", required_argument, NULL, 'c' },
        { "seed", required_argument, NULL, 'e' },
        { "in-flight", required_argument, NULL, 'i' },
        { "serve", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .users = { 20, quick ? 60 : 100, 500 },
        .n_users = quick ? 2 : 3,
        .method_used = { true, true, true, true, true, true, true },
        .gil_used = { true, true },
        .workers = 8,
        .latency_ns = (quick ? 5 : 20) * NS_PER_MS,
        .sd_ns = (quick ? 2 : 10) * NS_PER_MS,
        .fail_rate = 5,
        .slow_rate = 2,
        .timeout_ns = 250 * NS_PER_MS,
        .retries = 3,
        .cpu_base = 2000001,
        .seed = 1,
        .in_flight = 10000,
        .run.repeat = quick ? 1 : 3,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "users 20,60, latency 5ms, sd 2ms, repeat 1";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'u':
            cfg->n_users = arg_int_list("--users", optarg, 1, 10000, cfg->users, MAX_COUNTS);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, cfg->method_used);
            break;
        case 'g':
            arg_choice_list("--gil", optarg, gil_names, cfg->gil_used);
            break;
        case 'w':
            cfg->workers = arg_int("--workers", optarg, 1, POOL_MAX_WORKERS);
            break;
        case 'l':
            cfg->latency_ns = arg_duration_ns("--latency", optarg, 0, 10 * NS_PER_S);
            break;
        case 's':
            cfg->sd_ns = arg_duration_ns("--sd", optarg, 0, 10 * NS_PER_S);
            break;
        case 'f':
            cfg->fail_rate = arg_int("--fail-rate", optarg, 0, 100);
            break;
        case 'S':
            cfg->slow_rate = arg_int("--slow-rate", optarg, 0, 100);
            break;
        case 't':
            cfg->timeout_ns = arg_duration_ns("--timeout", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'R':
            cfg->retries = arg_int("--retries", optarg, 0, 10);
            break;
        case 'c':
            cfg->cpu_base = arg_int("--cpu", optarg, 1000, 1000000000);
            break;
        case 'e':
            cfg->seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        case 'i':
            cfg->in_flight = arg_int("--in-flight", optarg, 1, 10000);
            break;
        case 'v':
            cfg->serve = true;
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (cfg->fail_rate + cfg->slow_rate > 100)
        usage_error("--fail-rate %lld and --slow-rate %lld add up to more than 100", cfg->fail_rate,
                    cfg->slow_rate);
}
