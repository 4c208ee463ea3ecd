/*
 * pipe_throughput.c - how fast bytes go through a pipe from one process to
 * another, against the size of each write, beside how fast this machine
 * copies memory (measured in the same run).
 *
 * A pipe moves data by copying it twice: from the writer into the kernel's
 * pipe buffer, and from there into the reader. So it can never beat memcpy;
 * how close it gets depends on how many bytes each system call moves and on
 * where the two processes run. Both are pinned:
 *
 *   one-core    writer and reader on core 0: they take turns, and each
 *               hand-off is a context switch on one core (about 1 us here)
 *   two-cores   writer on core 0, reader on core 1: they can run at once,
 *               but each wake-up crosses cores (about 30 us here)
 *
 *   build/chapter06/pipe_throughput --quick
 *   build/chapter06/pipe_throughput --sizes 4096,65536 --pipe-size 1048576
 *
 * It prints one row per placement and write size: MiB/s through the pipe
 * (median, min and max over the repeats); beside it, measured in the same
 * run, the bare loop (the simplest program that measures the same thing:
 * write, read, nothing else), the context switches the writer and the
 * reader made per MiB, and memcpy's MiB/s for the same blocks. Expect the
 * pipe an order of magnitude below memcpy, one core better with large
 * writes, two cores with small ones, and the bare loop no slower than the
 * program. Compare with lmbench's bw_pipe in
 * plots/data/reference/system-limits.tsv (bw_pipe's loop is the bare loop,
 * with 64 KiB writes), and with chapter 8's shared_matrix, where shared
 * memory spares the copies.
 *
 * Every byte is checked: the reader sums every block and compares with the
 * writer's sum, and counts every byte (--no-check: counts only). The
 * placements stay a list in one program, not two files: the chapter holds
 * them side by side, measured in one run; --no-check stays a flag, since it
 * leaves out one line of the reader to show what that line costs.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "io.h"
#include "options.h"
#include "progress.h"
#include "random.h"
#include "report.h"

static const char *const placement_names[] = { "one-core", "two-cores", NULL };
enum placement { ONE_CORE, TWO_CORES };
#define MAX_SIZES 16

struct config {
    long long sizes[MAX_SIZES]; /* write sizes in bytes */
    size_t n_sizes;
    long long total;            /* bytes per run */
    bool placement_used[2];
    long long pipe_size;        /* 0: leave the pipe's capacity as it is */
    bool check;                 /* sum every block read */
    run_options run;
};

/* One placement and write size, and its measurements, one per repeat. */
struct point {
    long long size;
    enum placement placement;
    size_t size_index; /* in cfg.sizes, for the memcpy rate of the same size */
    double *rate;      /* MiB/s, the program */
    double *bare;      /* MiB/s, the bare loop */
    double *switches;  /* context switches per MiB, writer and reader together */
};

/* What one transfer measured. */
struct transfer {
    double mib_s;
    double switches_per_mib;
};

static void fill_block(unsigned char *b, size_t size);
static uint64_t block_sum(const unsigned char *b, size_t size);

// snippet-begin: transfer
/* One run: a child writes `total` bytes in writes of `size`; we read them.
 * Measures MiB/s from the first byte asked for to the last byte read, and
 * the context switches both processes made. */
static struct transfer transfer(size_t size, long long total, bool two_cores, long pipe_size, bool check)
{
    total = (total + (long long)size - 1) / (long long)size * (long long)size; /* whole blocks */
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    if (pipe_size > 0 && fcntl(fds[1], F_SETPIPE_SZ, (int)pipe_size) == -1)
        die("F_SETPIPE_SZ %ld", pipe_size);
    unsigned char *block = malloc(size);
    if (block == NULL)
        die("malloc");
    fill_block(block, size);
    uint64_t expected = block_sum(block, size);
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {                              /* the writer, on core 0 */
        pin_to_cpu(0);
        close(fds[0]);
        for (long long sent = 0; sent < total; sent += (long long)size)
            write_all(fds[1], block, size);
        _exit(EXIT_SUCCESS);
    }
    int slot = cleanup_add_child(child);
    close(fds[1]);
    pin_to_cpu(two_cores ? 1 : 0);                 /* the reader */
    long long got = 0, bad = 0;
    struct rusage before, after, writer;
    if (getrusage(RUSAGE_SELF, &before) == -1)
        die("getrusage");
    int64_t start = now_ns();
    while (read_all(fds[0], block, size) == size) {
        got += (long long)size;
        if (check)
            bad += block_sum(block, size) != expected; /* every byte checked */
    }
    int64_t ns = now_ns() - start;
    // snippet-end: transfer
    if (getrusage(RUSAGE_SELF, &after) == -1)
        die("getrusage");
    int status;
    if (wait4(child, &status, 0, &writer) == -1)
        die("wait4");
    cleanup_forget(slot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("the writer failed (status 0x%x)", (unsigned)status);
    if (got != total || bad != 0)
        die_msg("transfer of %lld bytes in %zu-byte writes: %lld arrived, %lld blocks wrong", total, size,
                got, bad);
    close(fds[0]);
    free(block);
    /* Every switch either process made, voluntary (it blocked: the pipe was
     * full or empty) or not (it was preempted). The writer's count covers its
     * whole life, which is the transfer and a few calls more. */
    long switches = (after.ru_nvcsw - before.ru_nvcsw) + (after.ru_nivcsw - before.ru_nivcsw) +
                    writer.ru_nvcsw + writer.ru_nivcsw;
    double mib = (double)total / (1 << 20);
    return (struct transfer){ .mib_s = mib / ((double)ns / NS_PER_S), .switches_per_mib = (double)switches / mib };
}

// snippet-begin: bare
/* The bare loop: the simplest program that measures the same thing, with
 * the same placement and pipe: write `total` bytes in writes of `size`, read
 * them into a block of `size`, block after block, nothing checked, nothing
 * counted but bytes. MiB/s. */
static double bare_transfer(size_t size, long long total, bool two_cores, long pipe_size)
{
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    if (pipe_size > 0 && fcntl(fds[1], F_SETPIPE_SZ, (int)pipe_size) == -1)
        die("F_SETPIPE_SZ %ld", pipe_size);
    char *buf = malloc(size);
    if (buf == NULL)
        die("malloc");
    memset(buf, 'x', size); /* real pages, not the kernel's one page of zeros */
    fflush(stdout);
    int slot;
    pid_t child = cleanup_fork(&slot);
    if (child == 0) {
        pin_to_cpu(0);
        close(fds[0]);
        for (long long sent = 0; sent < total; sent += (long long)size)
            if (write(fds[1], buf, size) != (ssize_t)size)
                _exit(EXIT_FAILURE);
        _exit(EXIT_SUCCESS);
    }
    close(fds[1]);
    pin_to_cpu(two_cores ? 1 : 0);
    long long got = 0;
    size_t at = 0; /* where in the block the next bytes land, as in the program */
    ssize_t n;
    int64_t start = now_ns();
    while ((n = read(fds[0], buf + at, size - at)) > 0) {
        got += n;
        at = (at + (size_t)n) % size;
    }
    int64_t ns = now_ns() - start;
    // snippet-end: bare
    if (n == -1)
        die("read");
    int status;
    if (waitpid(child, &status, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got < total)
        die_msg("bare loop, %zu-byte writes: %lld of %lld bytes arrived, writer status 0x%x", size, got,
                total, (unsigned)status);
    close(fds[0]);
    free(buf);
    return (double)got / (1 << 20) / ((double)ns / NS_PER_S);
}

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_points(const struct config *cfg, struct point *points);
static double memcpy_rate(size_t size, long long total);
static void measure(const struct config *cfg, struct point *points, size_t n);
static void report_points(const struct config *cfg, const struct point *points, size_t n,
                          const double *copy, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    struct point points[2 * MAX_SIZES];
    size_t n = plan_points(&cfg, points);
    double copy[MAX_SIZES]; /* the baseline, before any process is pinned */
    for (size_t i = 0; i < cfg.n_sizes; i++)
        copy[i] = memcpy_rate((size_t)cfg.sizes[i], cfg.total);
    measure(&cfg, points, n);

    printf("%lld MiB per run, pipe capacity %s, %ld repeats; %s\n", cfg.total >> 20,
           cfg.pipe_size ? "set by --pipe-size" : "the default", cfg.run.repeat,
           cfg.check ? "every byte checked" : "bytes counted, not checked");
    report_points(&cfg, points, n, copy, argc, argv);

    for (size_t k = 0; k < n; k++) {
        free(points[k].rate);
        free(points[k].bare);
        free(points[k].switches);
    }
    return EXIT_SUCCESS;
}

/* Every write size on one core, then every write size on two. */
static size_t plan_points(const struct config *cfg, struct point *points)
{
    size_t n = 0;
    for (int pl = ONE_CORE; pl <= TWO_CORES; pl++)
        for (size_t i = 0; i < cfg->n_sizes && cfg->placement_used[pl]; i++)
            points[n++] = (struct point){ .size = cfg->sizes[i], .placement = (enum placement)pl,
                                          .size_index = i, .rate = samples_alloc(cfg->run.repeat),
                                          .bare = samples_alloc(cfg->run.repeat),
                                          .switches = samples_alloc(cfg->run.repeat) };
    return n;
}

/* memcpy of `size`-byte blocks, `total` bytes in all, in MiB/s (best of 3). */
static double memcpy_rate(size_t size, long long total)
{
    unsigned char *a = malloc(size), *b = malloc(size);
    if (a == NULL || b == NULL)
        die("malloc");
    fill_block(a, size);
    memcpy(b, a, size);
    double best = 0;
    for (int r = 0; r < 3; r++) {
        int64_t start = now_ns();
        for (long long done = 0; done < total; done += (long long)size) {
            memcpy(b, a, size);
            a[done / (long long)size % (long long)size] ^= b[0]; /* keep the copies */
        }
        double rate = (double)total / (1 << 20) / ((double)(now_ns() - start) / NS_PER_S);
        best = rate > best ? rate : best;
    }
    free(a);
    free(b);
    return best;
}

/* Repeat by repeat, every point once, the program and the bare loop one
 * after the other, so that a slow moment of the machine touches all of them
 * alike. */
static void measure(const struct config *cfg, struct point *points, size_t n)
{
    progress bar;
    progress_start(&bar, "pipe", (long)(n * (size_t)cfg->run.repeat), cfg->run.force_progress);
    for (long r = 0; r < cfg->run.repeat; r++)
        for (size_t k = 0; k < n; k++) {
            size_t size = (size_t)points[k].size;
            bool two_cores = points[k].placement == TWO_CORES;
            long long total = (cfg->total + points[k].size - 1) / points[k].size * points[k].size;
            struct transfer t = transfer(size, total, two_cores, (long)cfg->pipe_size, cfg->check);
            points[k].rate[r] = t.mib_s;
            points[k].switches[r] = t.switches_per_mib;
            points[k].bare[r] = bare_transfer(size, total, two_cores, (long)cfg->pipe_size);
            progress_advance(&bar, 1);
        }
    progress_finish(&bar);
}

/* The writer's block: the same bytes every time, so every block read must
 * add up to the same sum. */
static void fill_block(unsigned char *b, size_t size)
{
    for (size_t i = 0; i < size; i++)
        b[i] = (unsigned char)(hash64(i / 8) >> (i % 8 * 8));
}

static uint64_t block_sum(const unsigned char *b, size_t size)
{
    uint64_t sum = 0, w;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        memcpy(&w, b + i, 8);
        sum += w;
    }
    for (; i < size; i++)
        sum += b[i];
    return sum;
}

static const column columns[] = {
    { .name = "write_bytes", .kind = COL_INT },
    { .name = "placement", .kind = COL_TEXT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "mib_s", .kind = COL_SPREAD, .decimals = 0 },
    { .name = "bare_mib_s", .kind = COL_SPREAD, .decimals = 0 },
    { .name = "switches_per_mib", .kind = COL_REAL, .decimals = 1 },
    { .name = "memcpy_mib_s", .kind = COL_REAL, .decimals = 0 },
    { 0 },
};

/* One row per point: the table on stdout and, with --data, the TSV. */
static void report_points(const struct config *cfg, const struct point *points, size_t n,
                          const double *copy, int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "bytes_per_run: %lld", cfg->total);
    report_comment(out, "pipe_size: %lld", cfg->pipe_size ? cfg->pipe_size : 65536);
    report_comment(out, "checked: %s", cfg->check ? "every byte summed" : "bytes counted only");
    for (size_t k = 0; k < n; k++) {
        report_int(out, points[k].size);
        report_text(out, placement_names[points[k].placement]);
        report_int(out, cfg->run.repeat);
        report_spread(out, points[k].rate, (size_t)cfg->run.repeat);
        report_spread(out, points[k].bare, (size_t)cfg->run.repeat);
        report_real(out, summarize(points[k].switches, (size_t)cfg->run.repeat).median);
        report_real(out, copy[points[k].size_index]);
    }
    report_finish(out);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pipe_throughput [--sizes LIST] [--bytes N] [--placement LIST] [--pipe-size BYTES]\n"
    "                       [--repeat N] [--no-check] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Measures the throughput of a pipe between two processes for several write\n"
    "sizes, both on one core and on two, beside memcpy.\n"
    "\n"
    "  --sizes LIST       write sizes in bytes (64 to 16777216; default\n"
    "                     4096,16384,65536,262144,1048576)\n"
    "  --bytes N          bytes per run (1 MiB to 16 GiB; default 268435456)\n"
    "  --placement LIST   one-core, two-cores (default both; two-cores needs 2 cores)\n"
    "  --pipe-size BYTES  set the pipe's capacity with F_SETPIPE_SZ (4096 to 67108864;\n"
    "                     default: leave it, 65536 on Linux)\n"
    "  --no-check         count the bytes but do not sum them (the reader then\n"
    "                     touches nothing: what the check costs)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 's' },
        { "bytes", required_argument, NULL, 'b' },
        { "placement", required_argument, NULL, 'p' },
        { "pipe-size", required_argument, NULL, 'z' },
        { "no-check", no_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .sizes = { 4096, 16384, 65536, 262144, 1048576 },
        .n_sizes = 5,
        .total = quick ? 32LL << 20 : 256LL << 20,
        .placement_used = { [ONE_CORE] = true, [TWO_CORES] = true },
        .check = true,
        .run.repeat = quick ? 3 : 5,
    };
    bool placement_given = false;
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "bytes 33554432, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 's':
            cfg->n_sizes = arg_int_list("--sizes", optarg, 64, 16 << 20, cfg->sizes, MAX_SIZES);
            break;
        case 'b':
            cfg->total = arg_int("--bytes", optarg, 1 << 20, 16LL << 30);
            break;
        case 'p':
            arg_choice_list("--placement", optarg, placement_names, cfg->placement_used);
            placement_given = true;
            break;
        case 'z':
            cfg->pipe_size = arg_int("--pipe-size", optarg, 4096, 64 << 20);
            break;
        case 'n':
            cfg->check = false;
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (cfg->placement_used[TWO_CORES] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        printf("(one core available: the two-cores runs are left out)\n");
        cfg->placement_used[TWO_CORES] = false;
    }
}
