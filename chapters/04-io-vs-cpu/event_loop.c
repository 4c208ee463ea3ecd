/*
 * event_loop.c - the waiting workloads (sleep and api) without threads and
 * without processes: one thread, one event loop (common/eventloop.h), every
 * task's wait in it at once. A sleep is a deadline in the loop's heap; an
 * API call is a non-blocking socket the loop watches (epoll); the mixed
 * batch puts both in the same loop.
 *
 *   build/chapter04/event_loop --quick
 *   build/chapter04/event_loop --tasks 16,1000 --workloads sleep,api,mixed
 *   build/chapter04/event_loop --tasks 4000 --sleep 50ms --latency 50ms
 *
 * It prints one row per workload and number of tasks: the wall time
 * (median, min and max over the repeats), the sum of the tasks' own waits
 * (what the batch costs one task after another), the overlap (that sum over
 * the wall time: how many waits were in flight on average; medians of the
 * repeats' own figures), the threads the
 * program ran (one), the most tasks waiting at once and the loop's longest
 * turn. Every task's result is checked (a sleep returns its number, a call
 * the server's value for it). First it raises the descriptor limit to the
 * hard limit and says so: a call in flight holds a socket.
 *
 * What to expect: 16 waits of 100 ms take about 100 ms, as with 16 threads
 * in scaling, and so do 1,000 or 4,000, in one thread; the loop pays a few
 * microseconds per task, not a thread's stack. Compare with scaling's
 * sleep and api rows (threads and processes) and chapter 10's case_study
 * (event-loop: the same loop with timeouts, retries and CPU work).
 */
#define _GNU_SOURCE /* SOCK_NONBLOCK, SOCK_CLOEXEC */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "eventloop.h"
#include "options.h"
#include "random.h"
#include "report.h"
#include "server.h"

#define MAX_COUNTS 16
enum kind { SLEEP, API, MIXED };
static const char *const kind_names[] = { "sleep", "api", "mixed", NULL };

struct config {
    long long tasks[MAX_COUNTS];
    size_t n_tasks;
    bool kind_used[3];
    long long sleep_ns, latency_ns, seed;
    run_options run;
};

struct batch;
struct task;
static void task_done(struct task *t, int64_t result);
static void send_request(struct task *t);
static int64_t answer_value(const struct task *t);

// snippet-begin: loop-task
/* One task in the loop: a timer, or a call on a socket. */
struct task {
    loop_handler handler;          /* first: the loop hands it back */
    long index;
    bool is_call;
    int64_t result;                /* -1 until done */
    int64_t started_ns, waited_ns;
    size_t got;
    char answer[512];
    struct batch *batch;
};

/* A sleep: its deadline has come. A call: connected (send the request),
 * or readable (read; the server closes after its answer). Nothing here
 * blocks: each step is taken when the loop says it can be. */
static void on_task(event_loop *loop, loop_handler *h, uint32_t events)
{
    struct task *t = (struct task *)h;
    if (!t->is_call) {                                 /* time.sleep(d), as a deadline */
        task_done(t, t->index);
        return;
    }
    if (events == LOOP_DEADLINE)
        die_msg("call %ld: no answer within the time limit", t->index);
    if (events & EPOLLOUT) {                           /* connected: ask */
        send_request(t);
        loop_change(loop, h, EPOLLIN);
        return;
    }
    ssize_t n = recv(h->fd, t->answer + t->got, sizeof t->answer - 1 - t->got, 0);
    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n == -1)
        die("call %ld: recv", t->index);
    t->got += (size_t)n;
    t->answer[t->got] = '\0';
    if (n == 0 || t->got == sizeof t->answer - 1)      /* the whole answer */
        task_done(t, answer_value(t));
}
// snippet-end: loop-task

/* ---- a batch: every task started at once, then the loop ------------------------------ */

struct batch {
    event_loop loop;
    const struct config *cfg;
    int port;
    long waiting, most_waiting;
};

static void task_done(struct task *t, int64_t result)
{
    int fd = t->handler.fd;
    if (fd >= 0) {
        loop_forget(&t->batch->loop, &t->handler);
        close(fd);
    }
    loop_clear_deadline(&t->batch->loop, &t->handler);
    t->result = result;
    t->waited_ns = now_ns() - t->started_ns;
    t->batch->waiting--;
}

static void send_request(struct task *t)
{
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(t->handler.fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1 || error != 0)
        die_msg("call %ld: connect: %s", t->index, strerror(error));
    char request[128];
    int n = snprintf(request, sizeof request, "GET /item/%ld HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", t->index);
    if (send(t->handler.fd, request, (size_t)n, MSG_NOSIGNAL) != n)
        die("call %ld: send", t->index);
}

static int64_t answer_value(const struct task *t)
{
    uint64_t value;
    char error[128];
    if (server_parse(t->answer, &value, error, sizeof error) != 200)
        die_msg("call %ld: %s", t->index, error);
    return (int64_t)(value >> 1);
}

/* Task i of the batch: a deadline, or a non-blocking connect. */
static void start_task(struct batch *b, struct task *t, long i, bool is_call)
{
    *t = (struct task){ .index = i, .is_call = is_call, .result = -1, .started_ns = now_ns(), .batch = b };
    loop_handler_init(&t->handler, on_task);
    if (++b->waiting > b->most_waiting)
        b->most_waiting = b->waiting;
    if (!is_call) {
        loop_set_deadline(&b->loop, &t->handler,
                          t->started_ns + gaussian_delay_ns((uint64_t)b->cfg->seed, (uint64_t)i, b->cfg->sleep_ns, 0));
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1)
        die("socket (task %ld)", i);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)b->port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    loop_watch(&b->loop, &t->handler, fd, EPOLLOUT);
    loop_set_deadline(&b->loop, &t->handler, t->started_ns + 10 * NS_PER_S + 10 * b->cfg->latency_ns);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1 && errno != EINPROGRESS)
        die("call %ld: connect", i);
}

struct run {
    double wall_s, waited_s, stall_ms;
    long most_waiting;
};

/* One batch of n tasks of `kind` in one loop; every result checked. */
static struct run run_batch(const struct config *cfg, int port, enum kind kind, long n)
{
    struct batch b = { .cfg = cfg, .port = port };
    struct task *tasks = calloc((size_t)n, sizeof *tasks);
    if (tasks == NULL)
        die("calloc");
    loop_init(&b.loop);
    int64_t start = now_ns();
    for (long i = 0; i < n; i++)                       /* mixed: every other task a call */
        start_task(&b, &tasks[i], i, kind == API || (kind == MIXED && i % 2 == 1));
    loop_run(&b.loop);                                 /* until every task is done */
    struct run r = { .wall_s = (double)(now_ns() - start) / NS_PER_S, .most_waiting = b.most_waiting,
                     .stall_ms = (double)b.loop.longest_stall_ns / NS_PER_MS };
    for (long i = 0; i < n; i++) {
        int64_t expected = tasks[i].is_call ? (int64_t)(server_value((uint64_t)cfg->seed, i) >> 1) : i;
        if (tasks[i].result != expected)
            die_msg("task %ld: %lld, not %lld", i, (long long)tasks[i].result, (long long)expected);
        r.waited_s += (double)tasks[i].waited_ns / NS_PER_S;
    }
    loop_free(&b.loop);
    free(tasks);
    return r;
}

/* ---- main ---------------------------------------------------------------------------- */

static void parse_args(int argc, char *argv[], struct config *cfg);
static report *start_report(const struct config *cfg, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    long before, limit = loop_raise_descriptor_limit(&before);
    if (limit != before)
        printf("descriptors: soft limit raised from %ld to %ld (the hard limit)\n", before, limit);
    else
        printf("descriptors: soft limit %ld, already the hard limit\n", limit);
    for (size_t k = 0; k < cfg.n_tasks; k++)
        if (cfg.kind_used[API] + cfg.kind_used[MIXED] > 0 && cfg.tasks[k] > limit - 64)
            die_msg("%lld calls at once need more descriptors than the limit, %ld", cfg.tasks[k], limit);

    api_server server;
    server_start(&server, &(server_options){ .latency_ns = cfg.latency_ns, .seed = (uint64_t)cfg.seed });
    report *out = start_report(&cfg, argc, argv);
    double *wall = samples_alloc(cfg.run.repeat), *waited = samples_alloc(cfg.run.repeat);
    double *overlap = samples_alloc(cfg.run.repeat);
    for (int kind = SLEEP; kind <= MIXED; kind++) {
        if (!cfg.kind_used[kind])
            continue;
        for (size_t k = 0; k < cfg.n_tasks; k++) {
            struct run r = { 0 };
            double stall = 0;
            for (long i = 0; i < cfg.run.repeat; i++) {
                r = run_batch(&cfg, server.port, (enum kind)kind, (long)cfg.tasks[k]);
                wall[i] = r.wall_s;
                waited[i] = r.waited_s;
                overlap[i] = r.waited_s / r.wall_s;    /* at most the tasks: each waits within the batch */
                stall = r.stall_ms > stall ? r.stall_ms : stall;
            }
            size_t n = (size_t)cfg.run.repeat;
            report_text(out, kind_names[kind]);
            report_int(out, cfg.tasks[k]);
            report_int(out, cfg.run.repeat);
            report_spread(out, wall, n);
            report_real(out, summarize(waited, n).median);
            report_real(out, summarize(overlap, n).median);
            report_int(out, 1);
            report_int(out, r.most_waiting);
            report_real(out, stall);
        }
    }
    server_stop(&server);
    report_finish(out);
    free(wall);
    free(waited);
    free(overlap);
    printf("every task's result was right; one thread waited for them all\n");
    return EXIT_SUCCESS;
}

static const column columns[] = {
    { .name = "workload", .kind = COL_TEXT },
    { .name = "tasks", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "waited_s", .kind = COL_REAL, .decimals = 3 },
    { .name = "overlap", .kind = COL_REAL, .decimals = 1 },
    { .name = "threads", .kind = COL_INT },
    { .name = "in_flight", .kind = COL_INT },
    { .name = "stall_ms", .kind = COL_REAL, .decimals = 2 },
    { 0 },
};

static report *start_report(const struct config *cfg, int argc, char *argv[])
{
    printf("sleep %.0f ms, API latency %.0f ms; one thread, one loop\n", (double)cfg->sleep_ns / NS_PER_MS,
           (double)cfg->latency_ns / NS_PER_MS);
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "sleep_ns: %lld", cfg->sleep_ns);
    report_comment(out, "latency_ns: %lld", cfg->latency_ns);
    return out;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "event_loop [--tasks LIST] [--workloads LIST] [--sleep D] [--latency D] [--seed N]\n"
    "                  [--repeat N] [--data FILE] [--quick]";
static const char help_text[] =
    "Runs the waiting workloads (sleep, api, both mixed) in one thread's event\n"
    "loop, every task's wait at once, and checks every result.\n"
    "\n"
    "  --tasks LIST      tasks per batch (1 to 10000; default 16,1000,4000)\n"
    "  --workloads LIST  sleep, api, mixed (default all)\n"
    "  --sleep D         each sleep task's delay (1ms to 60s; default 100ms)\n"
    "  --latency D       the local server's latency (0 to 60s; default 100ms)\n"
    "  --seed N          the server's seed (default 1)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "tasks", required_argument, NULL, 't' },
        { "workloads", required_argument, NULL, 'w' },
        { "sleep", required_argument, NULL, 's' },
        { "latency", required_argument, NULL, 'l' },
        { "seed", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .tasks = { 16, quick ? 200 : 1000, 4000 },
        .n_tasks = quick ? 2 : 3,
        .kind_used = { true, true, true },
        .sleep_ns = (quick ? 10 : 100) * NS_PER_MS,
        .latency_ns = (quick ? 10 : 100) * NS_PER_MS,
        .seed = 1,
        .run.repeat = quick ? 1 : 3,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "tasks 16,200, sleep and latency 10ms, repeat 1";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 't':
            cfg->n_tasks = arg_int_list("--tasks", optarg, 1, 10000, cfg->tasks, MAX_COUNTS);
            break;
        case 'w':
            arg_choice_list("--workloads", optarg, kind_names, cfg->kind_used);
            break;
        case 's':
            cfg->sleep_ns = arg_duration_ns("--sleep", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'l':
            cfg->latency_ns = arg_duration_ns("--latency", optarg, 0, 60 * NS_PER_S);
            break;
        case 'e':
            cfg->seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
