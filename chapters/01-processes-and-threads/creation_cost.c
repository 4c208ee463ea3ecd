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
 * write per page), so that it really is resident.
 *
 *   build/chapter01/creation_cost --quick
 *   build/chapter01/creation_cost --sizes 0,64,256,1024 --repeat 15 --data cost.tsv
 *   build/chapter01/creation_cost --sizes 0,1024 --methods fork --pages huge
 *
 * It prints one row per method and size: the parent's resident memory and
 * page tables as the kernel reports them, and the creation time in µs
 * (median, min and max over the repeats); then how much dearer each method
 * got at every size than at the first.
 *
 * What to expect: fork() must copy the parent's page tables (the pages
 * themselves are shared copy-on-write), so the bigger the parent, the slower
 * the fork, and fork-exec pays the same. posix_spawn() in glibc uses
 * clone(CLONE_VM | CLONE_VFORK): the child borrows the parent's memory until
 * it calls exec, so nothing is copied and it stays flat. A thread shares
 * everything: cheapest, and flat.
 *
 * The four methods stay one program chosen by --methods: they must be
 * measured side by side, in turns, in one run (see `interleave`). --pages
 * stays a flag too: it changes how the parent's memory is mapped, not what
 * is timed.
 *
 * Compare with isolation.c, which shows what the copy means for a program,
 * and with chapter 8's cow_cost, which pays for the copy page by page.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, MADV_NOHUGEPAGE, environ */
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "memory.h"
#include "options.h"
#include "progress.h"
#include "report.h"

enum method { FORK, FORK_EXEC, POSIX_SPAWN, THREAD, METHODS };
static const char *const method_names[] = { "fork", "fork-exec", "posix-spawn", "thread", NULL };

#define MAX_SIZES 16
#define MIB (1024L * 1024L)

struct config {
    long long sizes_mib[MAX_SIZES];
    size_t n_sizes;
    bool use[METHODS];
    const char *exec_path;
    bool huge_pages;
    run_options run;
};

static void *thread_noop(void *arg);
static void reap(pid_t pid, const char *what);

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

static void parse_args(int argc, char *argv[], struct config *cfg);
static void *touch_memory(size_t bytes, bool huge_pages);
/* One method's measurements at one size, a value per repeat. */
struct samples {
    double *us;          /* the timed creation, interleaved with the others */
    double *faults;      /* the parent's minor page faults during it */
    double *alone_us;    /* the same method alone, creation after creation */
};

static void measure_size(const struct config *cfg, struct samples samples[], progress *bar);
static void report_size(report *out, const struct config *cfg, size_t s, long rss_kib,
                        long page_tables_kib, const struct samples samples[], double median_us[]);
static void print_growth(const struct config *cfg, double median_us[][METHODS]);

static const column columns[] = {
    { .name = "method", .kind = COL_TEXT, .width = 11 },
    { .name = "rss_mib", .kind = COL_INT },
    { .name = "measured_rss_mib", .kind = COL_REAL, .decimals = 1 },
    { .name = "page_tables_kib", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "us", .kind = COL_SPREAD, .decimals = 2 },   /* median_us min_us max_us */
    { .name = "parent_faults", .kind = COL_REAL, .decimals = 1 },
    { .name = "alone_us", .kind = COL_REAL, .decimals = 2 },
    { 0 },
};

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    long n_methods = 0;
    struct samples samples[METHODS];
    for (int m = 0; m < METHODS; m++) {
        n_methods += cfg.use[m];
        samples[m] = (struct samples){ samples_alloc(cfg.run.repeat), samples_alloc(cfg.run.repeat),
                                       samples_alloc(cfg.run.repeat) };
    }
    double median_us[MAX_SIZES][METHODS] = { { 0 } };

    report *out = report_create(columns, &cfg.run, argc, argv);
    report_comment(out, "pages: %s",
                   cfg.huge_pages ? "huge (MADV_HUGEPAGE)" : "small (MADV_NOHUGEPAGE)");
    report_comment(out, "exec: %s", cfg.exec_path);
    progress bar;
    progress_start(&bar, "creation cost", 2 * (long)cfg.n_sizes * n_methods * cfg.run.repeat,
                   cfg.run.force_progress);
    report_progress(out, &bar);

    for (size_t s = 0; s < cfg.n_sizes; s++) {
        size_t bytes = (size_t)cfg.sizes_mib[s] * MIB;
        void *memory = touch_memory(bytes, cfg.huge_pages);
        long rss_kib = status_kib(0, "VmRSS"), page_tables_kib = status_kib(0, "VmPTE");
        measure_size(&cfg, samples, &bar);
        if (bytes > 0 && munmap(memory, bytes) == -1)
            die("munmap");
        report_size(out, &cfg, s, rss_kib, page_tables_kib, samples, median_us[s]);
    }
    progress_finish(&bar);
    report_finish(out);
    print_growth(&cfg, median_us);

    for (int m = 0; m < METHODS; m++) {
        free(samples[m].us);
        free(samples[m].faults);
        free(samples[m].alone_us);
    }
    return EXIT_SUCCESS;
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

static long minor_faults(void);

/* --repeat timed creations of every chosen method at one size of the
 * parent (samples[m].us[r] is repeat r of method m, in µs), then the same
 * method alone, the simplest loop that measures the same thing. */
static void measure_size(const struct config *cfg, struct samples samples[], progress *bar)
{
    /* One untimed round first: page in the program, warm the caches. */
    for (int m = 0; m < METHODS; m++)
        if (cfg->use[m])
            time_one((enum method)m, cfg->exec_path);
    // snippet-begin: interleave
    /* Interleave the methods, so a noisy moment hurts all of them alike, but
     * let each timed creation follow an untimed one of its own kind: a fork
     * leaves the parent's pages copy-on-write, and the parent's next writes
     * (a new thread's stack, its own stack and heap) fault. Timed right
     * after a fork, a thread would pay for the fork's faults. */
    for (long r = 0; r < cfg->run.repeat; r++) {
        for (int m = 0; m < METHODS; m++) {
            if (!cfg->use[m])
                continue;
            time_one((enum method)m, cfg->exec_path);                 /* untimed */
            long faults = minor_faults();
            samples[m].us[r] = time_one((enum method)m, cfg->exec_path);
            samples[m].faults[r] = (double)(minor_faults() - faults);
            progress_advance(bar, 1);
        }
    }
    // snippet-end: interleave
    for (int m = 0; m < METHODS; m++) {
        if (!cfg->use[m])
            continue;
        for (long r = 0; r < cfg->run.repeat; r++) {
            samples[m].alone_us[r] = time_one((enum method)m, cfg->exec_path);
            progress_advance(bar, 1);
        }
    }
}

/* The parent's minor page faults so far (getrusage). */
static long minor_faults(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) == -1)
        die("getrusage");
    return usage.ru_minflt;
}

/* The helpers of time_one. */
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

/* One row per chosen method at size number s; each method's median in
 * median_us[m]. */
static void report_size(report *out, const struct config *cfg, size_t s, long rss_kib,
                        long page_tables_kib, const struct samples samples[], double median_us[])
{
    for (int m = 0; m < METHODS; m++) {
        if (!cfg->use[m])
            continue;
        report_text(out, method_names[m]);
        report_int(out, cfg->sizes_mib[s]);
        report_real(out, (double)rss_kib / 1024);
        report_int(out, page_tables_kib);
        report_int(out, cfg->run.repeat);
        size_t n = (size_t)cfg->run.repeat;
        median_us[m] = report_spread(out, samples[m].us, n).median;
        report_real(out, summarize(samples[m].faults, n).median);
        report_real(out, summarize(samples[m].alone_us, n).median);
    }
}

/* How much dearer each method got, at every size, than at the first. */
static void print_growth(const struct config *cfg, double median_us[][METHODS])
{
    for (size_t s = 1; s < cfg->n_sizes; s++) {
        printf("median at %lld MiB against %lld MiB:", cfg->sizes_mib[s], cfg->sizes_mib[0]);
        const char *separator = " ";
        for (int m = 0; m < METHODS; m++) {
            if (!cfg->use[m])
                continue;
            printf("%s%s %.1fx", separator, method_names[m], median_us[s][m] / median_us[0][m]);
            separator = ", ";
        }
        printf("\n");
    }
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "creation_cost [--sizes LIST] [--repeat N] [--methods LIST] [--exec PATH]\n"
    "                     [--pages small|huge] [--data FILE] [--quick] [--progress] [--help]";
static const char help_text[] =
    "Times fork, fork+exec, posix_spawn and pthread_create against the parent's\n"
    "resident memory.\n"
    "\n"
    "  --sizes LIST     MiB the parent touches before each round, comma-separated\n"
    "                   (0 to 16384; default 0,64,256,1024)\n"
    "  --methods LIST   any of fork,fork-exec,posix-spawn,thread (default: all)\n"
    "  --exec PATH      the trivial program fork-exec and posix-spawn run\n"
    "                   (default /bin/true)\n"
    "  --pages KIND     small: 4 KiB pages (MADV_NOHUGEPAGE, the default);\n"
    "                   huge: ask for transparent huge pages (MADV_HUGEPAGE)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 's' },
        { "methods", required_argument, NULL, 'm' },
        { "exec", required_argument, NULL, 'e' },
        { "pages", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const page_kinds[] = { "small", "huge", NULL };
    static const long long quick_sizes[] = { 0, 64, 256 }, full_sizes[] = { 0, 64, 256, 1024 };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .n_sizes = quick ? 3 : 4,
        .use = { true, true, true, true },
        .exec_path = "/bin/true",
        .run.repeat = quick ? 5 : 15,
    };
    memcpy(cfg->sizes_mib, quick ? quick_sizes : full_sizes, cfg->n_sizes * sizeof(long long));

    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "sizes 0,64,256 and 5 repeats, unless given";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 's':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 0, 16384, cfg->sizes_mib, MAX_SIZES);
            break;
        case 'm':
            arg_choice_list("--methods", optarg, method_names, cfg->use);
            break;
        case 'e':
            if (optarg[0] == '\0' || access(optarg, X_OK) == -1)
                usage_error("--exec: '%s' is not an executable file", optarg);
            cfg->exec_path = optarg;
            break;
        case 'p':
            cfg->huge_pages = arg_choice("--pages", optarg, page_kinds) == 1;
            break;
        }
    }
    arg_no_operands(argc, argv);

    if ((cfg->use[FORK_EXEC] || cfg->use[POSIX_SPAWN]) && access(cfg->exec_path, X_OK) == -1)
        die("%s (needed by fork-exec and posix-spawn; see --exec)", cfg->exec_path);
    long long biggest = 0;
    for (size_t i = 0; i < cfg->n_sizes; i++)
        biggest = cfg->sizes_mib[i] > biggest ? cfg->sizes_mib[i] : biggest;
    long long machine_mib = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / MIB;
    if (biggest > machine_mib / 2)
        usage_error("--sizes: %lld MiB is more than half of this machine's %lld MiB", biggest,
                    machine_mib);
}
