/*
 * rewrite.c - where the `file` workload of scaling waits. The same loop as
 * one of its tasks (write a 256 KiB file 50 times over), alone, serially,
 * three ways, in each directory given:
 *
 *   truncate   open(O_TRUNC), write, close: what the workload does
 *   in-place   open without O_TRUNC, write over the old bytes, close
 *   new        unlink the old file, create a new one, write, close
 *
 *   build/chapter04/rewrite --quick
 *   build/chapter04/rewrite --dir /tmp --dir /dev/shm
 *
 * One row per directory and way: the wall time (median, min and max over the
 * repeats), the CPU time, the time spent inside open(), write() and close(),
 * how many times the program slept (its voluntary context switches), and
 * what became of the bytes: how many reached the disk during the run (the
 * device's sectors written, /sys/dev/block/MAJ:MIN/stat; the whole device,
 * so other programs' writes count too; "-" where there is no device, as on
 * tmpfs) and how many the program wrote into the page cache and then threw
 * away before they reached the disk, by truncating or unlinking
 * (cancelled_write_bytes in /proc/self/io; "-" where the kernel does not
 * count it).
 *
 * What to expect on ext4 (mounted, as by default, with auto_da_alloc):
 * truncate waits, inside open(), and its bytes reach the disk; in-place and
 * new wait for nothing, and their bytes stay in memory. On tmpfs nothing
 * waits. Compare with scaling's `file` rows (chapter 4, section 6).
 */
#define _DEFAULT_SOURCE /* mkdtemp, statfs */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "io.h"
#include "options.h"
#include "progress.h"
#include "report.h"

#define FILE_BYTES (256 * 1024) /* as the workload writes */
#define MAX_DIRS 4

static const char *const way_names[] = { "truncate", "in-place", "new", NULL };
enum way { TRUNCATE, IN_PLACE, NEW_FILE };

struct config {
    const char *dirs[MAX_DIRS];
    size_t n_dirs;
    bool way_used[3];
    long long files, writes;
    run_options run;
};

/* One directory and way, and its measurements, one per repeat. */
struct series {
    const char *dir;
    enum way way;
    double *wall, *cpu, *in_open, *in_write, *in_close, *sleeps, *disk_mib, *cancelled_mib;
};

// snippet-begin: rewrite
/* Open `path` for the next rewrite, the way `way` says. */
static int open_for_rewrite(const char *path, enum way way)
{
    switch (way) {
    case TRUNCATE:
        return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644); /* the workload */
    case IN_PLACE:
        return open(path, O_WRONLY | O_CREAT, 0644);           /* the old bytes stay */
    case NEW_FILE:
        if (unlink(path) == -1 && errno != ENOENT)
            die("unlink %s", path);
        return open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);  /* a new inode */
    }
    return -1;
}
// snippet-end: rewrite

static void parse_args(int argc, char *argv[], struct config *cfg);
static size_t plan_series(const struct config *cfg, struct series *series);
static void measure(const struct config *cfg, struct series *series, size_t n);
static void report_series(const struct config *cfg, const struct series *series, size_t n, int argc,
                          char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    cleanup_init();

    struct series series[MAX_DIRS * 3];
    size_t n = plan_series(&cfg, series);
    printf("%lld files, each written %lld times (%d KiB a write), serially; %ld repeats\n", cfg.files,
           cfg.writes, FILE_BYTES / 1024, cfg.run.repeat);
    measure(&cfg, series, n);
    report_series(&cfg, series, n, argc, argv);

    for (size_t s = 0; s < n; s++) {
        double **samples[] = { &series[s].wall,     &series[s].cpu,    &series[s].in_open,
                               &series[s].in_write, &series[s].in_close, &series[s].sleeps,
                               &series[s].disk_mib, &series[s].cancelled_mib };
        for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++)
            free(*samples[k]);
    }
    return EXIT_SUCCESS;
}

/* Every way in the first directory, then every way in the next. */
static size_t plan_series(const struct config *cfg, struct series *series)
{
    size_t n = 0;
    for (size_t d = 0; d < cfg->n_dirs; d++)
        for (int w = TRUNCATE; w <= NEW_FILE; w++) {
            if (!cfg->way_used[w])
                continue;
            long r = cfg->run.repeat;
            series[n++] = (struct series){ .dir = cfg->dirs[d], .way = (enum way)w,
                                           .wall = samples_alloc(r), .cpu = samples_alloc(r),
                                           .in_open = samples_alloc(r), .in_write = samples_alloc(r),
                                           .in_close = samples_alloc(r), .sleeps = samples_alloc(r),
                                           .disk_mib = samples_alloc(r),
                                           .cancelled_mib = samples_alloc(r) };
        }
    return n;
}

static void rewrite_files(const struct config *cfg, struct series *s, long r);

/* Repeat by repeat, every series once, so that a slow moment of the machine
 * (or of its disk) touches all of them alike. */
static void measure(const struct config *cfg, struct series *series, size_t n)
{
    progress bar;
    progress_start(&bar, "rewrite", (long)(n * (size_t)cfg->run.repeat), cfg->run.force_progress);
    for (long r = 0; r < cfg->run.repeat; r++)
        for (size_t s = 0; s < n; s++) {
            rewrite_files(cfg, &series[s], r);
            progress_advance(&bar, 1);
        }
    progress_finish(&bar);
}

static double disk_written_mib(const char *dir);
static double cancelled_mib(void);
static long sleeps_so_far(void);
static void write_whole(int fd, const char *buf, size_t n, const char *path);

/* One repeat of one series: in a fresh directory under s->dir, each file
 * rewritten cfg->writes times, one file after the other; every call timed. */
static void rewrite_files(const struct config *cfg, struct series *s, long r)
{
    char dir[4096], path[4096 + 32];
    snprintf(dir, sizeof dir - 32, "%s/workbook-rewrite-XXXXXX", s->dir);
    if (mkdtemp(dir) == NULL)
        die("mkdtemp %s", dir);
    int dir_slot = cleanup_add_dir(dir);
    int *file_slots = malloc((size_t)cfg->files * sizeof *file_slots);
    char *data = malloc(FILE_BYTES);
    if (file_slots == NULL || data == NULL)
        die("malloc");
    memset(data, 'x', FILE_BYTES);
    for (long long f = 0; f < cfg->files; f++) {
        snprintf(path, sizeof path, "%s/file-%lld", dir, f);
        file_slots[f] = cleanup_add_file(path);
    }

    int64_t in_open = 0, in_write = 0, in_close = 0;
    double disk_before = disk_written_mib(dir), cancelled_before = cancelled_mib();
    long sleeps_before = sleeps_so_far();
    int64_t start = now_ns(), start_cpu = cpu_ns_self();
    for (long long f = 0; f < cfg->files; f++) {
        snprintf(path, sizeof path, "%s/file-%lld", dir, f);
        for (long long w = 0; w < cfg->writes; w++) {
            int64_t t0 = now_ns();
            int fd = open_for_rewrite(path, s->way);
            if (fd == -1)
                die("open %s", path);
            int64_t t1 = now_ns();
            write_whole(fd, data, FILE_BYTES, path);
            int64_t t2 = now_ns();
            if (close(fd) == -1)
                die("close %s", path);
            in_open += t1 - t0;
            in_write += t2 - t1;
            in_close += now_ns() - t2;
        }
    }
    s->wall[r] = (double)(now_ns() - start) / NS_PER_S;
    s->cpu[r] = (double)(cpu_ns_self() - start_cpu) / NS_PER_S;
    s->sleeps[r] = (double)(sleeps_so_far() - sleeps_before);
    s->disk_mib[r] = disk_before < 0 ? -1 : disk_written_mib(dir) - disk_before;
    s->cancelled_mib[r] = cancelled_before < 0 ? -1 : cancelled_mib() - cancelled_before;
    s->in_open[r] = (double)in_open / NS_PER_S;
    s->in_write[r] = (double)in_write / NS_PER_S;
    s->in_close[r] = (double)in_close / NS_PER_S;

    for (long long f = 0; f < cfg->files; f++) {
        snprintf(path, sizeof path, "%s/file-%lld", dir, f);
        if (unlink(path) == -1)
            die("unlink %s", path);
        cleanup_forget(file_slots[f]);
    }
    if (rmdir(dir) == -1)
        die("rmdir %s", dir);
    cleanup_forget(dir_slot);
    free(file_slots);
    free(data);
}

static void write_whole(int fd, const char *buf, size_t n, const char *path)
{
    for (size_t done = 0; done < n;) {
        ssize_t got = write(fd, buf + done, n - done);
        if (got == -1 && errno == EINTR)
            continue;
        if (got == -1)
            die("write %s", path);
        done += (size_t)got;
    }
}

/* MiB written to the device that holds `path` since it started, from its
 * sectors written (the 7th field of its stat file, in 512-byte sectors);
 * -1 when `path` is on no block device (tmpfs) or the file cannot be read. */
static double disk_written_mib(const char *path)
{
    struct stat st;
    if (stat(path, &st) == -1)
        die("stat %s", path);
    char name[64];
    snprintf(name, sizeof name, "/sys/dev/block/%u:%u/stat", major(st.st_dev), minor(st.st_dev));
    FILE *f = fopen(name, "r");
    if (f == NULL)
        return -1;
    unsigned long long field[7];
    int got = 0;
    while (got < 7 && fscanf(f, "%llu", &field[got]) == 1)
        got++;
    fclose(f);
    return got == 7 ? (double)field[6] * 512 / (1 << 20) : -1;
}

/* MiB this process wrote into the page cache and then discarded before they
 * reached the disk (/proc/self/io); -1 when the kernel does not say. */
static double cancelled_mib(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (f == NULL)
        return -1;
    char key[64];
    unsigned long long value;
    double mib = -1;
    while (fscanf(f, "%63[^:]: %llu\n", key, &value) == 2)
        if (strcmp(key, "cancelled_write_bytes") == 0)
            mib = (double)value / (1 << 20);
    fclose(f);
    return mib;
}

/* How many times this process has blocked: its voluntary context switches. */
static long sleeps_so_far(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == -1)
        die("getrusage");
    return ru.ru_nvcsw;
}


static const column columns[] = {
    { .name = "dir", .kind = COL_TEXT, .width = 12 },
    { .name = "fs", .kind = COL_TEXT, .width = 9 },
    { .name = "way", .kind = COL_TEXT, .width = 8 },
    { .name = "files", .kind = COL_INT, .tsv_only = true },
    { .name = "writes", .kind = COL_INT, .tsv_only = true },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "s", .kind = COL_SPREAD, .decimals = 4 },
    { .name = "cpu_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "open_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "write_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "close_s", .kind = COL_REAL, .decimals = 4 },
    { .name = "sleeps", .kind = COL_INT },
    { .name = "disk_mib", .kind = COL_TEXT },
    { .name = "cancelled_mib", .kind = COL_TEXT },
    { 0 },
};

/* The median of samples that are -1 when unknown, as text: "-" if unknown. */
static void report_mib(report *out, const double *samples, size_t n)
{
    char text[32] = "-";
    if (samples[0] >= 0)
        snprintf(text, sizeof text, "%.1f", summarize(samples, n).median);
    report_text(out, text);
}

/* One row per series: the table on stdout and, with --data, the TSV. */
static void report_series(const struct config *cfg, const struct series *series, size_t n, int argc,
                          char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "file_bytes: %d", FILE_BYTES);
    report_comment(out, "disk_mib: the whole device's writes during the run, other programs' included");
    size_t repeat = (size_t)cfg->run.repeat;
    for (size_t s = 0; s < n; s++) {
        const struct series *c = &series[s];
        report_text(out, c->dir);
        report_text(out, file_system_name(c->dir));
        report_text(out, way_names[c->way]);
        report_int(out, cfg->files);
        report_int(out, cfg->writes);
        report_int(out, cfg->run.repeat);
        report_spread(out, c->wall, repeat);
        report_real(out, summarize(c->cpu, repeat).median);
        report_real(out, summarize(c->in_open, repeat).median);
        report_real(out, summarize(c->in_write, repeat).median);
        report_real(out, summarize(c->in_close, repeat).median);
        report_int(out, (long long)summarize(c->sleeps, repeat).median);
        report_mib(out, c->disk_mib, repeat);
        report_mib(out, c->cancelled_mib, repeat);
    }
    report_finish(out);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "rewrite [--dir DIR]... [--ways LIST] [--files N] [--writes N]\n"
    "               [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Rewrites files the way scaling's file workload does (open with O_TRUNC, write\n"
    "256 KiB, close), and two other ways, and reports where the time goes and\n"
    "whether the bytes reached the disk.\n"
    "\n"
    "  --dir DIR     a directory to write in (up to 4, each its own rows;\n"
    "                default $TMPDIR, or /tmp)\n"
    "  --ways LIST   truncate, in-place, new (default all)\n"
    "  --files N     files, written one after the other (1 to 10000; default 16)\n"
    "  --writes N    writes of each file (1 to 10000; default 50)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "dir", required_argument, NULL, 'd' },
        { "ways", required_argument, NULL, 'w' },
        { "files", required_argument, NULL, 'f' },
        { "writes", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    *cfg = (struct config){
        .dirs = { tmp },
        .n_dirs = 1,
        .way_used = { true, true, true },
        .files = quick ? 8 : 16,
        .writes = quick ? 10 : 50,
        .run.repeat = quick ? 3 : 5,
    };
    size_t dirs_given = 0;
    cfg->run.takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS;
    cfg->run.quick_help = "files 8, writes 10, repeat 3";
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'd': {
            const char *dir = arg_path("--dir", optarg);
            struct stat st;
            if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
                usage_error("--dir: '%s' is not a directory", dir);
            if (dirs_given == MAX_DIRS)
                usage_error("--dir: at most %d directories", MAX_DIRS);
            cfg->dirs[dirs_given++] = dir;
            cfg->n_dirs = dirs_given;
            break;
        }
        case 'w':
            arg_choice_list("--ways", optarg, way_names, cfg->way_used);
            break;
        case 'f':
            cfg->files = arg_int("--files", optarg, 1, 10000);
            break;
        case 'n':
            cfg->writes = arg_int("--writes", optarg, 1, 10000);
            break;
        }
    }
    arg_no_operands(argc, argv);
}
