/*
 * creation_cost.c - what it costs to start a process or a thread, and how
 * the cost grows with the memory the parent has touched.
 *
 * Four ways to get a new flow of control, each timed from the call that
 * creates it until the parent has reaped (or joined) it:
 *
 *   fork          fork() + child _exit() + waitpid()
 *   fork-exec     fork() + child execv(--exec) + waitpid()
 *   posix-spawn   posix_spawn(--exec) + waitpid()
 *   thread        pthread_create() + pthread_join()
 *
 * Before each round the parent maps and touches --sizes MiB of memory (one
 * write per page), so that it really is resident. fork() must copy the
 * parent's page tables (the pages themselves are shared copy-on-write): the
 * bigger the parent, the slower the fork. posix_spawn() in glibc uses
 * clone(CLONE_VM | CLONE_VFORK): the child borrows the parent's memory until
 * it calls exec, so nothing is copied. A thread shares everything.
 *
 *   build/chapter01/creation_cost --quick
 *   build/chapter01/creation_cost --sizes 0,64,256,1024 --repeat 15 --data cost.tsv
 *
 * Compare with isolation.c, which shows what the copy means for a program.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, MADV_NOHUGEPAGE, environ */
#include <getopt.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "datafile.h"
#include "error.h"
#include "progress.h"
#include "stats.h"

static const char usage_line[] =
    "creation_cost [--sizes LIST] [--repeat N] [--methods LIST] [--exec PATH]\n"
    "                     [--pages small|huge] [--data FILE] [--quick] [--progress] [--help]";
static const char help_text[] =
    "Times fork, fork+exec, posix_spawn and pthread_create against the parent's\n"
    "resident memory.\n"
    "\n"
    "  --sizes LIST     MiB the parent touches before each round, comma-separated\n"
    "                   (0 to 16384; default 0,64,256,1024)\n"
    "  --repeat N       timed creations per method and size (1 to 100000; default 15)\n"
    "  --methods LIST   any of fork,fork-exec,posix-spawn,thread (default: all)\n"
    "  --exec PATH      the trivial program fork-exec and posix-spawn run\n"
    "                   (default /bin/true)\n"
    "  --pages KIND     small: 4 KiB pages (MADV_NOHUGEPAGE, the default);\n"
    "                   huge: ask for transparent huge pages (MADV_HUGEPAGE)\n"
    "  --data FILE      also write the results as TSV to FILE\n"
    "  --quick          sizes 0,64,256 and 5 repeats, unless given\n"
    "  --progress       show the progress bar even when stderr is not a terminal\n"
    "  --help           show this help\n";

enum method { FORK, FORK_EXEC, POSIX_SPAWN, THREAD, METHODS };
static const char *const method_names[] = { "fork", "fork-exec", "posix-spawn", "thread", NULL };

#define MAX_SIZES 16
#define MIB (1024L * 1024L)

struct config {
    long long sizes_mib[MAX_SIZES];
    size_t n_sizes;
    long repeat;
    bool use[METHODS];
    const char *exec_path;
    bool huge_pages;
    const char *data_path;
    bool force_progress;
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void *touch_memory(size_t bytes, bool huge_pages);
static double time_one(enum method m, const char *exec_path);
static void resident_kib(long *rss_kib, long *page_tables_kib);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    size_t n_methods = 0;
    for (int m = 0; m < METHODS; m++)
        n_methods += cfg.use[m];
    double *samples = malloc(METHODS * (size_t)cfg.repeat * sizeof *samples);
    if (samples == NULL)
        die("malloc samples");

    datafile *df = NULL;
    if (cfg.data_path) {
        df = datafile_create(cfg.data_path, argc, argv);
        datafile_comment(df, "pages: %s", cfg.huge_pages ? "huge (MADV_HUGEPAGE)"
                                                         : "small (MADV_NOHUGEPAGE)");
        datafile_comment(df, "exec: %s", cfg.exec_path);
        datafile_columns(df, "method rss_mib measured_rss_mib page_tables_kib repeats median_us "
                             "min_us max_us");
    }

    printf("%-12s %8s %10s %10s %10s %10s %12s\n", "method", "rss_mib", "median_us", "min_us",
           "max_us", "vs_0_MiB", "page_tables");
    double first_median[METHODS] = { 0 };
    progress bar;
    progress_start(&bar, "creation cost", (long)(cfg.n_sizes * n_methods) * cfg.repeat,
                   cfg.force_progress);

    for (size_t s = 0; s < cfg.n_sizes; s++) {
        size_t bytes = (size_t)cfg.sizes_mib[s] * MIB;
        void *memory = touch_memory(bytes, cfg.huge_pages);
        long rss_kib, page_tables_kib;
        resident_kib(&rss_kib, &page_tables_kib);

        /* One untimed round first: page in the program, warm the caches. */
        for (int m = 0; m < METHODS; m++)
            if (cfg.use[m])
                time_one((enum method)m, cfg.exec_path);
        // snippet-begin: interleave
        /* Interleave the methods, so a noisy moment hurts all of them alike. */
        for (long r = 0; r < cfg.repeat; r++) {
            for (int m = 0; m < METHODS; m++) {
                if (!cfg.use[m])
                    continue;
                samples[(size_t)m * (size_t)cfg.repeat + (size_t)r] =
                    time_one((enum method)m, cfg.exec_path);
                progress_advance(&bar, 1);
            }
        }
        // snippet-end: interleave
        if (bytes > 0 && munmap(memory, bytes) == -1)
            die("munmap");

        for (int m = 0; m < METHODS; m++) {
            if (!cfg.use[m])
                continue;
            summary sum = summarize(&samples[(size_t)m * (size_t)cfg.repeat], (size_t)cfg.repeat);
            if (s == 0)
                first_median[m] = sum.median;
            progress_clear(&bar);
            printf("%-12s %8lld %10.1f %10.1f %10.1f %9.1fx %9ld KiB\n", method_names[m],
                   cfg.sizes_mib[s], sum.median, sum.min, sum.max, sum.median / first_median[m],
                   page_tables_kib);
            if (df)
                datafile_row(df, "%s\t%lld\t%.1f\t%ld\t%ld\t%.2f\t%.2f\t%.2f", method_names[m],
                             cfg.sizes_mib[s], (double)rss_kib / 1024, page_tables_kib,
                             cfg.repeat, sum.median, sum.min, sum.max);
        }
    }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    free(samples);
    return EXIT_SUCCESS;
}

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 's' },
        { "repeat", required_argument, NULL, 'r' },
        { "methods", required_argument, NULL, 'm' },
        { "exec", required_argument, NULL, 'e' },
        { "pages", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const page_kinds[] = { "small", "huge", NULL };
    *cfg = (struct config){ .repeat = 0, .exec_path = "/bin/true" };
    bool quick = false, methods_given = false;

    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 's':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 0, 16384, cfg->sizes_mib, MAX_SIZES);
            break;
        case 'r':
            cfg->repeat = (long)arg_int("--repeat", optarg, 1, 100000);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, cfg->use);
            methods_given = true;
            break;
        case 'e':
            if (optarg[0] == '\0' || access(optarg, X_OK) == -1)
                usage_error("--exec: '%s' is not an executable file", optarg);
            cfg->exec_path = optarg;
            break;
        case 'p':
            cfg->huge_pages = arg_choice("--pages", optarg, page_kinds) == 1;
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

    if (cfg->n_sizes == 0) {
        static const long long quick_sizes[] = { 0, 64, 256 }, full_sizes[] = { 0, 64, 256, 1024 };
        const long long *from = quick ? quick_sizes : full_sizes;
        cfg->n_sizes = quick ? 3 : 4;
        memcpy(cfg->sizes_mib, from, cfg->n_sizes * sizeof *from);
    }
    if (cfg->repeat == 0)
        cfg->repeat = quick ? 5 : 15;
    if (!methods_given)
        for (int m = 0; m < METHODS; m++)
            cfg->use[m] = true;
    if (!methods_given && access(cfg->exec_path, X_OK) == -1)
        die("%s (needed by fork-exec and posix-spawn; see --exec)", cfg->exec_path);

    long long biggest = 0;
    for (size_t i = 0; i < cfg->n_sizes; i++)
        biggest = cfg->sizes_mib[i] > biggest ? cfg->sizes_mib[i] : biggest;
    long long machine_mib = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / MIB;
    if (biggest > machine_mib / 2)
        usage_error("--sizes: %lld MiB is more than half of this machine's %lld MiB", biggest,
                    machine_mib);
}

/* Map `bytes` of private memory and write to every page so it is resident. */
static void *touch_memory(size_t bytes, bool huge_pages)
{
    if (bytes == 0)
        return NULL;
    char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        die("mmap %zu MiB", bytes / MIB);
    /* Say which page size we want, whatever the machine's default is. */
    if (madvise(memory, bytes, huge_pages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) == -1)
        die("madvise");
    long page = sysconf(_SC_PAGESIZE);
    for (size_t offset = 0; offset < bytes; offset += (size_t)page)
        memory[offset] = 1;
    return memory;
}

static void *thread_noop(void *arg)
{
    return arg;
}

/* Wait for `pid` and insist it exited with status 0. */
static void reap(pid_t pid, const char *what)
{
    int status;
    if (waitpid(pid, &status, 0) == -1)
        die("waitpid (%s)", what);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("%s: child %d ended with status 0x%x", what, (int)pid, status);
}

/* Create one process or thread by method `m`, wait for it; microseconds. */
static double time_one(enum method m, const char *exec_path)
{
    char *const child_argv[] = { (char *)exec_path, NULL };
    extern char **environ;
    pid_t pid;
    int rc;

    int64_t start = now_ns();
    switch (m) {
    // snippet-begin: four-ways
    case FORK:
        pid = fork();
        if (pid == -1)
            die("fork");
        if (pid == 0)
            _exit(EXIT_SUCCESS);             /* the child does nothing */
        reap(pid, "fork");
        break;
    case FORK_EXEC:
        pid = fork();
        if (pid == -1)
            die("fork");
        if (pid == 0) {
            execv(exec_path, child_argv);    /* returns only on failure */
            _exit(127);
        }
        reap(pid, "fork-exec");
        break;
    case POSIX_SPAWN:
        rc = posix_spawn(&pid, exec_path, NULL, NULL, child_argv, environ);
        if (rc != 0)
            die_rc(rc, "posix_spawn %s", exec_path);
        reap(pid, "posix-spawn");
        break;
    case THREAD: {
        pthread_t thread;
        rc = pthread_create(&thread, NULL, thread_noop, NULL);
        if (rc != 0)
            die_rc(rc, "pthread_create");
        rc = pthread_join(thread, NULL);
        if (rc != 0)
            die_rc(rc, "pthread_join");
        break;
    }
    // snippet-end: four-ways
    default:
        die_msg("unknown method %d", (int)m);
    }
    return (double)(now_ns() - start) / NS_PER_US;
}

/* Resident set size and page-table size of this process, from the kernel. */
static void resident_kib(long *rss_kib, long *page_tables_kib)
{
    *rss_kib = *page_tables_kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        die("fopen /proc/self/status");
    char line[256];
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "VmRSS: %ld kB", rss_kib);
        sscanf(line, "VmPTE: %ld kB", page_tables_kib);
    }
    fclose(f);
}
