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
 * is reported, never dropped. Measured for each: wall time, CPU time, the
 * peak memory of the whole process tree, and the processes and threads it
 * created.
 *
 *   build/chapter10/case_study --quick
 *   build/chapter10/case_study --users 100 --methods threads,process-pool --gil new,none
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
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
#include "datafile.h"
#include "error.h"
#include "interp.h"
#include "io.h"
#include "pool.h"
#include "progress.h"
#include "server.h"
#include "stats.h"
#include "locking.h"
#include "workloads.h"

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
    "  --latency D       the API's mean latency (default 20ms)\n"
    "  --sd D            its standard deviation (default 10ms)\n"
    "  --fail-rate P     percent of attempts answered 503 (0 to 100; default 5)\n"
    "  --slow-rate P     percent of attempts answered after 1 s (0 to 100; default 2)\n"
    "  --timeout D       per call (default 250ms): a slow answer times out\n"
    "  --retries N       retries after a failed attempt (0 to 10; default 3)\n"
    "  --cpu N           CPU work per user: long_factorize of N + (value mod 1000)\n"
    "                    (1000 to 10^9; default 2000001, a few ms)\n"
    "  --repeat N        repeats (1 to 100; default 3)\n"
    "  --seed N          the server's seed (default 1)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           users 20,60, latency 5ms, sd 2ms, repeat 1\n"
    "  --progress        show the progress bar even when stderr is not a terminal\n"
    "  --help            show this help\n";

enum method { SERIAL, THREADS, PER_USER, POOL, HYBRID };
static const char *const method_names[] = { "serial", "threads", "process-per-user", "process-pool", "hybrid", NULL };
static const char *const gil_names[] = { "new", "none", NULL };

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
    char error[160];
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

/* ---- pool tasks -------------------------------------------------------------------- */

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

static int fetch_task(pool_task *task)
{
    struct user u = { 0 };
    memcpy(&u.id, task->input, sizeof u.id);
    fetch(task->context, task->thread, &u);
    memcpy(task->output, &u, sizeof u);
    task->output_len = sizeof u;
    return 0;
}

static int cpu_task(pool_task *task)
{
    struct user u;
    memcpy(&u, task->input, sizeof u);
    post_process(task->context, task->thread, &u);
    memcpy(task->output, &u, sizeof u);
    task->output_len = sizeof u;
    return 0;
}

/* ---- the peak memory of the process tree ---------------------------------------- */

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = 0;
    if (f == NULL)
        return 0; /* gone meanwhile */
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* VmRSS of pid and all its descendants, in KiB. */
static long tree_rss_kib(pid_t pid)
{
    long total = rss_kib(pid);
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
    atomic_int stop;
    atomic_long peak_kib;
} sampler;

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

/* ---- the five ways ---------------------------------------------------------------- */

struct outcome {
    double wall_s, cpu_s;
    long processes, threads;  /* created */
};

static void from_results(const pool_result *r, size_t n, struct user *users)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].status != POOL_DONE)
            die_msg("user %zu: %s", i, r[i].error);
        memcpy(&users[i], r[i].data, sizeof users[i]);
    }
}

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
    from_results(r, n, users);
    pool_results_free(r, n);
    free(r);
    return started;
}

// snippet-begin: per-user
/* A process for each user; each sends its user back through one pipe
 * (40 bytes: less than PIPE_BUF, so the writes never mix). */
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

static struct outcome run(enum method m, gil_mode threads_gil, const struct study *s, size_t n, int workers,
                          struct user *users)
{
    struct outcome o = { 0 };
    pool_input *ids = pool_numbered_inputs(n);
    int64_t start = now_ns(), start_cpu = cpu_ns_with_children();
    switch (m) {
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
        o.threads = map_users(POOL_THREADS, workers, threads_gil, whole_user_task, s, ids, n, users);
        break;
    case PER_USER:
        per_user(s, n, users);
        o.processes = (long)n;
        break;
    case POOL:
        o.processes = map_users(POOL_PROCESSES, workers, threads_gil, whole_user_task, s, ids, n, users);
        break;
    case HYBRID: {
        // snippet-begin: hybrid
        struct user *fetched = malloc(n * sizeof *fetched);
        pool_input *in = malloc(n * sizeof *in);
        if (fetched == NULL || in == NULL)
            die("malloc");
        o.threads = map_users(POOL_THREADS, workers, threads_gil, fetch_task, s, ids, n, fetched); /* wait */
        for (size_t i = 0; i < n; i++)
            in[i] = (pool_input){ &fetched[i], sizeof fetched[i] };
        o.processes = map_users(POOL_PROCESSES, cpus_allowed(), threads_gil, cpu_task, s, in, n, users);
        // snippet-end: hybrid
        free(fetched);
        free(in);
        break;
    }
    }
    o.wall_s = (double)(now_ns() - start) / NS_PER_S;
    o.cpu_s = (double)(cpu_ns_with_children() - start_cpu) / NS_PER_S;
    free(ids);
    return o;
}

int main(int argc, char *argv[])
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
        { "repeat", required_argument, NULL, 'r' },
        { "seed", required_argument, NULL, 'e' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long users_list[16];
    size_t n_users = 0;
    bool used[5] = { false }, methods_given = false, gils[2] = { false }, gil_given = false;
    long long workers = 8, latency = -1, sd = -1, fail = 5, slow = 2, timeout = 250 * NS_PER_MS, retries = 3;
    long long cpu_base = 2000001, repeat = 0, seed = 1;
    bool quick = false, force = false;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'u':
            n_users = arg_int_list("--users", optarg, 1, 1000, users_list, 16);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, used);
            methods_given = true;
            break;
        case 'g':
            arg_choice_list("--gil", optarg, gil_names, gils);
            gil_given = true;
            break;
        case 'w':
            workers = arg_int("--workers", optarg, 1, 64);
            break;
        case 'l':
            latency = arg_duration_ns("--latency", optarg, 0, 10 * NS_PER_S);
            break;
        case 's':
            sd = arg_duration_ns("--sd", optarg, 0, 10 * NS_PER_S);
            break;
        case 'f':
            fail = arg_int("--fail-rate", optarg, 0, 100);
            break;
        case 'S':
            slow = arg_int("--slow-rate", optarg, 0, 100);
            break;
        case 't':
            timeout = arg_duration_ns("--timeout", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        case 'R':
            retries = arg_int("--retries", optarg, 0, 10);
            break;
        case 'c':
            cpu_base = arg_int("--cpu", optarg, 1000, 1000000000);
            break;
        case 'r':
            repeat = arg_int("--repeat", optarg, 1, 100);
            break;
        case 'e':
            seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            force = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (fail + slow > 100)
        usage_error("--fail-rate %lld and --slow-rate %lld add up to more than 100", fail, slow);
    if (!methods_given)
        for (int m = 0; m < 5; m++)
            used[m] = true;
    if (!gil_given)
        gils[0] = gils[1] = true;
    if (n_users == 0) {
        n_users = quick ? 2 : 3;
        users_list[0] = 20;
        users_list[1] = quick ? 60 : 100;
        users_list[2] = 500;
    }
    if (latency < 0)
        latency = (quick ? 5 : 20) * NS_PER_MS;
    if (sd < 0)
        sd = (quick ? 2 : 10) * NS_PER_MS;
    if (repeat == 0)
        repeat = quick ? 1 : 3;

    server_options so = { .latency_ns = latency, .latency_sd_ns = sd, .fail_rate = (double)fail / 100,
                          .slow_rate = (double)slow / 100, .slow_ns = NS_PER_S, .seed = (uint64_t)seed };
    api_server server;
    server_start(&server, &so);
    struct study s = { .port = server.port, .timeout_ns = timeout, .backoff_ns = 10 * NS_PER_MS,
                       .retries = (int)retries, .cpu_base = cpu_base };

    pthread_t sampler_id;
    int rc = pthread_create(&sampler_id, NULL, sample_rss, NULL);
    if (rc != 0)
        die_rc(rc, "pthread_create sampler");

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "workers: %lld", workers);
        datafile_comment(df, "api: latency %.0f ms sd %.0f ms, %lld%% fail, %lld%% slow (1 s), timeout %.0f ms, %lld retries",
                         (double)latency / NS_PER_MS, (double)sd / NS_PER_MS, fail, slow,
                         (double)timeout / NS_PER_MS, retries);
        datafile_columns(df, "method gil users repeats median_s min_s max_s cpu_s peak_rss_mib processes threads "
                             "failed calls");
    }
    printf("API: %.0f +- %.0f ms, %lld%% of attempts fail, %lld%% take 1 s; timeout %.0f ms, %lld retries; "
           "%lld workers, %d cores\n", (double)latency / NS_PER_MS, (double)sd / NS_PER_MS, fail, slow,
           (double)timeout / NS_PER_MS, retries, workers, cpus_allowed());
    printf("%-17s %-4s %5s %9s %8s %12s %9s %7s %6s %6s\n", "method", "gil", "users", "median_s", "cpu_s",
           "peak_rss_mib", "processes", "threads", "failed", "calls");
    progress bar;
    progress_start(&bar, "users", (long)(n_users * 7 * (size_t)repeat), force);
    for (size_t k = 0; k < n_users; k++) {
        size_t n = (size_t)users_list[k];
        struct user *expected = calloc(n, sizeof *expected), *got = calloc(n, sizeof *got);
        if (expected == NULL || got == NULL)
            die("calloc");
        bool have_expected = false;
        for (int m = 0; m < 5; m++) {
            for (int g = 0; g < 2; g++) {
                bool with_threads = m == THREADS || m == HYBRID;
                if (!used[m] || (with_threads && !gils[g]) || (!with_threads && g == 1))
                    continue;
                gil_mode threads_gil = g == 0 ? GIL_NEW : GIL_NONE;
                double wall[100], cpu[100];
                long peak = 0;
                struct outcome o = { 0 };
                for (long long r = 0; r < repeat; r++) {
                    atomic_store(&sampler.peak_kib, 0);
                    o = run((enum method)m, threads_gil, &s, n, (int)workers, got);
                    wall[r] = o.wall_s;
                    cpu[r] = o.cpu_s;
                    long kib = atomic_load(&sampler.peak_kib);
                    peak = kib > peak ? kib : peak;
                    if (!have_expected) {
                        memcpy(expected, got, n * sizeof *got);
                        have_expected = true;
                    } else if (memcmp(expected, got, n * sizeof *got) != 0) {
                        die_msg("%s with %zu users made different users", method_names[m], n);
                    }
                    progress_advance(&bar, 1);
                }
                long failed = 0, calls = 0;
                for (size_t i = 0; i < n; i++) {
                    failed += !got[i].ok;
                    calls += got[i].attempts;
                }
                summary w = summarize(wall, (size_t)repeat), c = summarize(cpu, (size_t)repeat);
                const char *gname = with_threads ? gil_names[g] : "-";
                progress_clear(&bar);
                printf("%-17s %-4s %5zu %9.3f %8.3f %12.1f %9ld %7ld %6ld %6ld\n", method_names[m], gname, n,
                       w.median, c.median, (double)peak / 1024, o.processes, o.threads, failed, calls);
                if (df)
                    datafile_row(df, "%s\t%s\t%zu\t%lld\t%.4f\t%.4f\t%.4f\t%.4f\t%.1f\t%ld\t%ld\t%ld\t%ld",
                                 method_names[m], gname, n, repeat, w.median, w.min, w.max, c.median,
                                 (double)peak / 1024, o.processes, o.threads, failed, calls);
            }
        }
        long failed = 0;
        for (size_t i = 0; i < n; i++)
            if (!expected[i].ok) {
                if (failed++ < 5)
                    printf("  user %lld failed after %d attempts\n", (long long)expected[i].id, expected[i].attempts);
            }
        if (failed > 5)
            printf("  ... %ld users failed in all\n", failed);
        free(expected);
        free(got);
    }
    progress_finish(&bar);
    atomic_store(&sampler.stop, 1);
    join_all(&sampler_id, 1);
    server_stop(&server);
    printf("every way made the same users, and reported the same failed ones\n");
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
