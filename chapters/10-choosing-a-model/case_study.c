/*
 * case_study.c - generate N synthetic users, each needing one call to a
 * remote API (the workbook's local server: a latency distribution, some
 * failures, some very slow answers) and some CPU work on the reply, five
 * ways, all producing the same users:
 *
 *   serial             one simulated Python thread, user after user
 *   threads            a thread pool (under the simulated GIL, or without)
 *   process-per-user   a process for each user, results sent back through
 *                      one pipe: the source document's multiprocessing code
 *   process-pool       a pool of worker processes
 *   hybrid             a thread pool for the calls, then a process pool for
 *                      the CPU step
 *
 * Each call has a timeout; a failed or timed-out call is retried, a bounded
 * number of times, after a growing pause; a user whose every attempt failed
 * is reported, never dropped.
 *
 *   build/chapter10/case_study --quick
 *   build/chapter10/case_study --users 100 --methods threads,process-pool --gil new,none
 *   build/chapter10/case_study --users 100 --fail-rate 0 --slow-rate 0
 *
 * It prints one row per way and number of users: the wall time (median,
 * min and max over the repeats), the CPU time, the peak memory of the whole
 * process tree, the processes and threads it created, the users that failed
 * and the calls made; then the users that failed for good. Every way's users
 * are checked, field by field, against the first way's.
 *
 * What to expect: the calls wait, so every way but serial overlaps them;
 * what separates the others is the price (memory, processes, CPU).
 * process-per-user is fast for many users and pays the most memory; threads
 * pay the least. Compare with chapter 4's scaling (the same waiting and
 * computing, apart) and chapter 1's creation_cost (what a process costs).
 *
 * The five ways stay one program chosen by --methods, not five files: they
 * must be measured side by side, in one run, against the same server, for
 * their users to be compared.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
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

enum method { SERIAL, THREADS, PER_USER, POOL, HYBRID };
#define N_METHODS 5
static const char *const method_names[] = { "serial", "threads", "process-per-user", "process-pool", "hybrid", NULL };
static const char *const gil_names[] = { "new", "none", NULL };
static const gil_mode gil_modes[] = { GIL_NEW, GIL_NONE };

struct config {
    long long users[MAX_COUNTS];     /* users per run, one run per count */
    size_t n_users;
    bool method_used[N_METHODS], gil_used[2];
    long long workers;
    long long latency_ns, sd_ns, fail_rate, slow_rate; /* the API */
    long long timeout_ns, retries, cpu_base, seed;
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
    int64_t timeout_ns, backoff_ns;
    int retries;
    int64_t cpu_base;
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

/* ---- the five ways ---------------------------------------------------------------- */

struct outcome {
    double wall_s, cpu_s;
    long processes, threads;  /* created */
};

static long map_users(pool_kind kind, int workers, gil_mode threads_gil, pool_fn fn, const struct study *s,
                      const pool_input *inputs, size_t n, struct user *users);
static int whole_user_task(pool_task *task);
static int fetch_task(pool_task *task);
static int cpu_task(pool_task *task);
static void per_user(const struct study *s, size_t n, struct user *users);

/* Generate users 0 to n-1 one way, into users[]. */
static struct outcome run_way(struct way w, const struct study *s, size_t n, int workers, struct user *users)
{
    struct outcome o = { 0 };
    pool_input *ids = pool_numbered_inputs(n);
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
        break;
    }
    case THREADS:
        o.threads = map_users(POOL_THREADS, workers, w.gil, whole_user_task, s, ids, n, users);
        break;
    case PER_USER:
        per_user(s, n, users);
        o.processes = (long)n;
        break;
    case POOL:
        o.processes = map_users(POOL_PROCESSES, workers, w.gil, whole_user_task, s, ids, n, users);
        break;
    case HYBRID: {
        // snippet-begin: hybrid
        struct user *fetched = malloc(n * sizeof *fetched);
        pool_input *in = malloc(n * sizeof *in);
        if (fetched == NULL || in == NULL)
            die("malloc");
        o.threads = map_users(POOL_THREADS, workers, w.gil, fetch_task, s, ids, n, fetched); /* wait */
        for (size_t i = 0; i < n; i++)
            in[i] = (pool_input){ &fetched[i], sizeof fetched[i] };
        o.processes = map_users(POOL_PROCESSES, cpus_allowed(), w.gil, cpu_task, s, in, n, users);
        // snippet-end: hybrid
        free(fetched);
        free(in);
        break;
    }
    }
    o.wall_s = (double)(now_ns() - start) / NS_PER_S;
    o.cpu_s = (double)(cpu_ns_with_children() - start_cpu) / NS_PER_S;
    pool_numbered_inputs_free(ids);
    return o;
}

// snippet-begin: per-user
/* A process for each user; each sends its user back through one pipe
 * (32 bytes: less than PIPE_BUF, so the writes never mix). */
_Static_assert(sizeof(struct user) <= PIPE_BUF, "a user is sent in one write, which must not mix");
static void per_user(const struct study *s, size_t n, struct user *users)
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
        if (waitpid(pids[i], NULL, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[i]);
    }
    close(fds[0]);
    free(pids);
    free(slots);
}
// snippet-end: per-user

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_ways(const struct config *cfg, struct way *ways);
static void sampler_start(void);
static report *start_report(const struct config *cfg, int argc, char *argv[]);
static void measure_users(const struct config *cfg, const struct study *s, size_t n, const struct way *ways,
                          size_t n_ways, report *out, progress *bar);
static void sampler_stop(void);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    struct way ways[2 * N_METHODS];
    size_t n_ways = plan_ways(&cfg, ways);

    api_server server;
    server_start(&server, &(server_options){ .latency_ns = cfg.latency_ns, .latency_sd_ns = cfg.sd_ns,
                                             .fail_rate = (double)cfg.fail_rate / 100,
                                             .slow_rate = (double)cfg.slow_rate / 100,
                                             .slow_ns = NS_PER_S, .seed = (uint64_t)cfg.seed });
    struct study s = { .port = server.port, .timeout_ns = cfg.timeout_ns, .backoff_ns = 10 * NS_PER_MS,
                       .retries = (int)cfg.retries, .cpu_base = cfg.cpu_base };
    sampler_start();

    report *out = start_report(&cfg, argc, argv);
    progress bar;    /* a step per run of a way: what is run, not what could be */
    progress_start(&bar, "users", (long)(cfg.n_users * n_ways) * cfg.run.repeat, cfg.run.force_progress);
    report_progress(out, &bar);
    for (size_t k = 0; k < cfg.n_users; k++)
        measure_users(&cfg, &s, (size_t)cfg.users[k], ways, n_ways, out, &bar);
    progress_finish(&bar);

    sampler_stop();
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

/* ---- the peak memory of the process tree ---------------------------------------- */

/* VmRSS of pid and all its descendants, in KiB. */
static long tree_rss_kib(pid_t pid)
{
    long total = status_kib(pid, "VmRSS");
    if (total < 0)
        return 0; /* gone meanwhile */
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (d == NULL)
        return total;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char path[320];
        snprintf(path, sizeof path, "/proc/%d/task/%s/children", (int)pid, e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        int child;
        while (fscanf(f, "%d", &child) == 1)
            total += tree_rss_kib(child);
        fclose(f);
    }
    closedir(d);
    return total;
}

static struct {
    pthread_t id;
    atomic_int stop;
    atomic_long peak_kib;   /* since the last reset */
} sampler;

/* Every 10 ms, the memory of the whole tree; the peak is kept. */
static void *sample_rss(void *arg)
{
    (void)arg;
    sigset_t stop;                  /* signals are the main thread's business */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    int rc = pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (rc != 0)
        die_rc(rc, "pthread_sigmask");
    while (!atomic_load(&sampler.stop)) {
        long kib = tree_rss_kib(getpid());
        if (kib > atomic_load(&sampler.peak_kib))
            atomic_store(&sampler.peak_kib, kib);
        sleep_ns(10 * NS_PER_MS);
    }
    return NULL;
}

static void sampler_start(void)
{
    int rc = pthread_create(&sampler.id, NULL, sample_rss, NULL);
    if (rc != 0)
        die_rc(rc, "pthread_create sampler");
}

static void sampler_stop(void)
{
    atomic_store(&sampler.stop, 1);
    join_all(&sampler.id, 1);
}

/* ---- the results ----------------------------------------------------------------- */

static const column columns[] = {
    { .name = "method", .kind = COL_TEXT, .width = 16 },
    { .name = "gil", .kind = COL_TEXT },
    { .name = "users", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "cpu_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "peak_rss_mib", .kind = COL_REAL, .decimals = 1 },
    { .name = "processes", .kind = COL_INT },
    { .name = "threads", .kind = COL_INT },
    { .name = "failed", .kind = COL_INT },
    { .name = "calls", .kind = COL_INT },
    { 0 },
};

/* The API and the pools, on stdout and in the data file; then the rows. */
static report *start_report(const struct config *cfg, int argc, char *argv[])
{
    double latency_ms = (double)cfg->latency_ns / NS_PER_MS, sd_ms = (double)cfg->sd_ns / NS_PER_MS;
    double timeout_ms = (double)cfg->timeout_ns / NS_PER_MS;
    printf("API: %.0f +- %.0f ms, %lld%% of attempts fail, %lld%% take 1 s; timeout %.0f ms, %lld retries; "
           "%lld workers, %d cores\n", latency_ms, sd_ms, cfg->fail_rate, cfg->slow_rate, timeout_ms,
           cfg->retries, cfg->workers, cpus_allowed());
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "workers: %lld", cfg->workers);
    report_comment(out, "api: latency %.0f ms sd %.0f ms, %lld%% fail, %lld%% slow (1 s), timeout %.0f ms, %lld retries",
                   latency_ms, sd_ms, cfg->fail_rate, cfg->slow_rate, timeout_ms, cfg->retries);
    return out;
}

static void report_way(report *out, struct way w, size_t n, const struct config *cfg, const double *wall,
                       const double *cpu, long peak_kib, struct outcome o, const struct user *users);
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
        long peak_kib = 0;
        struct outcome o = { 0 };
        for (long r = 0; r < cfg->run.repeat; r++) {
            atomic_store(&sampler.peak_kib, 0);
            o = run_way(ways[w], s, n, (int)cfg->workers, got);
            wall[r] = o.wall_s;
            cpu[r] = o.cpu_s;
            long kib = atomic_load(&sampler.peak_kib);
            peak_kib = kib > peak_kib ? kib : peak_kib;
            if (w == 0 && r == 0)
                memcpy(expected, got, n * sizeof *got);
            else if (memcmp(expected, got, n * sizeof *got) != 0)
                die_msg("%s with %zu users made different users", method_names[ways[w].method], n);
            progress_advance(bar, 1);
        }
        report_way(out, ways[w], n, cfg, wall, cpu, peak_kib, o, got);
    }
    report_failed_users(expected, n, bar);
    free(wall);
    free(cpu);
    free(expected);
    free(got);
}

/* One row: the times over the repeats, the last run's counts. */
static void report_way(report *out, struct way w, size_t n, const struct config *cfg, const double *wall,
                       const double *cpu, long peak_kib, struct outcome o, const struct user *users)
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
    report_real(out, (double)peak_kib / 1024);
    report_int(out, o.processes);
    report_int(out, o.threads);
    report_int(out, failed);
    report_int(out, calls);
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
                      const pool_input *inputs, size_t n, struct user *users)
{
    pool_result *r = calloc(n, sizeof *r);
    if (r == NULL)
        die("calloc");
    pool_options opt = { .kind = kind, .workers = workers, .fn = fn, .context = (void *)s,
                         .output_max = sizeof(struct user), .gil = threads_gil };
    pool *p = pool_create(&opt);
    pool_map(p, inputs, n, r);
    long started = pool_get_stats(p).workers_started;
    pool_destroy(p);
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
    "                  [--repeat N] [--seed N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Generates synthetic users (an API call and CPU work each) five ways and\n"
    "compares wall time, CPU time, peak memory and processes/threads created.\n"
    "\n"
    "  --users LIST      users per run (1 to 1000; default 20,100,500)\n"
    "  --methods LIST    serial, threads, process-per-user, process-pool, hybrid\n"
    "                    (default all)\n"
    "  --gil LIST        the threads' simulated GIL: new, none (default both)\n"
    "  --workers N       workers of the thread pool and the process pool (1 to 64;\n"
    "                    default 8); hybrid's process pool has one per core\n"
    "  --latency D       the API's mean latency (0 to 10s; default 20ms)\n"
    "  --sd D            its standard deviation (0 to 10s; default 10ms)\n"
    "  --fail-rate P     percent of attempts answered 503 (0 to 100; default 5)\n"
    "  --slow-rate P     percent of attempts answered after 1 s (0 to 100; default 2)\n"
    "  --timeout D       per call (1ms to 60s; default 250ms): a slow answer times out\n"
    "  --retries N       retries after a failed attempt (0 to 10; default 3)\n"
    "  --cpu N           CPU work per user: long_factorize of N + (value mod 1000)\n"
    "                    (1000 to 10^9; default 2000001, a few ms)\n"
    "  --repeat N        repeats (1 to 10000; default 3)\n"
    "  --seed N          the server's seed (default 1)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           users 20,60, latency 5ms, sd 2ms, repeat 1\n"
    "  --progress        show the progress bar even when stderr is not a terminal\n"
    "  --help            show this help\n";

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
        { "repeat", required_argument, NULL, OPT_REPEAT },
        { "data", required_argument, NULL, OPT_DATA },
        { "quick", no_argument, NULL, OPT_QUICK },
        { "progress", no_argument, NULL, OPT_PROGRESS },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .users = { 20, quick ? 60 : 100, 500 },
        .n_users = quick ? 2 : 3,
        .method_used = { true, true, true, true, true },
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
        .run.repeat = quick ? 1 : 3,
    };
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'u':
            cfg->n_users = arg_int_list("--users", optarg, 1, 1000, cfg->users, MAX_COUNTS);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, cfg->method_used);
            break;
        case 'g':
            arg_choice_list("--gil", optarg, gil_names, cfg->gil_used);
            break;
        case 'w':
            cfg->workers = arg_int("--workers", optarg, 1, 64);
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
        }
    }
    arg_no_operands(argc, argv);
    if (cfg->fail_rate + cfg->slow_rate > 100)
        usage_error("--fail-rate %lld and --slow-rate %lld add up to more than 100", cfg->fail_rate,
                    cfg->slow_rate);
}
