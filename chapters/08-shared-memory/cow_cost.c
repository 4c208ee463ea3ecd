/*
 * cow_cost.c - what copy-on-write costs: after fork(), parent and child
 * share every page of memory until one of them writes to it; the first
 * write to each page then takes a page fault, and the kernel copies the
 * page (4 KiB) before the write can go on.
 *
 * The parent touches --mib of memory, forks, and the child writes one byte
 * into every page twice over, timing each pass; the second pass finds every
 * page already its own. A third figure: the same first write in the parent,
 * on pages it has never shared (a fresh mapping: a fault, but a zeroed page
 * instead of a copy).
 *
 *   build/chapter08/cow_cost
 *   build/chapter08/cow_cost --mib 1024 --pages normal,huge
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "datafile.h"
#include "error.h"

static const char usage_line[] = "cow_cost [--mib N] [--pages LIST] [--data FILE]";
static const char help_text[] =
    "Times the first and the second write to every page after fork(), and the\n"
    "first write to a fresh mapping.\n"
    "\n"
    "  --mib N          memory to share, in MiB (1 to 65536; default 256)\n"
    "  --pages LIST     normal (4 KiB pages, default), huge (ask for 2 MiB\n"
    "                   transparent huge pages with madvise), or both: normal,huge\n"
    "  --data FILE      also write one row per page kind as TSV to FILE\n"
    "  --help           show this help\n";

static const char *const page_kinds[] = { "normal", "huge", NULL };

/* Write one byte into every 4 KiB page; ns per page. */
static double touch(unsigned char *p, size_t bytes, unsigned char value)
{
    int64_t start = now_ns();
    for (size_t off = 0; off < bytes; off += 4096)
        p[off] = value;
    return (double)(now_ns() - start) / (double)(bytes / 4096);
}

static unsigned char *map(size_t bytes, int huge)
{
    unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap %zu bytes", bytes);
#ifdef MADV_HUGEPAGE
    if (huge && madvise(p, bytes, MADV_HUGEPAGE) == -1)
        die("madvise MADV_HUGEPAGE");
#else
    if (huge)
        die_msg("this system has no MADV_HUGEPAGE");
#endif
    return p;
}

struct cost {
    double fresh, first, second; /* ns per 4 KiB page */
};

static struct cost measure(size_t bytes, int huge)
{
    struct cost c;
    unsigned char *fresh = map(bytes, huge);
    c.fresh = touch(fresh, bytes, 1);          /* fault in: zeroed pages */
    if (munmap(fresh, bytes) == -1)
        die("munmap");

    // snippet-begin: cow
    unsigned char *p = map(bytes, huge);
    memset(p, 1, bytes);                       /* every page ours, before fork */
    int report[2];
    if (pipe(report) == -1)
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {                          /* every page shared now */
        double first = touch(p, bytes, 2);     /* fault, copy, write */
        double second = touch(p, bytes, 3);    /* just write */
        double times[2] = { first, second };
        if (write(report[1], times, sizeof times) != (ssize_t)sizeof times)
            die("child: write");
        _exit(EXIT_SUCCESS);
    }
    // snippet-end: cow
    int slot = cleanup_add_child(child);
    close(report[1]);
    double times[2];
    if (read(report[0], times, sizeof times) != (ssize_t)sizeof times)
        die("read from the child");
    close(report[0]);
    if (waitpid(child, NULL, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    unsigned long long sum = 0;                /* the child's writes left ours alone */
    for (size_t off = 0; off < bytes; off += 4096)
        sum += p[off];
    if (sum != bytes / 4096)
        die_msg("the child's writes changed the parent's pages");
    if (munmap(p, bytes) == -1)
        die("munmap");
    c.first = times[0];
    c.second = times[1];
    return c;
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "mib", required_argument, NULL, 'm' },
        { "pages", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long mib = 256;
    bool kinds[2] = { true, false };
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'm':
            mib = arg_int("--mib", optarg, 1, 65536);
            break;
        case 'p':
            kinds[0] = false;
            arg_choice_list("--pages", optarg, page_kinds, kinds);
            break;
        case 'd':
            data_path = arg_path("--data", optarg);
            break;
        case 'h':
            cli_help();
        default:
            arg_reject(c, argv);
        }
    }
    arg_no_operands(argc, argv);
    size_t bytes = (size_t)mib << 20;
    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_columns(df, "pages mib fresh_ns_per_page cow_first_ns_per_page cow_second_ns_per_page");
    }
    printf("%lld MiB, %zu pages of 4 KiB; ns per 4 KiB page:\n", mib, bytes / 4096);
    printf("%-7s %12s %18s %18s\n", "pages", "fresh page", "shared: 1st write", "shared: 2nd write");
    for (int huge = 0; huge < 2; huge++) {
        if (!kinds[huge])
            continue;
        struct cost c = measure(bytes, huge);
        printf("%-7s %12.1f %18.1f %18.1f\n", page_kinds[huge], c.fresh, c.first, c.second);
        if (df)
            datafile_row(df, "%s\t%lld\t%.1f\t%.1f\t%.1f", page_kinds[huge], mib, c.fresh, c.first, c.second);
    }
    printf("after each run the parent's pages were unchanged by the child's writes\n");
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
