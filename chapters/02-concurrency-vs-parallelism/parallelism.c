/*
 * parallelism.c - the same CPU-bound threads on one core and on all cores:
 * concurrency is not parallelism.
 *
 * Each of --threads threads does the same job: --work units of pure CPU work
 * (no GIL, no locks, no shared data). Confined to one core, the threads are
 * concurrent: the kernel slices the core's time among them, and the wall
 * time grows with their number. Free on all cores, they run in parallel:
 * the wall time stays flat up to the core count. The CPU time is the same
 * both ways; CPU time / wall time is the effective parallelism.
 *
 * With --timeline, the threads instead spin for --duration and record when
 * each of them was running: the activity plot.
 *
 *   build/chapter02/parallelism --quick
 *   build/chapter02/parallelism --threads 1,2,4,8 --data par.tsv
 *   build/chapter02/parallelism --threads 4 --cpus 1 --duration 60ms --timeline one.tsv
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
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
#include "progress.h"
#include "stats.h"
#include "locking.h"

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
    "  --repeat N       runs of every configuration (1 to 100; default 5)\n"
    "  --data FILE      write the results as TSV to FILE\n"
    "  --timeline FILE  instead: spin for --duration and write when each thread\n"
    "                   ran (one --threads value, one --cpus value)\n"
    "  --duration D     how long the timeline lasts (1ms to 10s; default 60ms)\n"
    "  --quick          work 4000000, threads 1,2,4, repeat 3\n"
    "  --progress       show the progress bar even when stderr is not a terminal\n"
    "  --help           show this help\n";

#define MAX_LIST 16

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
    if (s->n_spans < s->capacity)
        s->spans[s->n_spans++] = (struct span){ start, last };
    else
        s->lost++;
    return (void *)(uintptr_t)(x & 1); /* keeps the work */
}

static void timeline(int argc, char *argv[], const char *path, int n, int cpus, int64_t duration_ns)
{
    struct spinner spinners[64];
    pthread_t ids[64];
    size_t capacity = (size_t)(duration_ns / GAP_NS) + 16;
    int64_t origin = now_ns();
    for (int i = 0; i < n; i++) {
        spinners[i] = (struct spinner){ .id = i, .origin_ns = origin,
                                        .deadline_ns = origin + duration_ns,
                                        .capacity = capacity };
        spinners[i].spans = malloc(capacity * sizeof(struct span));
        if (spinners[i].spans == NULL)
            die("malloc");
        int rc = pthread_create(&ids[i], NULL, spinner_main, &spinners[i]);
        if (rc != 0)
            die_rc(rc, "pthread_create %d", i);
    }
    join_all(ids, n);
    datafile *df = datafile_create(path, argc, argv);
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
           cpus, (double)duration_ns / NS_PER_MS, busy / NS_PER_MS, busy / (double)duration_ns);
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "threads", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "cpus", required_argument, NULL, 'c' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "timeline", required_argument, NULL, 'T' },
        { "duration", required_argument, NULL, 'D' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long threads[MAX_LIST];
    size_t n_threads = 0;
    long long work = 0;
    long repeat = 0;
    int allowed = cpus_allowed(), only_cpus = 0;
    int64_t duration_ns = 0;
    const char *data_path = NULL, *timeline_path = NULL;
    bool quick = false, force_progress = false;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 't':
            n_threads = arg_int_list("--threads", optarg, 1, 64, threads, MAX_LIST);
            break;
        case 'w':
            work = arg_int("--work", optarg, 1000, 100000000000LL);
            break;
        case 'c':
            only_cpus = (int)arg_int("--cpus", optarg, 1, allowed);
            break;
        case 'r':
            repeat = (long)arg_int("--repeat", optarg, 1, 100);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'T':
            timeline_path = arg_path("--timeline", optarg);
            break;
        case 'D':
            duration_ns = arg_duration_ns("--duration", optarg, NS_PER_MS, 10 * NS_PER_S);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            force_progress = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);

    if (timeline_path) {
        if (n_threads != 1 || only_cpus == 0 || data_path)
            usage_error("--timeline: needs one --threads value and --cpus, and no --data");
        if (duration_ns == 0)
            duration_ns = 60 * NS_PER_MS;
        confine_to_cpus(only_cpus);
        timeline(argc, argv, timeline_path, (int)threads[0], only_cpus, duration_ns);
        return EXIT_SUCCESS;
    }
    if (duration_ns != 0)
        usage_error("--duration: only with --timeline");
    if (n_threads == 0) {
        static const long long quick_threads[] = { 1, 2, 4 }, all_threads[] = { 1, 2, 4, 8 };
        n_threads = quick ? 3 : 4;
        memcpy(threads, quick ? quick_threads : all_threads, n_threads * sizeof *threads);
    }
    if (work == 0)
        work = quick ? 4000000 : 20000000;
    if (repeat == 0)
        repeat = quick ? 3 : 5;
    int core_counts[2] = { 1, allowed };
    int n_counts = only_cpus ? 1 : (allowed > 1 ? 2 : 1);
    if (only_cpus)
        core_counts[0] = only_cpus;

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "work_per_thread: %lld units", work);
        datafile_columns(df, "threads cpus repeats median_wall_s min_wall_s max_wall_s "
                             "median_cpu_s parallelism");
    }
    progress bar;
    progress_start(&bar, "parallelism", (long)((size_t)n_counts * n_threads) * repeat, force_progress);
    printf("every thread does %lld units of work\n", work);
    printf("%7s %5s %12s %12s %12s %12s\n", "threads", "cores", "wall_s", "cpu_s", "parallelism",
           "wall/1thread");
    for (int k = 0; k < n_counts; k++) {
        confine_to_cpus(core_counts[k]);   /* the threads we create inherit it */
        double first_wall = 0;
        for (size_t t = 0; t < n_threads; t++) {
            double wall[100], cpu[100];
            for (long r = 0; r < repeat; r++) {
                struct run run = run_threads((int)threads[t], work);
                wall[r] = run.wall_s;
                cpu[r] = run.cpu_s;
                progress_advance(&bar, 1);
            }
            summary w = summarize(wall, (size_t)repeat), c = summarize(cpu, (size_t)repeat);
            if (t == 0)
                first_wall = w.median / (double)threads[0];
            progress_clear(&bar);
            printf("%7lld %5d %12.3f %12.3f %12.2f %11.2fx\n", threads[t], core_counts[k],
                   w.median, c.median, c.median / w.median, w.median / first_wall);
            if (df)
                datafile_row(df, "%lld\t%d\t%ld\t%.4f\t%.4f\t%.4f\t%.4f\t%.3f", threads[t],
                             core_counts[k], repeat, w.median, w.min, w.max, c.median,
                             c.median / w.median);
        }
    }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
