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
 * instead of a copy). Each pass also counts the page faults it took (the
 * minor faults of getrusage, in the process that wrote: the parent for the
 * fresh mapping, the child for the other two).
 *
 *   build/chapter08/cow_cost
 *   build/chapter08/cow_cost --mib 1024 --pages normal,huge
 *   build/chapter08/cow_cost --mib 64 --data cow.tsv
 *
 * It prints the system's transparent huge page setting (a provenance line
 * of the data file too), then one row per kind of page: nanoseconds per
 * 4 KiB page for the first write to a fresh mapping, the first write to a
 * shared page and the second; then page faults per 4 KiB page for the same
 * three. What to expect: the second write costs what a store costs (tens of
 * ns) and takes no fault; the first write to a shared page costs a hundred
 * times more or worse, a fault and a copy for every 4 KiB page. With
 * transparent huge pages (--pages huge) a fresh mapping takes one fault per
 * 2 MiB (1/512 of a fault per 4 KiB page) where the kernel had huge pages
 * to give, but the child still takes one fault per 4 KiB page: since Linux
 * 5.8 a write to a huge page shared after fork splits the child's mapping
 * of it and copies 4 KiB, not 2 MiB. (The two kinds stay options of one
 * program, to be measured side by side.) Each
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "options.h"
#include "report.h"

#define THP_SETTING "/sys/kernel/mm/transparent_hugepage/enabled"

struct config {
    long long mib;
    bool kinds[2];   /* normal, huge */
    run_options run; /* of the shared options, --data */
};

/* One pass over the pages: what it cost, per 4 KiB page. */
struct pass {
    double ns, faults;
};

struct cost {
    struct pass fresh, first, second;
};

static unsigned char *map(size_t bytes, int huge);
static struct pass touch(unsigned char *p, size_t bytes, unsigned char value);
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
        struct pass first = touch(p, bytes, 2);   /* fault, copy, write */
        struct pass second = touch(p, bytes, 3);  /* just write */
        struct pass passes[2] = { first, second };
        if (write(to_parent[1], passes, sizeof passes) != (ssize_t)sizeof passes)
            die("child: write");
        _exit(EXIT_SUCCESS);
    }
    // snippet-end: cow
    int slot = cleanup_add_child(child);
    if (close(to_parent[1]) == -1)
        die("close");
    struct pass passes[2];
    if (read(to_parent[0], passes, sizeof passes) != (ssize_t)sizeof passes)
        die("read from the child");
    if (close(to_parent[0]) == -1)
        die("close");
    if (waitpid(child, NULL, 0) == -1)
        die("waitpid");
    cleanup_forget(slot);
    check_unchanged(p, bytes);
    if (munmap(p, bytes) == -1)
        die("munmap");
    c.first = passes[0];
    c.second = passes[1];
    return c;
}

static const char *const page_kinds[] = { "normal", "huge", NULL };

static const column columns[] = {
    { .name = "pages", .kind = COL_TEXT },
    { .name = "mib", .kind = COL_INT, .tsv_only = true },
    { .name = "fresh_ns_per_page", .kind = COL_REAL, .decimals = 1 },
    { .name = "cow_first_ns_per_page", .kind = COL_REAL, .decimals = 1 },
    { .name = "cow_second_ns_per_page", .kind = COL_REAL, .decimals = 1 },
    { .name = "fresh_faults_per_page", .kind = COL_REAL, .significant = 3 },
    { .name = "cow_first_faults_per_page", .kind = COL_REAL, .significant = 3 },
    { .name = "cow_second_faults_per_page", .kind = COL_REAL, .significant = 3 },
    { 0 },
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void thp_setting(char *out, size_t size);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    size_t bytes = (size_t)cfg.mib << 20;
    report *out = report_create(columns, &cfg.run, argc, argv);
    char thp[128];
    thp_setting(thp, sizeof thp);
    report_comment(out, "transparent_hugepage: %s", thp);
    printf("transparent huge pages: %s (%s)\n", thp, THP_SETTING);
    printf("%lld MiB, %zu pages of 4 KiB; ns and page faults per 4 KiB page:\n", cfg.mib, bytes / 4096);
    for (int huge = 0; huge < 2; huge++) {
        if (!cfg.kinds[huge])
            continue;
        struct cost c = measure(bytes, huge);
        report_text(out, page_kinds[huge]);
        report_int(out, cfg.mib);
        report_real(out, c.fresh.ns);
        report_real(out, c.first.ns);
        report_real(out, c.second.ns);
        report_real(out, c.fresh.faults);
        report_real(out, c.first.faults);
        report_real(out, c.second.faults);
    }
    printf("after each run the parent's pages were unchanged by the child's writes\n");
    report_finish(out);
    return EXIT_SUCCESS;
}

/* The system's transparent huge page setting, the chosen one in brackets:
 * "always [madvise] never" gives huge pages only where madvise asks. */
static void thp_setting(char *out, size_t size)
{
    snprintf(out, size, "unknown (no %s)", THP_SETTING);
    FILE *f = fopen(THP_SETTING, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)size, f) == NULL)
        snprintf(out, size, "unknown (%s is empty)", THP_SETTING);
    out[strcspn(out, "\n")] = '\0';
    if (fclose(f) == EOF)
        die("fclose %s", THP_SETTING);
}

/* A private anonymous mapping, with huge pages asked for if `huge`, and
 * refused if not (where transparent huge pages are "always", the kernel
 * would otherwise use them for every big mapping). */
static unsigned char *map(size_t bytes, int huge)
{
    unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap %zu bytes", bytes);
#ifdef MADV_HUGEPAGE
    if (madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) == -1)
        die("madvise %s", huge ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE");
#else
    if (huge)
        die_msg("this system has no MADV_HUGEPAGE");
#endif
    return p;
}

static long minor_faults(void);

/* Write one byte into every 4 KiB page; ns and page faults per page. */
static struct pass touch(unsigned char *p, size_t bytes, unsigned char value)
{
    long faults = minor_faults();
    int64_t start = now_ns();
    for (size_t off = 0; off < bytes; off += 4096)
        p[off] = value;
    int64_t ns = now_ns() - start;
    faults = minor_faults() - faults;
    double pages = (double)(bytes / 4096);
    return (struct pass){ .ns = (double)ns / pages, .faults = (double)faults / pages };
}

/* Page faults this process has taken so far that needed no disk (a zeroed
 * page, a copy, or just a page-table update). */
static long minor_faults(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == -1)
        die("getrusage");
    return ru.ru_minflt;
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
    "first write to a fresh mapping, and counts the page faults each takes.\n"
    "\n"
    "  --mib N           memory to share, in MiB (1 to 65536; default 256)\n"
    "  --pages LIST      normal (4 KiB pages, huge ones refused with madvise;\n"
    "                    the default), huge (2 MiB transparent huge pages asked\n"
    "                    for with madvise), or both: normal,huge\n";

/* The defaults, then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "mib", required_argument, NULL, 'm' },
        { "pages", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .mib = 256, .kinds = { true, false }, .run.takes = TAKES_DATA };
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
