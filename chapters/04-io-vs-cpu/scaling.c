/*
 * scaling.c - I/O-bound and CPU-bound work, run serially, by a pool of
 * threads (under the simulated GIL, and without it) and by a pool of
 * processes, for several worker counts: how much faster does each get?
 *
 * Five workloads (common/workloads.h), each a batch of tasks:
 *
 *   sleep       delayed_return: sleep, then return             waits
 *   api         a request to the local server (100 ms latency)  waits
 *   file        write a file 50 times, read it back             the kernel copies
 *   factorize   long_factorize: the slow largest-factor search  computes
 *   compute     a floating-point loop (compute_intensive)       computes
 *
 *   build/chapter04/scaling --quick
 *   build/chapter04/scaling --workloads sleep,factorize --io-workers 1,4,16
 *   build/chapter04/scaling --workloads factorize --gil new,old,none --modes threads
 *
 * It prints one row per way of running a workload: the wall time (median,
 * min and max over the repeats), the sum of the tasks' own times (what the
 * batch would cost done one after another, as each task saw it), the CPU
 * time, and the speed-up over serial. Every run's results are checked
 * against the serial run's.
 *
 * What to expect: waiting overlaps whatever runs the tasks, GIL or not;
 * computing needs cores, which threads under the GIL cannot use. Compare
 * with chapter 3's gil_cpu (the same GIL, one workload) and chapter 5's
 * overhead (what the pool itself costs per task).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "io.h"
#include "interp.h"
#include "options.h"
#include "pool.h"
#include "progress.h"
#include "report.h"
#include "server.h"
#include "workloads.h"

#define MAX_COUNTS 16
#define N_WORKLOADS 5

struct config {
    bool workload_used[N_WORKLOADS], mode_used[2], gil_used[3];
    long long io_workers[MAX_COUNTS], cpu_workers[MAX_COUNTS];
    size_t n_io_workers, n_cpu_workers;
    long long io_tasks, cpu_tasks;
    long long sleep_ns, latency_ns, factorize_base, compute, file_writes;
    bool file_sync;
    long long seed;
    run_options run;
};

/* One way of running one workload, and its measurements, one per repeat. */
struct series {
    workload_kind workload;
    const char *mode;      /* "serial", "threads", "processes" */
    int gil;               /* threads: gil_mode; else -1 */
    int workers;
    double *wall, *task_sum, *cpu;
};

// snippet-begin: run-pool
/* A pool maps the tasks; the time includes starting and stopping it, as
 * `with ThreadPoolExecutor(n) as pool: pool.map(...)` does. */
static int64_t *run_pool(const workload *w, long long tasks, struct series *s, long r)
{
    pool_input *inputs = pool_numbered_inputs((size_t)tasks);   /* 0, 1, 2, ... */
    pool_result *results = calloc((size_t)tasks, sizeof *results);
    if (results == NULL)
        die("calloc");
    pool_options opt = { .kind = strcmp(s->mode, "threads") == 0 ? POOL_THREADS : POOL_PROCESSES,
                         .workers = s->workers, .fn = workload_task, .context = (void *)w,
                         .output_max = sizeof(int64_t), .gil = s->gil >= 0 ? (gil_mode)s->gil : GIL_NEW };

    int64_t start = now_ns(), start_cpu = cpu_ns_with_children();
    pool *p = pool_create(&opt);
    pool_map(p, inputs, (size_t)tasks, results);
    pool_destroy(p);
    s->wall[r] = (double)(now_ns() - start) / NS_PER_S;
    s->cpu[r] = (double)(cpu_ns_with_children() - start_cpu) / NS_PER_S;

    int64_t *values = malloc((size_t)tasks * sizeof *values);
    if (values == NULL)
        die("malloc");
    s->task_sum[r] = 0;
    for (long long i = 0; i < tasks; i++) {
        if (results[i].status != POOL_DONE)
            die_msg("%s task %lld (%s, %d workers) %s: %s", workload_names[w->kind], i, s->mode,
                    s->workers, pool_status_names[results[i].status], results[i].error);
        memcpy(&values[i], results[i].data, sizeof values[i]);
        s->task_sum[r] += results[i].task_s;     /* each task's time, as it saw it */
    }
    pool_results_free(results, (size_t)tasks);
    free(results);
    pool_numbered_inputs_free(inputs);
    return values;
}
// snippet-end: run-pool

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_series(const struct config *cfg, struct series *series);
static workload start_workloads(const struct config *cfg, api_server *server, char *dir, size_t size);
static void measure(const struct config *cfg, const workload *base, struct series *series, size_t n);
static void stop_workloads(const struct config *cfg, api_server *server, const char *dir);
static void report_series(const struct config *cfg, const struct series *series, size_t n,
                          const char *dir, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    struct series *series = calloc(N_WORKLOADS * (1 + 4 * MAX_COUNTS), sizeof *series);
    if (series == NULL)
        die("calloc");
    size_t n = plan_series(&cfg, series);

    /* The local server and the files' directory are removed however the
     * program ends (cleanup.h). */
    api_server server = { 0 };
    char dir[4096];
    workload base = start_workloads(&cfg, &server, dir, sizeof dir);
    printf("%d core(s); %lld I/O-bound tasks a batch, %lld CPU-bound; %ld repeats\n",
           cpus_allowed(), cfg.io_tasks, cfg.cpu_tasks, cfg.run.repeat);
    if (cfg.workload_used[WORKLOAD_FILE])
        printf("files in %s (%s; set TMPDIR to choose)\n", dir, file_system_name(dir));

    measure(&cfg, &base, series, n);
    stop_workloads(&cfg, &server, dir);
    report_series(&cfg, series, n, dir, argc, argv);
    printf("every run's results were identical to the serial run's\n");

    for (size_t s = 0; s < n; s++) {
        free(series[s].wall);
        free(series[s].task_sum);
        free(series[s].cpu);
    }
    free(series);
    return EXIT_SUCCESS;
}

/* Every way each chosen workload runs: serially first, then each pool. */
static size_t plan_series(const struct config *cfg, struct series *series)
{
    size_t n = 0;
    for (int k = 0; k < N_WORKLOADS; k++) {
        if (!cfg->workload_used[k])
            continue;
        bool cpu = workload_is_cpu((workload_kind)k);
        const long long *counts = cpu ? cfg->cpu_workers : cfg->io_workers;
        size_t n_counts = cpu ? cfg->n_cpu_workers : cfg->n_io_workers;
        series[n++] = (struct series){ .workload = (workload_kind)k, .mode = "serial", .gil = -1, .workers = 1 };
        for (int g = 0; g < 3 && cfg->mode_used[POOL_THREADS]; g++)
            for (size_t i = 0; i < n_counts && cfg->gil_used[g]; i++)
                series[n++] = (struct series){ .workload = (workload_kind)k, .mode = "threads",
                                               .gil = g, .workers = (int)counts[i] };
        for (size_t i = 0; i < n_counts && cfg->mode_used[POOL_PROCESSES]; i++)
            series[n++] = (struct series){ .workload = (workload_kind)k, .mode = "processes",
                                           .gil = -1, .workers = (int)counts[i] };
    }
    for (size_t s = 0; s < n; s++) {
        series[s].wall = samples_alloc(cfg->run.repeat);
        series[s].task_sum = samples_alloc(cfg->run.repeat);
        series[s].cpu = samples_alloc(cfg->run.repeat);
    }
    return n;
}

/* What the workloads need: the local server, a directory for the files
 * (in $TMPDIR, or /tmp). Returns the workload every task starts from. */
static workload start_workloads(const struct config *cfg, api_server *server, char *dir, size_t size)
{
    if (cfg->workload_used[WORKLOAD_API])
        server_start(server, &(server_options){ .latency_ns = cfg->latency_ns, .seed = (uint64_t)cfg->seed });
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, size, "%s", tmp);
    if (cfg->workload_used[WORKLOAD_FILE]) {
        snprintf(dir, size - 32, "%s/workbook-scaling-XXXXXX", tmp);
        if (mkdtemp(dir) == NULL)
            die("mkdtemp %s", dir);
        cleanup_add_dir(dir);
        for (long long i = 0; i < cfg->io_tasks; i++) {
            char path[4096 + 32];
            snprintf(path, sizeof path, "%s/task-%lld", dir, i);
            cleanup_add_file(path);
        }
    }
    return (workload){ .sleep_ns = cfg->sleep_ns, .seed = (uint64_t)cfg->seed,
                       .factorize_base = cfg->factorize_base, .compute_iterations = (long)cfg->compute,
                       .file_dir = dir, .file_writes = (int)cfg->file_writes, .file_bytes = 256 * 1024,
                       .file_sync = cfg->file_sync, .api_port = server->port,
                       .api_timeout_ns = 10 * NS_PER_S + 10 * cfg->latency_ns };
}

static int64_t *run_serial(const workload *w, long long tasks, struct series *s, long r);
static void check_same(const int64_t *expected, const int64_t *got, long long tasks,
                       const struct series *s);

/* Repeat by repeat, every series once (so a slow moment of the machine
 * touches all of them alike), each checked against the serial run. */
static void measure(const struct config *cfg, const workload *base, struct series *series, size_t n)
{
    progress bar;
    progress_start(&bar, "scaling", (long)(n * (size_t)cfg->run.repeat), cfg->run.force_progress);
    for (long r = 0; r < cfg->run.repeat; r++) {
        int64_t *expected = NULL;
        for (size_t s = 0; s < n; s++) {
            workload w = *base;
            w.kind = series[s].workload;
            long long tasks = workload_is_cpu(w.kind) ? cfg->cpu_tasks : cfg->io_tasks;
            if (strcmp(series[s].mode, "serial") == 0) {
                free(expected);
                expected = run_serial(&w, tasks, &series[s], r);
            } else {
                int64_t *got = run_pool(&w, tasks, &series[s], r);
                check_same(expected, got, tasks, &series[s]);
                free(got);
            }
            progress_advance(&bar, 1);
        }
        free(expected);
    }
    progress_finish(&bar);
}

/* One simulated Python thread runs the tasks one after another. */
static int64_t *run_serial(const workload *w, long long tasks, struct series *s, long r)
{
    int64_t *results = malloc((size_t)tasks * sizeof *results);
    if (results == NULL)
        die("malloc");
    gil g;
    gil_thread t;
    gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
    int64_t start = now_ns(), start_cpu = cpu_ns_with_children(), task_ns = 0;
    interp_begin(&t);
    for (long long i = 0; i < tasks; i++) {
        char error[POOL_ERROR_MAX];
        int64_t task_start = now_ns();
        if (workload_run(w, &t, i, &results[i], error, sizeof error) != 0)
            die_msg("%s task %lld failed: %s", workload_names[w->kind], i, error);
        task_ns += now_ns() - task_start;
    }
    interp_end(&t);
    s->wall[r] = (double)(now_ns() - start) / NS_PER_S;
    s->cpu[r] = (double)(cpu_ns_with_children() - start_cpu) / NS_PER_S;
    s->task_sum[r] = (double)task_ns / NS_PER_S;
    gil_thread_free(&t);
    gil_destroy(&g);
    return results;
}

static void check_same(const int64_t *expected, const int64_t *got, long long tasks,
                       const struct series *s)
{
    for (long long i = 0; i < tasks; i++)
        if (expected[i] != got[i])
            die_msg("%s task %lld: %s with %d workers gave %lld, serially %lld",
                    workload_names[s->workload], i, s->mode, s->workers, (long long)got[i],
                    (long long)expected[i]);
}

static void stop_workloads(const struct config *cfg, api_server *server, const char *dir)
{
    server_stop(server);
    if (!cfg->workload_used[WORKLOAD_FILE])
        return;
    for (long long i = 0; i < cfg->io_tasks; i++) {
        char path[4096 + 32];
        snprintf(path, sizeof path, "%s/task-%lld", dir, i);
        unlink(path);
    }
    if (rmdir(dir) == -1)
        die("rmdir %s", dir);
}

static const column columns[] = {
    { .name = "workload", .kind = COL_TEXT },
    { .name = "kind", .kind = COL_TEXT, .tsv_only = true },
    { .name = "mode", .kind = COL_TEXT, .width = 9 },
    { .name = "gil", .kind = COL_TEXT },
    { .name = "workers", .kind = COL_INT },
    { .name = "tasks", .kind = COL_INT, .tsv_only = true },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "task_sum_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "cpu_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "speedup", .kind = COL_REAL, .decimals = 3 },
    { 0 },
};

/* One row per series: the table on stdout and, with --data, the TSV. */
static void report_series(const struct config *cfg, const struct series *series, size_t n,
                          const char *dir, int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "io_tasks: %lld", cfg->io_tasks);
    report_comment(out, "cpu_tasks: %lld", cfg->cpu_tasks);
    report_comment(out, "sleep_ns: %lld", cfg->sleep_ns);
    report_comment(out, "latency_ns: %lld", cfg->latency_ns);
    if (cfg->workload_used[WORKLOAD_FILE])
        report_comment(out, "file_dir: %s (%s)", dir, file_system_name(dir));
    size_t repeat = (size_t)cfg->run.repeat;
    double serial = 0;
    for (size_t s = 0; s < n; s++) {
        const struct series *c = &series[s];
        bool is_cpu = workload_is_cpu(c->workload);
        report_text(out, workload_names[c->workload]);
        report_text(out, is_cpu ? "cpu" : "io");
        report_text(out, c->mode);
        report_text(out, c->gil >= 0 ? gil_mode_names[c->gil] : "-");
        report_int(out, c->workers);
        report_int(out, is_cpu ? cfg->cpu_tasks : cfg->io_tasks);
        report_int(out, cfg->run.repeat);
        summary wall = report_spread(out, c->wall, repeat);
        if (strcmp(c->mode, "serial") == 0)
            serial = wall.median;
        report_real(out, summarize(c->task_sum, repeat).median);
        report_real(out, summarize(c->cpu, repeat).median);
        report_real(out, serial / wall.median);
    }
    report_finish(out);
}


/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "scaling [--workloads LIST] [--modes LIST] [--gil LIST] [--io-workers LIST]\n"
    "               [--cpu-workers LIST] [--io-tasks N] [--cpu-tasks N] [--sleep D] [--latency D]\n"
    "               [--factorize-base N] [--compute N] [--file-writes N] [--file-sync]\n"
    "               [--repeat N] [--seed N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Runs I/O-bound and CPU-bound tasks serially, in a thread pool (under the\n"
    "simulated GIL and without it) and in a process pool, and reports the wall\n"
    "time, the sum of the task times and the speed-up over serial.\n"
    "\n"
    "  --workloads LIST    sleep, api, file, factorize, compute (default all)\n"
    "  --modes LIST        threads, processes (default both; serial always runs)\n"
    "  --gil LIST          GIL modes for the threads: new, old, none (default new,none)\n"
    "  --io-workers LIST   worker counts for sleep, api, file (1 to 64; default 1,2,4,8,16)\n"
    "  --cpu-workers LIST  worker counts for factorize, compute (1 to 64; default 1,2,3,4)\n"
    "  --io-tasks N        tasks per I/O-bound batch (1 to 10000; default 16)\n"
    "  --cpu-tasks N       tasks per CPU-bound batch (1 to 10000; default 12)\n"
    "  --sleep D           sleep per task (0 to 60s; default 100ms)\n"
    "  --latency D         the local server's latency per request (0 to 60s; default 100ms)\n"
    "  --factorize-base N  factorize task i works on N + i (1000 to 10^12;\n"
    "                      default 100000001, as in the source documents)\n"
    "  --compute N         iterations of the compute loop, per task (1000 to 10^10;\n"
    "                      default 10000000, as in the article)\n"
    "  --file-writes N     writes of 256 KiB per file task (1 to 10000; default 50)\n"
    "  --file-sync         fsync every write (then the file workload waits on the disk)\n"
    "  --seed N            the seed for the server (default 1)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "workloads", required_argument, NULL, 'w' },
        { "modes", required_argument, NULL, 'm' },
        { "gil", required_argument, NULL, 'g' },
        { "io-workers", required_argument, NULL, 'I' },
        { "cpu-workers", required_argument, NULL, 'C' },
        { "io-tasks", required_argument, NULL, 'i' },
        { "cpu-tasks", required_argument, NULL, 'c' },
        { "sleep", required_argument, NULL, 's' },
        { "latency", required_argument, NULL, 'l' },
        { "factorize-base", required_argument, NULL, 'f' },
        { "compute", required_argument, NULL, 'u' },
        { "file-writes", required_argument, NULL, 'F' },
        { "file-sync", no_argument, NULL, 'S' },
        { "seed", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    static const long long io_all[] = { 1, 2, 4, 8, 16 }, io_quick[] = { 1, 2, 8 };
    static const long long cpu_all[] = { 1, 2, 3, 4 }, cpu_quick[] = { 1, 2, 4 };
    *cfg = (struct config){
        .workload_used = { true, true, true, true, true },
        .mode_used = { [POOL_THREADS] = true, [POOL_PROCESSES] = true },
        .gil_used = { [GIL_NEW] = true, [GIL_NONE] = true },
        .n_io_workers = quick ? 3 : 5,
        .n_cpu_workers = quick ? 3 : 4,
        .io_tasks = quick ? 8 : 16,
        .cpu_tasks = quick ? 4 : 12,
        .sleep_ns = (quick ? 10 : 100) * NS_PER_MS,
        .latency_ns = (quick ? 10 : 100) * NS_PER_MS,
        .factorize_base = quick ? 2000001 : FACTORIZE_BASE,
        .compute = quick ? 1000000 : 10000000,
        .file_writes = quick ? 10 : 50,
        .seed = 1,
        .run.repeat = quick ? 3 : 5,
    };
    memcpy(cfg->io_workers, quick ? io_quick : io_all, cfg->n_io_workers * sizeof(long long));
    memcpy(cfg->cpu_workers, quick ? cpu_quick : cpu_all, cfg->n_cpu_workers * sizeof(long long));

    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "io-tasks 8, sleep and latency 10ms, io-workers 1,2,8, cpu-tasks 4, cpu-workers 1,2,4, factorize-base 2000001, compute 1000000, file-writes 10, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'w':
            arg_choice_list("--workloads", optarg, workload_names, cfg->workload_used);
            break;
        case 'm':
            arg_choice_list("--modes", optarg, pool_kind_names, cfg->mode_used);
            break;
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, cfg->gil_used);
            break;
        case 'I':
            cfg->n_io_workers = arg_int_list("--io-workers", optarg, 1, 64, cfg->io_workers, MAX_COUNTS);
            break;
        case 'C':
            cfg->n_cpu_workers = arg_int_list("--cpu-workers", optarg, 1, 64, cfg->cpu_workers, MAX_COUNTS);
            break;
        case 'i':
            cfg->io_tasks = arg_int("--io-tasks", optarg, 1, 10000);
            break;
        case 'c':
            cfg->cpu_tasks = arg_int("--cpu-tasks", optarg, 1, 10000);
            break;
        case 's':
            cfg->sleep_ns = arg_duration_ns("--sleep", optarg, 0, 60 * NS_PER_S);
            break;
        case 'l':
            cfg->latency_ns = arg_duration_ns("--latency", optarg, 0, 60 * NS_PER_S);
            break;
        case 'f':
            cfg->factorize_base = arg_int("--factorize-base", optarg, 1000, 1000000000000LL);
            break;
        case 'u':
            cfg->compute = arg_int("--compute", optarg, 1000, 10000000000LL);
            break;
        case 'F':
            cfg->file_writes = arg_int("--file-writes", optarg, 1, 10000);
            break;
        case 'S':
            cfg->file_sync = true;
            break;
        case 'e':
            cfg->seed = arg_int("--seed", optarg, 0, 1000000000000LL);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
