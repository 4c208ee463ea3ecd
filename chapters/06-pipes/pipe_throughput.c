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
 * Every byte is checked: the reader sums every block and compares with the
 * writer's sum, and counts every byte (--no-check: counts only).
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
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
#include "progress.h"
#include "stats.h"
#include "random.h"

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
    "  --repeat N         repeats of every run (1 to 1000; default 5)\n"
    "  --no-check         count the bytes but do not sum them (the reader then\n"
    "                     touches nothing: what the check costs)\n"
    "  --data FILE        also write the results as TSV to FILE\n"
    "  --quick            bytes 33554432, repeat 3\n"
    "  --progress         show the progress bar even when stderr is not a terminal\n"
    "  --help             show this help\n";

static const char *const placement_names[] = { "one-core", "two-cores", NULL };
#define MAX_SIZES 16

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

// snippet-begin: transfer
/* One run: a child writes `total` bytes in writes of `size`; we read them.
 * Returns MiB/s from the first byte asked for to the last byte read. */
static double transfer(size_t size, long long total, bool two_cores, long pipe_size, bool check)
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
    int64_t start = now_ns();
    while (read_all(fds[0], block, size) == size) {
        got += (long long)size;
        if (check)
            bad += block_sum(block, size) != expected; /* every byte checked */
    }
    int64_t ns = now_ns() - start;
    // snippet-end: transfer
    int status;
    if (waitpid(child, &status, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("the writer failed (status 0x%x)", (unsigned)status);
    if (got != total || bad != 0)
        die_msg("transfer of %lld bytes in %zu-byte writes: %lld arrived, %lld blocks wrong", total, size,
                got, bad);
    close(fds[0]);
    free(block);
    return (double)total / (1 << 20) / ((double)ns / NS_PER_S);
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

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "sizes", required_argument, NULL, 's' },
        { "bytes", required_argument, NULL, 'b' },
        { "placement", required_argument, NULL, 'p' },
        { "pipe-size", required_argument, NULL, 'z' },
        { "repeat", required_argument, NULL, 'r' },
        { "no-check", no_argument, NULL, 'n' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long sizes[MAX_SIZES] = { 4096, 16384, 65536, 262144, 1048576 };
    size_t n_sizes = 5;
    long long total = 0, pipe_size = 0;
    long repeat = 0;
    bool placement[2] = { false, false }, placement_given = false, quick = false, force = false;
    bool check = true;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 's':
            n_sizes = arg_int_list("--sizes", optarg, 64, 16 << 20, sizes, MAX_SIZES);
            break;
        case 'b':
            total = arg_int("--bytes", optarg, 1 << 20, 16LL << 30);
            break;
        case 'p':
            arg_choice_list("--placement", optarg, placement_names, placement);
            placement_given = true;
            break;
        case 'z':
            pipe_size = arg_int("--pipe-size", optarg, 4096, 64 << 20);
            break;
        case 'r':
            repeat = (long)arg_int("--repeat", optarg, 1, 1000);
            break;
        case 'n':
            check = false;
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'q':
            quick = true;
            break;
        case 'P':
            force = true;
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    if (!placement_given)
        placement[0] = placement[1] = true;
    if (placement[1] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        printf("(one core available: the two-cores runs are left out)\n");
        placement[1] = false;
    }
    if (total == 0)
        total = quick ? 32LL << 20 : 256LL << 20;
    if (repeat == 0)
        repeat = quick ? 3 : 5;

    struct row {
        long long size;
        int placement;
        double rate[1000];
    } rows[2 * MAX_SIZES];
    size_t n_rows = 0;
    for (int pl = 0; pl < 2; pl++)
        for (size_t i = 0; i < n_sizes && placement[pl]; i++)
            rows[n_rows++] = (struct row){ .size = sizes[i], .placement = pl };
    double copy[MAX_SIZES];
    for (size_t i = 0; i < n_sizes; i++)
        copy[i] = memcpy_rate((size_t)sizes[i], total);

    progress bar;
    progress_start(&bar, "pipe", (long)(n_rows * (size_t)repeat), force);
    for (long r = 0; r < repeat; r++)
        for (size_t k = 0; k < n_rows; k++) {
            rows[k].rate[r] = transfer((size_t)rows[k].size, total, rows[k].placement == 1, (long)pipe_size,
                                       check);
            progress_advance(&bar, 1);
        }
    progress_finish(&bar);

    printf("%lld MiB per run, pipe capacity %s, %ld repeats; %s\n", total >> 20,
           pipe_size ? "set by --pipe-size" : "the default", repeat,
           check ? "every byte checked" : "bytes counted, not checked");
    printf("%11s %-10s %12s %10s %10s %12s\n", "write_bytes", "placement", "median_mib_s", "min", "max",
           "memcpy_mib_s");
    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "bytes_per_run: %lld", total);
        datafile_comment(df, "pipe_size: %lld", pipe_size ? pipe_size : 65536);
        datafile_comment(df, "checked: %s", check ? "every byte summed" : "bytes counted only");
        datafile_columns(df, "write_bytes placement repeats median_mib_s min_mib_s max_mib_s memcpy_mib_s");
    }
    for (size_t k = 0; k < n_rows; k++) {
        summary s = summarize(rows[k].rate, (size_t)repeat);
        size_t i = 0;
        while (sizes[i] != rows[k].size)
            i++;
        printf("%11lld %-10s %12.0f %10.0f %10.0f %12.0f\n", rows[k].size, placement_names[rows[k].placement],
               s.median, s.min, s.max, copy[i]);
        if (df)
            datafile_row(df, "%lld\t%s\t%ld\t%.0f\t%.0f\t%.0f\t%.0f", rows[k].size,
                         placement_names[rows[k].placement], repeat, s.median, s.min, s.max, copy[i]);
    }
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
