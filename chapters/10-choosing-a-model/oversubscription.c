/*
 * oversubscription.c - a natively multithreaded kernel (OpenMP, as NumPy's
 * BLAS or PyTorch are) inside a pool of processes: processes x threads on a
 * machine with fewer cores than that.
 *
 * The same total work - many short parallel loops, each ending at a
 * barrier, as numerical code does - run by P processes, each splitting its
 * share over T OpenMP threads. With P x T at most the cores, every thread
 * has a core. Beyond, threads wait at each barrier for a thread that is not
 * running, and how they wait is the OpenMP runtime's choice:
 *
 *   libgomp (GNU, what gcc links)   spins GOMP_SPINCOUNT times (300,000 by
 *                                   default; 100 when the process has more
 *                                   threads than CPUs), then sleeps (futex)
 *   libomp (LLVM, what clang links) spins for KMP_BLOCKTIME (200 ms by
 *                                   default), but calls sched_yield() as it
 *                                   spins, then sleeps
 *
 * Neither knows about the other processes: each counts its own threads
 * against all the CPUs. The data file names the runtime the program ran
 * with (openmp_runtime, the library that holds the OpenMP functions).
 *
 *   build/chapter10/oversubscription --quick
 *   build/chapter10/oversubscription --processes 2 --threads 1,2
 *   OMP_WAIT_POLICY=passive build/chapter10/oversubscription   # waiters sleep at once
 *
 * It prints one row per P x T: the wall time (median, min and max over the
 * repeats) and the speed-up over the first row (1 process of 1 thread by
 * default).
 *
 * What to expect: up to P x T = the cores, more workers are faster. Just
 * beyond (2 x 2 on two cores), with libgomp, it is several times slower than
 * 2 x 1 or 1 x 2, and no two runs take the same time; with libomp it is not.
 * The fix, in Python too: one thread per process when there is a process
 * per core (OMP_NUM_THREADS=1, threadpoolctl), or one process using all
 * the threads. Compare with chapter 2's parallelism (threads against
 * cores, with no barrier to wait at).
 */
// build-flags: -fopenmp
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
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
static report *start_report(const struct config *cfg, int argc, char *argv[]);
static double run(int processes, int threads, long long work, long long regions);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    report *out = start_report(&cfg, argc, argv);

    /* Every P x T once per repeat, in turn, so that a change in the load
     * meets all of them alike. */
    size_t n_points = cfg.n_processes * cfg.n_threads;
    double *seconds[MAX_COUNTS * MAX_COUNTS];
    for (size_t k = 0; k < n_points; k++)
        seconds[k] = samples_alloc(cfg.run.repeat);
    for (long r = 0; r < cfg.run.repeat; r++)
        for (size_t k = 0; k < n_points; k++)
            seconds[k][r] = run((int)cfg.processes[k / cfg.n_threads], (int)cfg.threads[k % cfg.n_threads],
                                cfg.work, cfg.regions);

    double base = 0;
    for (size_t k = 0; k < n_points; k++) {
        long long processes = cfg.processes[k / cfg.n_threads], threads = cfg.threads[k % cfg.n_threads];
        report_int(out, processes);
        report_int(out, threads);
        report_int(out, processes * threads);
        report_int(out, cfg.run.repeat);
        summary s = report_spread(out, seconds[k], (size_t)cfg.run.repeat);
        if (k == 0)
            base = s.median; /* the first row: 1 process of 1 thread by default */
        report_real(out, base / s.median);
        free(seconds[k]);
    }
    report_finish(out);
    return EXIT_SUCCESS;
}

/* The file of the library the OpenMP functions come from: which runtime
 * this is, whatever the compiler was. (dlsym gives the address as a data
 * pointer, which dladdr takes; a function pointer may not be cast to one.) */
static const char *openmp_library(void)
{
    (void)omp_get_max_threads();              /* the runtime is loaded and started */
    void *address = dlsym(RTLD_DEFAULT, "omp_get_max_threads");
    Dl_info info;
    if (address == NULL || dladdr(address, &info) == 0 || info.dli_fname == NULL)
        return "unknown";
    return info.dli_fname;
}

/* "libgomp" from ".../libgomp.so.1", "libomp" from ".../libomp.so.5". */
static void runtime_name(const char *library, char *name, size_t size)
{
    const char *base = strrchr(library, '/');
    snprintf(name, size, "%s", base ? base + 1 : library);
    name[strcspn(name, ".")] = '\0';
}

/* The environment variable, or "(default)". */
static const char *env_or_default(const char *name)
{
    const char *value = getenv(name);
    return value ? value : "(default)";
}

/* The runtime and how it was told to wait, on stdout and in the data file. */
static report *start_report(const struct config *cfg, int argc, char *argv[])
{
    const char *library = openmp_library();
    char runtime[64];
    runtime_name(library, runtime, sizeof runtime);
    printf("%lld iterations in %lld parallel loops; %d cores; OpenMP runtime %s (%s); "
           "OMP_WAIT_POLICY %s, GOMP_SPINCOUNT %s, KMP_BLOCKTIME %s\n",
           cfg->work, cfg->regions, cpus_allowed(), runtime, library, env_or_default("OMP_WAIT_POLICY"),
           env_or_default("GOMP_SPINCOUNT"), env_or_default("KMP_BLOCKTIME"));
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "work: %lld", cfg->work);
    report_comment(out, "regions: %lld", cfg->regions);
    report_comment(out, "openmp_runtime: %s", runtime);
    report_comment(out, "openmp_library: %s", library);
    report_comment(out, "omp_wait_policy: %s", env_or_default("OMP_WAIT_POLICY"));
    report_comment(out, "gomp_spincount: %s", env_or_default("GOMP_SPINCOUNT"));
    report_comment(out, "kmp_blocktime: %s", env_or_default("KMP_BLOCKTIME"));
    return out;
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
    "                    into (1 to 10^6; default 2000)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "processes", required_argument, NULL, 'p' },
        { "threads", required_argument, NULL, 't' },
        { "work", required_argument, NULL, 'w' },
        { "regions", required_argument, NULL, 'g' },
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
        .run.repeat = quick ? 3 : 9,
    };
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK;
    cfg->run.quick_help = "work 10000000, regions 200, repeat 3";
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
