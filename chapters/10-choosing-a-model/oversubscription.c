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
 *   OMP_WAIT_POLICY=passive build/chapter10/oversubscription   # waiters sleep at once
 *
 * The fix, in Python too: one thread per process when there is a process
 * per core (OMP_NUM_THREADS=1, threadpoolctl), or one process using all
 * the threads.
 */
// build-flags: -fopenmp
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <omp.h>
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
#include "io.h"
#include "stats.h"

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
    "  --repeat N        repeats (1 to 100; default 5)\n"
    "  --data FILE       also write the results as TSV to FILE\n"
    "  --quick           work 10000000, regions 200, repeat 3\n"
    "  --help            show this help\n";

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

/* P processes, each with T threads, share the work; seconds. */
static double run(int processes, int threads, long long work, long long regions)
{
    long long per_region = work / regions / processes;
    int64_t start = now_ns();
    pid_t pids[16];
    int slots[16];
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

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "processes", required_argument, NULL, 'p' },
        { "threads", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "regions", required_argument, NULL, 'g' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long procs[16] = { 1, 2 }, threads[16] = { 1, 2, 4 }, work = 0, regions = 2000, repeat = 0;
    size_t n_procs = 2, n_threads = 3;
    bool quick = false, regions_given = false;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'p':
            n_procs = arg_int_list("--processes", optarg, 1, 16, procs, 16);
            break;
        case 't':
            n_threads = arg_int_list("--threads", optarg, 1, 16, threads, 16);
            break;
        case 'w':
            work = arg_int("--work", optarg, 100000, 10000000000LL);
            break;
        case 'g':
            regions = arg_int("--regions", optarg, 1, 1000000);
            regions_given = true;
            break;
        case 'r':
            repeat = arg_int("--repeat", optarg, 1, 100);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (work == 0)
        work = quick ? 10000000 : 200000000;
    if (quick && !regions_given)
        regions = 200;
    if (repeat == 0)
        repeat = quick ? 3 : 5;
    const char *policy = getenv("OMP_WAIT_POLICY");
    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "work: %lld", work);
        datafile_comment(df, "regions: %lld", regions);
        datafile_comment(df, "omp_wait_policy: %s", policy ? policy : "(default)");
        datafile_columns(df, "processes threads workers repeats median_s min_s max_s speedup");
    }
    printf("%lld iterations in %lld parallel loops; %d cores; OMP_WAIT_POLICY %s\n", work, regions,
           cpus_allowed(), policy ? policy : "unset");
    printf("%9s %7s %7s %9s %9s %9s %8s\n", "processes", "threads", "workers", "median_s", "min_s", "max_s",
           "speedup");
    double base = 0;
    for (size_t p = 0; p < n_procs; p++)
        for (size_t t = 0; t < n_threads; t++) {
            double s[100];
            for (long long r = 0; r < repeat; r++)
                s[r] = run((int)procs[p], (int)threads[t], work, regions);
            summary sum = summarize(s, (size_t)repeat);
            if (base == 0)
                base = sum.median; /* the first row: 1 process of 1 thread by default */
            printf("%9lld %7lld %7lld %9.3f %9.3f %9.3f %7.2fx\n", procs[p], threads[t], procs[p] * threads[t],
                   sum.median, sum.min, sum.max, base / sum.median);
            if (df)
                datafile_row(df, "%lld\t%lld\t%lld\t%lld\t%.4f\t%.4f\t%.4f\t%.3f", procs[p], threads[t],
                             procs[p] * threads[t], repeat, sum.median, sum.min, sum.max, base / sum.median);
        }
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
