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
 *   build/chapter08/cow_cost --mib 64 --data cow.tsv
 *
 * It prints one row per kind of page: nanoseconds per 4 KiB page for the
 * first write to a fresh mapping, the first write to a shared page, and the
 * second. What to expect: the second write costs what a store costs (tens
 * of ns); the first write to a shared page costs hundreds of times more, a
 * fault and a copy; huge pages take one fault per 512 small pages (the two
 * kinds stay options of one program, to be measured side by side). Each
 * figure is measured once per run, not repeated. Compare with
 * shared_vs_private.c (what the copy means: the parent never sees the
 * child's writes) and chapter 1's creation_cost.c (what fork() itself
 * costs for a big parent).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
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
#include "error.h"
#include "options.h"
#include "report.h"

struct config {
    long long mib;
    bool kinds[2];   /* normal, huge */
    run_options run; /* of the shared options, --data (and --help) */
};

struct cost {
    double fresh, first, second; /* ns per 4 KiB page */
};

static unsigned char *map(size_t bytes, int huge);
static double touch(unsigned char *p, size_t bytes, unsigned char value);
static void check_unchanged(const unsigned char *p, size_t bytes);

/* The three figures for one kind of page. */
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
    int to_parent[2];
    if (pipe(to_parent) == -1)
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {                          /* every page shared now */
        double first = touch(p, bytes, 2);     /* fault, copy, write */
        double second = touch(p, bytes, 3);    /* just write */
        double times[2] = { first, second };
        if (write(to_parent[1], times, sizeof times) != (ssize_t)sizeof times)
            die("child: write");
        _exit(EXIT_SUCCESS);
    }
    // snippet-end: cow
    int slot = cleanup_add_child(child);
    if (close(to_parent[1]) == -1)
        die("close");
    double times[2];
    if (read(to_parent[0], times, sizeof times) != (ssize_t)sizeof times)
        die("read from the child");
    if (close(to_parent[0]) == -1)
        die("close");
    if (waitpid(child, NULL, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    check_unchanged(p, bytes);
    if (munmap(p, bytes) == -1)
        die("munmap");
    c.first = times[0];
    c.second = times[1];
    return c;
}

static const char *const page_kinds[] = { "normal", "huge", NULL };

static const column columns[] = {
    { .name = "pages", .kind = COL_TEXT },
    { .name = "mib", .kind = COL_INT, .tsv_only = true },
    { .name = "fresh_ns_per_page", .kind = COL_REAL, .decimals = 1 },
    { .name = "cow_first_ns_per_page", .kind = COL_REAL, .decimals = 1 },
    { .name = "cow_second_ns_per_page", .kind = COL_REAL, .decimals = 1 },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    size_t bytes = (size_t)cfg.mib << 20;
    report *out = report_create(columns, &cfg.run, argc, argv);
    printf("%lld MiB, %zu pages of 4 KiB; ns per 4 KiB page:\n", cfg.mib, bytes / 4096);
    for (int huge = 0; huge < 2; huge++) {
        if (!cfg.kinds[huge])
            continue;
        struct cost c = measure(bytes, huge);
        report_text(out, page_kinds[huge]);
        report_int(out, cfg.mib);
        report_real(out, c.fresh);
        report_real(out, c.first);
        report_real(out, c.second);
    }
    printf("after each run the parent's pages were unchanged by the child's writes\n");
    report_finish(out);
    return EXIT_SUCCESS;
}

/* A private anonymous mapping, with huge pages asked for if `huge`. */
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

/* Write one byte into every 4 KiB page; ns per page. */
static double touch(unsigned char *p, size_t bytes, unsigned char value)
{
    int64_t start = now_ns();
    for (size_t off = 0; off < bytes; off += 4096)
        p[off] = value;
    return (double)(now_ns() - start) / (double)(bytes / 4096);
}

/* The child's writes left ours alone: every page still holds the 1 we wrote. */
static void check_unchanged(const unsigned char *p, size_t bytes)
{
    unsigned long long sum = 0;
    for (size_t off = 0; off < bytes; off += 4096)
        sum += p[off];
    if (sum != bytes / 4096)
        die_msg("the child's writes changed the parent's pages");
}

/* ---- arguments ----------------------------------------------------------------------- */

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

/* The defaults, then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "mib", required_argument, NULL, 'm' },
        { "pages", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, OPT_DATA },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .mib = 256, .kinds = { true, false } };
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'm':
            cfg->mib = arg_int("--mib", optarg, 1, 65536);
            break;
        case 'p':
            arg_choice_list("--pages", optarg, page_kinds, cfg->kinds);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
