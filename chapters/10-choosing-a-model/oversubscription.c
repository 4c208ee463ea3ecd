/*
 * oversubscription.c - a natively multithreaded kernel (OpenMP, as NumPy's
 * BLAS or PyTorch are) inside a pool of processes: processes x threads on a
 * machine with fewer cores than that.
 *
 * The same total work — many short parallel loops, each ending at a
 * barrier, as numerical code does — run by P processes, each splitting its
 * share over T OpenMP threads. With P x T at most the cores, every thread
 * has a core. Beyond, threads wait at each barrier for a thread that is not
 * running, and OpenMP's waiting threads spin before they sleep.
 *
 *   build/chapter10/oversubscription --quick
 *   build/chapter10/oversubscription --processes 2 --threads 1,2
 *   OMP_WAIT_POLICY=passive build/chapter10/oversubscription   # waiters sleep at once
 *
 * It prints one row per P x T: the wall time (median, min and max over the
 * repeats) and the speed-up over the first row (1 process of 1 thread by
 * default).
 *
 * What to expect: up to P x T = the cores, more workers are faster; just
 * beyond (2 x 2 on two cores) it is many times slower than 2 x 1 or 1 x 2.
 * The fix, in Python too: one thread per process when there is a process
 * per core (OMP_NUM_THREADS=1, threadpoolctl), or one process using all
 * the threads. Compare with chapter 2's parallelism (threads against
 * cores, with no barrier to wait at).
 */
// build-flags: -fopenmp
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <omp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "options.h"
#include "report.h"

#define MAX_COUNTS 16

struct config {
    long long processes[MAX_COUNTS], threads[MAX_COUNTS]; /* each 1 to MAX_COUNTS */
    size_t n_processes, n_threads;
    long long work, regions;
    run_options run;
};

// snippet-begin: kernel
/* One process's share: `regions` parallel loops of `per_region` steps. */
static double kernel(long long regions, long long per_region, int threads)
{
    double total = 0;
    for (long long r = 0; r < regions; r++) {
        double part = 0;
#pragma omp parallel for num_threads(threads) reduction(+ : part) schedule(static)
        for (long long i = 0; i < per_region; i++)
            part += sin((double)(r * per_region + i) * 1e-6);
        total += part;                       /* every thread has met the barrier */
    }
    return total;
}
// snippet-end: kernel

static const column columns[] = {
    { .name = "processes", .kind = COL_INT },
    { .name = "threads", .kind = COL_INT },
    { .name = "workers", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "speedup", .kind = COL_REAL, .decimals = 3 },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static double run(int processes, int threads, long long work, long long regions);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    const char *policy = getenv("OMP_WAIT_POLICY");
    printf("%lld iterations in %lld parallel loops; %d cores; OMP_WAIT_POLICY %s\n", cfg.work, cfg.regions,
           cpus_allowed(), policy ? policy : "unset");
    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "work: %lld", cfg.work);
    report_comment(out, "regions: %lld", cfg.regions);
    report_comment(out, "omp_wait_policy: %s", policy ? policy : "(default)");

    double *seconds = samples_alloc(cfg.run.repeat), base = 0;
    for (size_t p = 0; p < cfg.n_processes; p++)
        for (size_t t = 0; t < cfg.n_threads; t++) {
            long long processes = cfg.processes[p], threads = cfg.threads[t];
            for (long r = 0; r < cfg.run.repeat; r++)
                seconds[r] = run((int)processes, (int)threads, cfg.work, cfg.regions);
            report_int(out, processes);
            report_int(out, threads);
            report_int(out, processes * threads);
            report_int(out, cfg.run.repeat);
            summary s = report_spread(out, seconds, (size_t)cfg.run.repeat);
            if (base == 0)
                base = s.median; /* the first row: 1 process of 1 thread by default */
            report_real(out, base / s.median);
        }
    free(seconds);
    report_finish(out);
    return EXIT_SUCCESS;
}

/* P processes, each with T threads, share the work; seconds. */
static double run(int processes, int threads, long long work, long long regions)
{
    long long per_region = work / regions / processes;
    int64_t start = now_ns();
    pid_t pids[MAX_COUNTS];
    int slots[MAX_COUNTS];
    fflush(NULL);
    for (int p = 0; p < processes; p++) {
        pids[p] = cleanup_fork(&slots[p]); /* killed and reaped if we are stopped */
        if (pids[p] == 0) {
            double t = kernel(regions, per_region, threads);
            _exit(isfinite(t) ? EXIT_SUCCESS : EXIT_FAILURE);
        }
    }
    for (int p = 0; p < processes; p++) {
        int status;
        if (waitpid(pids[p], &status, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[p]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die_msg("process %d failed", p);
    }
    return (double)(now_ns() - start) / NS_PER_S;
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "oversubscription [--processes LIST] [--threads LIST] [--work N] [--regions N] [--repeat N]\n"
    "                        [--data FILE] [--quick]";
static const char help_text[] =
    "Runs the same OpenMP work in P processes of T threads each and times it.\n"
    "\n"
    "  --processes LIST  processes (1 to 16; default 1,2)\n"
    "  --threads LIST    OpenMP threads per process (1 to 16; default 1,2,4)\n"
    "  --work N          loop iterations in all (10^5 to 10^10; default 200000000)\n"
    "  --regions N       parallel loops (each ends at a barrier) the work is cut\n"
    "                    into (1 to 10^6; default 2000)\n"
    "  --repeat N        repeats (1 to 10000; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           work 10000000, regions 200, repeat 3\n"
    "  --help            show this help\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "processes", required_argument, NULL, 'p' },
        { "threads", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "regions", required_argument, NULL, 'g' },
        { "repeat", required_argument, NULL, OPT_REPEAT },
        { "data", required_argument, NULL, OPT_DATA },
        { "quick", no_argument, NULL, OPT_QUICK },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .processes = { 1, 2 },
        .n_processes = 2,
        .threads = { 1, 2, 4 },
        .n_threads = 3,
        .work = quick ? 10000000 : 200000000,
        .regions = quick ? 200 : 2000,
        .run.repeat = quick ? 3 : 5,
    };
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'p':
            cfg->n_processes = arg_int_list("--processes", optarg, 1, MAX_COUNTS, cfg->processes, MAX_COUNTS);
            break;
        case 't':
            cfg->n_threads = arg_int_list("--threads", optarg, 1, MAX_COUNTS, cfg->threads, MAX_COUNTS);
            break;
        case 'w':
            cfg->work = arg_int("--work", optarg, 100000, 10000000000LL);
            break;
        case 'g':
            cfg->regions = arg_int("--regions", optarg, 1, 1000000);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
