/*
 * parallelism.c - the same CPU-bound threads on one core and on all cores:
 * concurrency is not parallelism.
 *
 * Each of --threads threads does the same job: --work units of pure CPU work
 * (no GIL, no locks, no shared data). Confined to one core, the threads are
 * concurrent: the kernel slices the core's time among them. Free on all
 * cores, they run in parallel.
 *
 *   build/chapter02/parallelism --quick
 *   build/chapter02/parallelism --threads 1,2,4,8 --data par.tsv
 *   build/chapter02/parallelism --threads 4 --cpus 1 --duration 60ms --timeline one.tsv
 *
 * It prints one row per thread count and core count: the wall time (median,
 * min and max over the repeats), the CPU time, and CPU time / wall time, the
 * effective parallelism; then each wall time against one thread's.
 *
 * What to expect: on one core the wall time grows with the number of
 * threads and the parallelism stays at 1; on all cores the wall time stays
 * flat up to the core count and the parallelism reaches it. The CPU time is
 * the same both ways.
 *
 * With --timeline, the threads instead spin for --duration and record when
 * each of them was running: the data of the activity plot, a trace of spans
 * rather than a table of repeated points. It stays a mode of this program,
 * not a file of its own: the same threads doing the same work unit on the
 * same confined cores, only watched instead of timed. One core and all
 * cores stay one run (or --cpus): the chapter compares them side by side.
 *
 * Compare with chapter 3's gil_cpu: the same kind of threads, under a GIL.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "interp.h"
#include "locking.h"
#include "options.h"
#include "progress.h"
#include "report.h"

#define MAX_LIST 16

struct config {
    long long threads[MAX_LIST];
    size_t n_threads;
    long long work;
    int core_counts[2];         /* one core, then all (the default); or --cpus */
    int n_core_counts;
    bool cpus_given;
    const char *timeline_path;  /* --timeline; NULL: the table */
    int64_t duration_ns;
    bool duration_given;
    run_options run;
};

/*
 * One unit of CPU work (about 25 ns): the very work one bytecode of chapter
 * 3's simulated interpreter does (common/interp.h), here with no GIL at all.
 */
static inline uint64_t work_unit(uint64_t x)
{
    return bytecode(x);
}

/* ---- the measurement: fixed work per thread ------------------------------------ */

struct job {
    long long units;
    uint64_t result;
};

static void *job_main(void *arg)
{
    struct job *job = arg;
    uint64_t x = (uint64_t)(uintptr_t)job;
    for (long long i = 0; i < job->units; i++)
        x = work_unit(x);
    job->result = x; /* keeps the work from being optimized away */
    return NULL;
}

struct run {
    double wall_s, cpu_s;
};

// snippet-begin: run-threads
static struct run run_threads(int n, long long units)
{
    struct job jobs[64];
    pthread_t ids[64];
    int64_t start = now_ns(), start_cpu = cpu_ns_self();
    for (int i = 0; i < n; i++) {
        jobs[i].units = units;            /* every thread does the whole job */
        int rc = pthread_create(&ids[i], NULL, job_main, &jobs[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create %d", i);
    }
    join_all(ids, n);
    return (struct run){ .wall_s = (double)(now_ns() - start) / NS_PER_S,
                         .cpu_s = (double)(cpu_ns_self() - start_cpu) / NS_PER_S };
}
// snippet-end: run-threads

/* ---- the timeline: who ran when ------------------------------------------------ */

struct span {
    int64_t start_ns, end_ns;
};

struct spinner {
    int id;
    int64_t origin_ns, deadline_ns;
    struct span *spans;
    size_t n_spans, capacity, lost;
};

/* A pause this long between two chunks means the thread was not running. */
#define GAP_NS (50 * NS_PER_US)

// snippet-begin: spin-and-record
static void *spinner_main(void *arg)
{
    struct spinner *s = arg;
    uint64_t x = (uint64_t)s->id;
    int64_t start = now_ns(), last = start;
    while (last < s->deadline_ns) {
        for (int i = 0; i < 40; i++)        /* about a microsecond of work */
            x = work_unit(x);
        int64_t now = now_ns();
        if (now - last > GAP_NS) {          /* we were off the CPU: close a span */
            if (s->n_spans < s->capacity)
                s->spans[s->n_spans++] = (struct span){ start, last };
            else
                s->lost++;
            start = now;
        }
        last = now;
    }
    // snippet-end: spin-and-record
    /* The span the loop left open, unless it began only after the deadline:
     * a thread off the CPU across it came back just to see the run was over
     * (it did not run inside the run). So every span ends within one gap of
     * the deadline. */
    if (start < s->deadline_ns) {
        if (s->n_spans < s->capacity)
            s->spans[s->n_spans++] = (struct span){ start, last };
        else
            s->lost++;
    }
    return (void *)(uintptr_t)(x & 1); /* keeps the work */
}

/* ---- main -------------------------------------------------------------------------- */

static void parse_args(int argc, char *argv[], struct config *cfg);
static void timeline(int argc, char *argv[], const struct config *cfg);
static void measure_point(const struct config *cfg, int threads, double *wall, double *cpu,
                          progress *bar);
static double report_point(report *out, const struct config *cfg, int threads, int cores,
                           const double *wall, const double *cpu);
static void print_against_one(const struct config *cfg, double median_wall[][MAX_LIST]);

static const column columns[] = {
    { .name = "threads", .kind = COL_INT },
    { .name = "cpus", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "wall_s", .kind = COL_SPREAD, .decimals = 4 },  /* median_wall_s min_ max_ */
    { .name = "median_cpu_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "parallelism", .kind = COL_REAL, .decimals = 3 },
    { 0 },
};

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (cfg.timeline_path != NULL) {
        confine_to_cpus(cfg.core_counts[0]);
        timeline(argc, argv, &cfg);
        return EXIT_SUCCESS;
    }

    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "work_per_thread: %lld units", cfg.work);
    progress bar;
    long points = (long)cfg.n_core_counts * (long)cfg.n_threads;
    progress_start(&bar, "parallelism", points * cfg.run.repeat, cfg.run.force_progress);
    report_progress(out, &bar);
    printf("every thread does %lld units of work\n", cfg.work);

    double *wall = samples_alloc(cfg.run.repeat), *cpu = samples_alloc(cfg.run.repeat);
    double median_wall[2][MAX_LIST];
    for (int k = 0; k < cfg.n_core_counts; k++) {
        confine_to_cpus(cfg.core_counts[k]);   /* the threads we create inherit it */
        for (size_t t = 0; t < cfg.n_threads; t++) {
            int threads = (int)cfg.threads[t];
            measure_point(&cfg, threads, wall, cpu, &bar);
            median_wall[k][t] = report_point(out, &cfg, threads, cfg.core_counts[k], wall, cpu);
        }
    }
    progress_finish(&bar);
    report_finish(out);
    print_against_one(&cfg, median_wall);
    free(wall);
    free(cpu);
    return EXIT_SUCCESS;
}

/*
 * Spin one thread per --threads for --duration and write each one's spans
 * of running to the --timeline file. A trace, one row per span and no
 * repeats, so it is written with datafile.h directly: report.h would print
 * every span as a table row too.
 */
static void timeline(int argc, char *argv[], const struct config *cfg)
{
    int n = (int)cfg->threads[0], cpus = cfg->core_counts[0];
    struct spinner spinners[64];
    pthread_t ids[64];
    size_t capacity = (size_t)(cfg->duration_ns / GAP_NS) + 16;
    int64_t origin = now_ns();
    for (int i = 0; i < n; i++) {
        spinners[i] = (struct spinner){ .id = i, .origin_ns = origin,
                                        .deadline_ns = origin + cfg->duration_ns,
                                        .capacity = capacity };
        spinners[i].spans = malloc(capacity * sizeof(struct span));
        if (spinners[i].spans == NULL)
            die("malloc");
        int rc = pthread_create(&ids[i], NULL, spinner_main, &spinners[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create %d", i);
    }
    join_all(ids, n);
    datafile *df = datafile_create(cfg->timeline_path, argc, argv);
    datafile_comment(df, "threads: %d", n);
    datafile_comment(df, "cpus: %d", cpus);
    datafile_comment(df, "gap_us: %lld", GAP_NS / NS_PER_US);
    datafile_columns(df, "thread start_ms end_ms");
    double busy = 0;
    for (int i = 0; i < n; i++) {
        if (spinners[i].lost > 0)
            warn_msg("thread %d: %zu spans did not fit", i, spinners[i].lost);
        for (size_t k = 0; k < spinners[i].n_spans; k++) {
            struct span *sp = &spinners[i].spans[k];
            datafile_row(df, "%d\t%.4f\t%.4f", i, (double)(sp->start_ns - origin) / NS_PER_MS,
                         (double)(sp->end_ns - origin) / NS_PER_MS);
            busy += (double)(sp->end_ns - sp->start_ns);
        }
        free(spinners[i].spans);
    }
    datafile_commit(df);
    printf("%d threads on %d core(s) for %.0f ms: running %.1f ms in all, parallelism %.2f\n", n,
           cpus, (double)cfg->duration_ns / NS_PER_MS, busy / NS_PER_MS,
           busy / (double)cfg->duration_ns);
}

/* --repeat runs of `threads` threads: wall[r] and cpu[r], in seconds. */
static void measure_point(const struct config *cfg, int threads, double *wall, double *cpu,
                          progress *bar)
{
    for (long r = 0; r < cfg->run.repeat; r++) {
        struct run run = run_threads(threads, cfg->work);
        wall[r] = run.wall_s;
        cpu[r] = run.cpu_s;
        progress_advance(bar, 1);
    }
}

/* One row of the table (and of the data file); returns the median wall time. */
static double report_point(report *out, const struct config *cfg, int threads, int cores,
                           const double *wall, const double *cpu)
{
    size_t repeat = (size_t)cfg->run.repeat;
    report_int(out, threads);
    report_int(out, cores);
    report_int(out, cfg->run.repeat);
    summary w = report_spread(out, wall, repeat);
    double cpu_median = summarize(cpu, repeat).median;
    report_real(out, cpu_median);
    report_real(out, cpu_median / w.median);
    return w.median;
}

/* Each wall time in units of one thread's (the first count's, per thread):
 * on one core it grows with the threads; on all cores it stays near 1 up to
 * the core count. */
static void print_against_one(const struct config *cfg, double median_wall[][MAX_LIST])
{
    for (int k = 0; k < cfg->n_core_counts; k++) {
        double one = median_wall[k][0] / (double)cfg->threads[0];
        printf("wall/1thread on %d core(s):", cfg->core_counts[k]);
        for (size_t t = 0; t < cfg->n_threads; t++)
            printf(" %.2fx", median_wall[k][t] / one);
        printf("  (threads");
        for (size_t t = 0; t < cfg->n_threads; t++)
            printf("%s%lld", t == 0 ? " " : ", ", cfg->threads[t]);
        printf(")\n");
    }
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "parallelism [--threads LIST] [--work N] [--cpus N] [--repeat N] [--data FILE]\n"
    "                   [--timeline FILE --duration D] [--quick] [--progress]";
static const char help_text[] =
    "Runs CPU-bound threads on one core and on all cores and reports wall time,\n"
    "CPU time and effective parallelism (CPU time / wall time).\n"
    "\n"
    "  --threads LIST   thread counts (1 to 64; default 1,2,4,8)\n"
    "  --work N         work units per thread (1000 to 10^11; default 20000000,\n"
    "                   about half a second)\n"
    "  --cpus N         only this core count (default: one core, then all cores)\n"
    "  --timeline FILE  instead: spin for --duration and write when each thread\n"
    "                   ran (one --threads value, one --cpus value)\n"
    "  --duration D     how long the timeline lasts (1ms to 10s; default 60ms)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "threads", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "cpus", required_argument, NULL, 'c' },
        { "timeline", required_argument, NULL, 'T' },
        { "duration", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    static const long long quick_threads[] = { 1, 2, 4 }, all_threads[] = { 1, 2, 4, 8 };
    bool quick = options_quick(argc, argv, options);
    int allowed = cpus_allowed();
    *cfg = (struct config){
        .n_threads = quick ? 3 : 4,
        .work = quick ? 4000000 : 20000000,
        .core_counts = { 1, allowed },
        .n_core_counts = allowed > 1 ? 2 : 1,
        .duration_ns = 60 * NS_PER_MS,
        .run.repeat = quick ? 3 : 5,
    };
    memcpy(cfg->threads, quick ? quick_threads : all_threads, cfg->n_threads * sizeof(long long));

    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "work 4000000, threads 1,2,4, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 't':
            cfg->n_threads = arg_int_list("--threads", optarg, 1, 64, cfg->threads, MAX_LIST);
            break;
        case 'w':
            cfg->work = arg_int("--work", optarg, 1000, 100000000000LL);
            break;
        case 'c':
            cfg->core_counts[0] = (int)arg_int("--cpus", optarg, 1, allowed);
            cfg->n_core_counts = 1;
            cfg->cpus_given = true;
            break;
        case 'T':
            cfg->timeline_path = arg_path("--timeline", optarg);
            break;
        case 'D':
            cfg->duration_ns = arg_duration_ns("--duration", optarg, NS_PER_MS, 10 * NS_PER_S);
            cfg->duration_given = true;
            break;
        }
    }
    arg_no_operands(argc, argv);

    if (cfg->timeline_path != NULL) {
        if (cfg->n_threads != 1 || !cfg->cpus_given || cfg->run.data_path != NULL)
            usage_error("--timeline: needs one --threads value and --cpus, and no --data");
    } else if (cfg->duration_given) {
        usage_error("--duration: only with --timeline");
    }
}
