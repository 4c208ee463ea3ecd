/*
 * gil_cpu.c - CPU-bound work split among threads (under the new GIL, the
 * old GIL, or none) and among processes: how much faster than one thread?
 *
 * A fixed amount of work (--work bytecodes of the simulated interpreter) is
 * split evenly among the workers. Each configuration is timed against the
 * same work done serially, in one run, repeats interleaved.
 *
 *   build/chapter03/gil_cpu --quick
 *   build/chapter03/gil_cpu --gil new,old,none --workers 1,2,4,8,16 --processes 1,2,4
 *   build/chapter03/gil_cpu --gil old,new --workers 1,2,4 --processes 0 --cpus 1
 *
 * It prints one row per configuration: the wall time (median, min and max
 * over the repeats), the speed-up over serial, the CPU time, and the
 * parallelism (CPU time / wall time: how many cores were busy).
 *
 * What to expect:
 *
 *   threads, --gil new    only one thread runs bytecode at a time: no faster
 *   threads, --gil old    the same, plus a lock fought over thousands of
 *                         times a second: slower than serial on several cores
 *   threads, --gil none   the free-threaded build: as fast as the cores allow
 *   processes             one interpreter (and GIL) each: parallel
 *
 * The GILs are a flag (--gil), not separate programs: their speed-ups mean
 * something only when measured side by side, in one run, against the same
 * serial run.
 *
 * Compare with ../02-concurrency-vs-parallelism/parallelism.c, the same
 * threads without any GIL, and with gil_cpython.py, the same in CPython.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
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
#include "gil.h"
#include "interp.h"
#include "locking.h"
#include "options.h"
#include "progress.h"
#include "report.h"

#define MAX_COUNTS 16

struct config {
    bool gil_used[3];
    long long workers[MAX_COUNTS], processes[MAX_COUNTS];
    size_t n_workers, n_processes;
    long long work;
    int cpus;
    long interval_us;
    run_options run;
};

struct worker {
    gil_thread thread;
    long long work;
};

// snippet-begin: worker
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    interp_begin(&w->thread);          /* a new Python thread takes the GIL */
    interp_run(&w->thread, w->work);   /* its share of the bytecodes */
    interp_end(&w->thread);            /* and lets go when it finishes */
    return NULL;
}
// snippet-end: worker

/* One configuration, and its measurements, one per repeat. */
enum kind { SERIAL, THREADS, PROCESSES };
static const char *const kind_names[] = { "serial", "threads", "processes" };

struct series {
    enum kind kind;
    gil_mode gil;         /* for THREADS */
    const char *gil_name; /* as printed: "new", or "-" where there is none */
    int workers;
    double *wall, *cpu;   /* seconds */
};

/* One measured run: wall and CPU seconds. */
struct run {
    double wall_s, cpu_s;
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_series(const struct config *cfg, struct series *series);
static void measure(const struct config *cfg, struct series *series, size_t n);
static void report_series(const struct config *cfg, const struct series *series, size_t n,
                          int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.cpus < cpus_allowed())
        confine_to_cpus(cfg.cpus);

    struct series *series = calloc(1 + 3 * cfg.n_workers + cfg.n_processes, sizeof *series);
    if (series == NULL)
        die("calloc");
    size_t n = plan_series(&cfg, series);

    printf("%lld bytecodes (%.1f ns each alone), %d core(s), switch interval %ld us\n",
           cfg.work, interp_ns_per_bytecode(), cfg.cpus, cfg.interval_us);
    measure(&cfg, series, n);
    report_series(&cfg, series, n, argc, argv);

    for (size_t s = 0; s < n; s++) {
        free(series[s].wall);
        free(series[s].cpu);
    }
    free(series);
    return EXIT_SUCCESS;
}

/* The configurations, in the order they are run: serial first. */
static size_t plan_series(const struct config *cfg, struct series *series)
{
    size_t n = 0;
    series[n++] = (struct series){ .kind = SERIAL, .gil_name = "-", .workers = 1 };
    for (int g = 0; g < 3; g++)
        for (size_t i = 0; i < cfg->n_workers && cfg->gil_used[g]; i++)
            series[n++] = (struct series){ .kind = THREADS, .gil = (gil_mode)g,
                                           .gil_name = gil_mode_names[g],
                                           .workers = (int)cfg->workers[i] };
    for (size_t i = 0; i < cfg->n_processes; i++)
        series[n++] = (struct series){ .kind = PROCESSES, .gil_name = "-",
                                       .workers = (int)cfg->processes[i] };
    for (size_t s = 0; s < n; s++) {
        series[s].wall = samples_alloc(cfg->run.repeat);
        series[s].cpu = samples_alloc(cfg->run.repeat);
    }
    return n;
}

static struct run run_serial(long long work);
static struct run run_threads(gil_mode mode, long interval_us, int n, long long work);
static struct run run_processes(int n, long long work);

/* Repeat by repeat, every configuration once, so that a slow moment of the
 * machine touches all of them alike. */
static void measure(const struct config *cfg, struct series *series, size_t n)
{
    progress bar;
    progress_start(&bar, "gil_cpu", (long)(n * (size_t)cfg->run.repeat), cfg->run.force_progress);
    run_serial(cfg->work / 4); /* warm up: page in, let the clock settle */
    for (long r = 0; r < cfg->run.repeat; r++) {
        for (size_t s = 0; s < n; s++) {
            struct series *c = &series[s];
            struct run run;
            if (c->kind == SERIAL)
                run = run_serial(cfg->work);
            else if (c->kind == THREADS)
                run = run_threads(c->gil, cfg->interval_us, c->workers, cfg->work);
            else
                run = run_processes(c->workers, cfg->work);
            c->wall[r] = run.wall_s;
            c->cpu[r] = run.cpu_s;
            progress_advance(&bar, 1);
        }
    }
    progress_finish(&bar);
}

static struct run finish(int64_t start_wall, int64_t start_cpu, bool children)
{
    int64_t cpu = children ? cpu_ns_children() : cpu_ns_self();
    return (struct run){ .wall_s = (double)(now_ns() - start_wall) / NS_PER_S,
                         .cpu_s = (double)(cpu - start_cpu) / NS_PER_S };
}

/* The work in the main thread: one simulated thread, so no contention.
 * With --interpret (the old GIL only) the main thread interprets its turns
 * too, under the old GIL, as 2.7's main thread does once a thread has been
 * started (before, 2.7 has no lock to let go): the check interval comes
 * round and nobody is waiting. */
static struct run run_serial(long long work)
{
    gil g;
    gil_thread t;
    gil_init(&g, interp_interpreting() ? GIL_OLD : GIL_NEW, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
    int64_t start = now_ns(), start_cpu = cpu_ns_self();
    interp_begin(&t);
    interp_run(&t, work);
    interp_end(&t);
    struct run run = finish(start, start_cpu, false);
    gil_thread_free(&t);
    gil_destroy(&g);
    return run;
}

static struct run run_threads(gil_mode mode, long interval_us, int n, long long work)
{
    gil g;
    gil_init(&g, mode, interval_us);
    struct worker *workers = calloc((size_t)n, sizeof *workers);
    pthread_t *ids = calloc((size_t)n, sizeof *ids);
    if (workers == NULL || ids == NULL)
        die("calloc");
    int64_t start = now_ns(), start_cpu = cpu_ns_self();
    for (int i = 0; i < n; i++) {
        gil_thread_init(&workers[i].thread, &g, i, 0);
        workers[i].work = work / n + (i < work % n);
        int rc = pthread_create(&ids[i], NULL, worker_main, &workers[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create worker %d", i);
    }
    join_all(ids, n);
    struct run run = finish(start, start_cpu, false);
    for (int i = 0; i < n; i++)
        gil_thread_free(&workers[i].thread);
    free(workers);
    free(ids);
    gil_destroy(&g);
    return run;
}

/* Each process is a whole interpreter with a GIL of its own. */
static struct run run_processes(int n, long long work)
{
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    int *slots = calloc((size_t)n, sizeof *slots);
    if (pids == NULL || slots == NULL)
        die("calloc");
    int64_t start = now_ns(), start_cpu = cpu_ns_children();
    for (int i = 0; i < n; i++) {
        pids[i] = cleanup_fork(&slots[i]); /* killed and reaped if we are stopped */
        if (pids[i] == 0) {
            run_serial(work / n + (i < work % n));
            _exit(EXIT_SUCCESS);
        }
    }
    for (int i = 0; i < n; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die_msg("worker process %d failed (status 0x%x)", (int)pids[i], status);
    }
    struct run run = finish(start, start_cpu, true);
    free(pids);
    free(slots);
    return run;
}

static const column columns[] = {
    { .name = "mode", .kind = COL_TEXT, .width = 9 },
    { .name = "gil", .kind = COL_TEXT },
    { .name = "workers", .kind = COL_INT },
    { .name = "cpus", .kind = COL_INT, .tsv_only = true },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "speedup", .kind = COL_REAL, .decimals = 3 },
    { .name = "work_per_s", .kind = COL_REAL, .significant = 4, .tsv_only = true },
    { .name = "cpu_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "parallelism", .kind = COL_REAL, .decimals = 3 },
    { 0 },
};

/* One row per configuration: the table on stdout and, with --data, the TSV. */
static void report_series(const struct config *cfg, const struct series *series, size_t n,
                          int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "work: %lld bytecodes", cfg->work);
    report_comment(out, "interval_us: %ld", cfg->interval_us);
    if (interp_unit_comment() != NULL)
        report_comment(out, "%s", interp_unit_comment());
    size_t repeat = (size_t)cfg->run.repeat;
    double serial = summarize(series[0].wall, repeat).median;
    for (size_t s = 0; s < n; s++) {
        report_text(out, kind_names[series[s].kind]);
        report_text(out, series[s].gil_name);
        report_int(out, series[s].workers);
        report_int(out, cfg->cpus);
        report_int(out, cfg->run.repeat);
        summary wall = report_spread(out, series[s].wall, repeat);
        report_real(out, serial / wall.median);
        report_real(out, (double)cfg->work / wall.median);
        double cpu = summarize(series[s].cpu, repeat).median;
        report_real(out, cpu);
        report_real(out, cpu / wall.median);
    }
    report_finish(out);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "gil_cpu [--gil LIST] [--workers LIST] [--processes LIST] [--work N] [--cpus N]\n"
    "               [--interval DURATION] [--unit D] [--interpret] [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Splits CPU-bound work among threads under a simulated GIL, and among\n"
    "processes, and reports the speed-up over the same work done serially.\n"
    "\n"
    "  --gil LIST        GIL modes for the threads: new, old, none (default all)\n"
    "  --workers LIST    thread counts (1 to 64; default 1,2,4,8,16)\n"
    "  --processes LIST  process counts (0 to 64, 0 = none; default 1,2,4)\n"
    "  --work N          bytecodes in all (1000 to 10^11; default 40000000,\n"
    "                    about a second)\n"
    "  --cpus N          run on N cores only (1 to the cores allowed; default all)\n"
    "  --interval D      switch interval of the new GIL (default 5ms)\n"
    INTERP_UNIT_HELP
    INTERP_INTERPRET_HELP;

/* The defaults (less work and fewer workers with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "gil", required_argument, NULL, 'g' },
        { "workers", required_argument, NULL, 'w' },
        { "processes", required_argument, NULL, 'p' },
        { "work", required_argument, NULL, 'W' },
        { "cpus", required_argument, NULL, 'c' },
        { "interval", required_argument, NULL, 'i' },
        { "unit", required_argument, NULL, 'u' },
        { "interpret", no_argument, NULL, 'I' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    int allowed = cpus_allowed();
    static const long long quick_workers[] = { 1, 2, 4 }, all_workers[] = { 1, 2, 4, 8, 16 };
    static const long long quick_processes[] = { 1, 2 }, all_processes[] = { 1, 2, 4 };
    *cfg = (struct config){
        .gil_used = { true, true, true },
        .n_workers = quick ? 3 : 5,
        .n_processes = quick ? 2 : 3,
        .work = quick ? 8000000 : 40000000,
        .cpus = allowed,
        .interval_us = GIL_DEFAULT_INTERVAL_US,
        .run.repeat = quick ? 3 : 5,
    };
    memcpy(cfg->workers, quick ? quick_workers : all_workers, cfg->n_workers * sizeof(long long));
    memcpy(cfg->processes, quick ? quick_processes : all_processes, cfg->n_processes * sizeof(long long));

    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "work 8000000, workers 1,2,4, processes 1,2, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, cfg->gil_used);
            break;
        case 'w':
            cfg->n_workers = arg_int_list("--workers", optarg, 1, 64, cfg->workers, MAX_COUNTS);
            break;
        case 'p':
            cfg->n_processes = arg_int_list("--processes", optarg, 0, 64, cfg->processes, MAX_COUNTS);
            if (cfg->n_processes == 1 && cfg->processes[0] == 0) {
                cfg->n_processes = 0; /* "--processes 0": threads only */
                break;
            }
            for (size_t i = 0; i < cfg->n_processes; i++)
                if (cfg->processes[i] == 0)
                    usage_error("--processes: 0 must stand alone (it means no processes)");
            break;
        case 'W':
            cfg->work = arg_int("--work", optarg, 1000, 100000000000LL);
            break;
        case 'c':
            cfg->cpus = (int)arg_int("--cpus", optarg, 1, allowed);
            break;
        case 'u':
            interp_use_unit(optarg);
            break;
        case 'I':
            interp_use_interpret();
            break;
        case 'i':
            cfg->interval_us = (long)(arg_duration_ns("--interval", optarg, 1000, 10 * NS_PER_S) / 1000);
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (interp_interpreting() && (cfg->gil_used[GIL_NEW] || cfg->gil_used[GIL_NONE]))
        usage_error("--interpret: only with --gil old (2.7's eval loop)");
}
