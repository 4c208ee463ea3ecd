/*
 * gil_cpu.c - CPU-bound work split among threads (under the new GIL, the
 * old GIL, or none) and among processes: how much faster than one thread?
 *
 * A fixed amount of work (--work bytecodes of the simulated interpreter) is
 * split evenly among the workers. Each configuration is timed against the
 * same work done serially, in one run, repeats interleaved:
 *
 *   threads, --gil new    only one thread runs bytecode at a time: no faster
 *   threads, --gil old    the same, plus a lock fought over thousands of
 *                         times a second: slower than serial on several cores
 *   threads, --gil none   the free-threaded build: as fast as the cores allow
 *   processes             one interpreter (and GIL) each: parallel
 *
 *   build/chapter03/gil_cpu --quick
 *   build/chapter03/gil_cpu --gil new,old,none --workers 1,2,4,8,16 --processes 1,2,4
 *   build/chapter03/gil_cpu --gil old,new --workers 1,2,4 --processes 0 --cpus 1
 *
 * Compare with ../02-concurrency-vs-parallelism/parallelism.c, the same
 * threads without any GIL, and with gil_cpython.py, the same in CPython.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
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
#include "datafile.h"
#include "error.h"
#include "gil.h"
#include "interp.h"
#include "progress.h"
#include "stats.h"
#include "locking.h"

static const char usage_line[] =
    "gil_cpu [--gil LIST] [--workers LIST] [--processes LIST] [--work N] [--cpus N]\n"
    "               [--interval DURATION] [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Splits CPU-bound work among threads under a simulated GIL, and among\n"
    "processes, and reports the speed-up over the same work done serially.\n"
    "\n"
    "  --gil LIST          GIL modes for the threads: new, old, none (default all)\n"
    "  --workers LIST      thread counts (1 to 64; default 1,2,4,8,16)\n"
    "  --processes LIST    process counts (0 to 64, 0 = none; default 1,2,4)\n"
    "  --work N            bytecodes in all (1000 to 10^11; default 40000000,\n"
    "                      about a second)\n"
    "  --cpus N            run on N cores only (1 to the cores allowed; default all)\n"
    "  --interval D        switch interval of the new GIL (default 5ms)\n"
    "  --repeat N          repeats of every configuration (1 to 1000; default 5)\n"
    "  --data FILE         also write the results as TSV to FILE\n"
    "  --quick             work 8000000, workers 1,2,4, processes 1,2, repeat 3\n"
    "  --progress          show the progress bar even when stderr is not a terminal\n"
    "  --help              show this help\n";

#define MAX_COUNTS 16

struct config {
    bool gil_used[3];
    long long workers[MAX_COUNTS], processes[MAX_COUNTS];
    size_t n_workers, n_processes;
    long long work;
    int cpus;
    long interval_us;
    long repeat;
    const char *data_path;
    bool force_progress;
};

/* One measured run: wall and CPU seconds. */
struct run {
    double wall_s, cpu_s;
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static struct run run_serial(long long work);
static struct run run_threads(gil_mode mode, long interval_us, int n, long long work);
static struct run run_processes(int n, long long work);

/* All the runs of one configuration. */
enum kind { SERIAL, THREADS, PROCESSES };
static const char *const kind_names[] = { "serial", "threads", "processes" };

struct series {
    enum kind kind;
    gil_mode gil;    /* for THREADS */
    const char *gil_name; /* as printed: "new", or "-" where there is none */
    int workers;
    double wall[1000], cpu[1000];
};

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.cpus < cpus_allowed())
        confine_to_cpus(cfg.cpus);

    /* The configurations, in the order they are run: serial first. */
    size_t n_series = 1 + 3 * cfg.n_workers + cfg.n_processes;
    struct series *series = calloc(n_series, sizeof *series);
    if (series == NULL)
        die("calloc");
    size_t k = 0;
    series[k++] = (struct series){ .kind = SERIAL, .gil_name = "-", .workers = 1 };
    for (int g = 0; g < 3; g++)
        for (size_t i = 0; i < cfg.n_workers && cfg.gil_used[g]; i++)
            series[k++] = (struct series){ .kind = THREADS, .gil = (gil_mode)g,
                                           .gil_name = gil_mode_names[g],
                                           .workers = (int)cfg.workers[i] };
    for (size_t i = 0; i < cfg.n_processes; i++)
        series[k++] = (struct series){ .kind = PROCESSES, .gil_name = "-",
                                       .workers = (int)cfg.processes[i] };
    n_series = k;

    printf("%lld bytecodes (%.1f ns each alone), %d core(s), switch interval %ld us\n",
           cfg.work, interp_ns_per_bytecode(), cfg.cpus, cfg.interval_us);
    progress bar;
    progress_start(&bar, "gil_cpu", (long)(n_series * (size_t)cfg.repeat), cfg.force_progress);
    run_serial(cfg.work / 4); /* warm up: page in, let the clock settle */
    for (long r = 0; r < cfg.repeat; r++) {
        for (size_t s = 0; s < n_series; s++) {
            struct series *c = &series[s];
            struct run run;
            switch (c->kind) {
            case SERIAL:
                run = run_serial(cfg.work);
                break;
            case THREADS:
                run = run_threads(c->gil, cfg.interval_us, c->workers, cfg.work);
                break;
            case PROCESSES:
            default:
                run = run_processes(c->workers, cfg.work);
                break;
            }
            c->wall[r] = run.wall_s;
            c->cpu[r] = run.cpu_s;
            progress_advance(&bar, 1);
        }
    }
    progress_finish(&bar);

    datafile *df = NULL;
    if (cfg.data_path) {
        df = datafile_create(cfg.data_path, argc, argv);
        datafile_comment(df, "work: %lld bytecodes", cfg.work);
        datafile_comment(df, "interval_us: %ld", cfg.interval_us);
        datafile_columns(df, "mode gil workers cpus repeats median_s min_s max_s speedup "
                             "work_per_s cpu_s parallelism");
    }
    printf("%-9s %-4s %7s %9s %9s %9s %8s %8s %11s\n", "mode", "gil", "workers", "median_s",
           "min_s", "max_s", "speedup", "cpu_s", "parallelism");
    double serial_median = summarize(series[0].wall, (size_t)cfg.repeat).median;
    for (size_t s = 0; s < n_series; s++) {
        summary wall = summarize(series[s].wall, (size_t)cfg.repeat);
        summary cpu = summarize(series[s].cpu, (size_t)cfg.repeat);
        double speedup = serial_median / wall.median;
        printf("%-9s %-4s %7d %9.3f %9.3f %9.3f %7.2fx %8.3f %11.2f\n", kind_names[series[s].kind],
               series[s].gil_name, series[s].workers, wall.median, wall.min, wall.max, speedup,
               cpu.median, cpu.median / wall.median);
        if (df)
            datafile_row(df, "%s\t%s\t%d\t%d\t%ld\t%.4f\t%.4f\t%.4f\t%.3f\t%.4g\t%.4f\t%.3f",
                         kind_names[series[s].kind], series[s].gil_name, series[s].workers, cfg.cpus, cfg.repeat,
                         wall.median, wall.min, wall.max, speedup,
                         (double)cfg.work / wall.median, cpu.median, cpu.median / wall.median);
    }
    if (df)
        datafile_commit(df);
    free(series);
    return EXIT_SUCCESS;
}

/* ---- the three ways to run the work ------------------------------------------------ */

static struct run finish(int64_t start_wall, int64_t start_cpu, bool children)
{
    int64_t cpu = children ? cpu_ns_children() : cpu_ns_self();
    return (struct run){ .wall_s = (double)(now_ns() - start_wall) / NS_PER_S,
                         .cpu_s = (double)(cpu - start_cpu) / NS_PER_S };
}

/* The work in the main thread: one simulated thread, so no contention. */
static struct run run_serial(long long work)
{
    gil g;
    gil_thread t;
    gil_init(&g, GIL_NEW, GIL_DEFAULT_INTERVAL_US);
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

/* ---- arguments ----------------------------------------------------------------------- */

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
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .gil_used = { true, true, true }, .interval_us = GIL_DEFAULT_INTERVAL_US };
    bool quick = false, processes_given = false;
    int allowed = cpus_allowed();
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'g':
            arg_choice_list("--gil", optarg, gil_mode_names, cfg->gil_used);
            break;
        case 'w':
            cfg->n_workers = arg_int_list("--workers", optarg, 1, 64, cfg->workers, MAX_COUNTS);
            break;
        case 'p':
            cfg->n_processes = arg_int_list("--processes", optarg, 0, 64, cfg->processes, MAX_COUNTS);
            processes_given = true;
            break;
        case 'W':
            cfg->work = arg_int("--work", optarg, 1000, 100000000000LL);
            break;
        case 'c':
            cfg->cpus = (int)arg_int("--cpus", optarg, 1, allowed);
            break;
        case 'i':
            cfg->interval_us = (long)(arg_duration_ns("--interval", optarg, 1000, 10 * NS_PER_S) / 1000);
            break;
        case 'r':
            cfg->repeat = (long)arg_int("--repeat", optarg, 1, 1000);
            break;
        case 'd':
            cfg->data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            cfg->force_progress = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);

    static const long long quick_workers[] = { 1, 2, 4 }, all_workers[] = { 1, 2, 4, 8, 16 };
    static const long long quick_processes[] = { 1, 2 }, all_processes[] = { 1, 2, 4 };
    if (cfg->n_workers == 0) {
        cfg->n_workers = quick ? 3 : 5;
        memcpy(cfg->workers, quick ? quick_workers : all_workers, cfg->n_workers * sizeof(long long));
    }
    if (!processes_given) {
        cfg->n_processes = quick ? 2 : 3;
        memcpy(cfg->processes, quick ? quick_processes : all_processes,
               cfg->n_processes * sizeof(long long));
    } else if (cfg->n_processes == 1 && cfg->processes[0] == 0) {
        cfg->n_processes = 0; /* "--processes 0": threads only */
    } else {
        for (size_t i = 0; i < cfg->n_processes; i++)
            if (cfg->processes[i] == 0)
                usage_error("--processes: 0 must stand alone (it means no processes)");
    }
    if (cfg->work == 0)
        cfg->work = quick ? 8000000 : 40000000;
    if (cfg->repeat == 0)
        cfg->repeat = quick ? 3 : 5;
    if (cfg->cpus == 0)
        cfg->cpus = allowed;
}
