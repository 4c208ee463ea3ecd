/*
 * pipe_queue.c - a queue between processes built on a pipe, the way
 * Python's multiprocessing.Queue is: each message serialized into bytes,
 * framed (a length, then the bytes) so the reader can find where one ends,
 * and written in one write() while holding a lock shared by the writers.
 *
 *   build/chapter07/pipe_queue --producers 4              # demonstrate, check
 *   build/chapter07/pipe_queue --producers 4 --no-lock --bytes 65536
 *   build/chapter07/pipe_queue --measure --quick
 *
 * It prints what was sent, how many messages arrived intact, duplicated or
 * in frames it could not parse, and whether every message arrived exactly
 * once. What to expect: yes, with the lock, at any size; without it, yes
 * up to PIPE_BUF (4096 bytes: smaller writes are atomic anyway, chapter 6),
 * and above it, frames from several producers interleave and the reader
 * loses its place: it then stops, counting a bad frame. The lock is a POSIX
 * named semaphore, unlinked on every way out. --no-lock stays a flag, not
 * a file of its own: what changes is one argument (put() gets no lock),
 * and the point is to run the same producers both ways and compare.
 *
 * Each message is a small record (producer, number, payload length) plus
 * its payload; "serializing" it is packing those into a byte buffer, and the
 * reader unpacks and checks every one.
 *
 * With --measure it reports messages per second (median, min and max over
 * the repeats) for several sizes, producer counts and placements; how many
 * whole frames the pipe holds (its capacity, as a queue); and how often the
 * processes blocked (voluntary context switches) or were preempted
 * (involuntary) per message, from getrusage. Compare
 * with bounded_queue.c (a queue between threads, no serializing) and
 * mq_queue.c (a kernel message queue), which measure the same and write the
 * same columns; and with chapter 6's pipe_atomic.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
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
#include "report.h"

#define MAX_LIST 16

struct config {
    long long producers[MAX_LIST], sizes[MAX_LIST]; /* one each, except with --measure */
    size_t n_producers, n_sizes;
    long long items;       /* per producer */
    bool use_lock;         /* off with --no-lock */
    bool measure;
    bool placement[2];     /* --measure: one-core, two-cores */
    run_options run;
};

// snippet-begin: frame
struct message {            /* what a producer sends */
    int32_t producer;
    int64_t seq;
    uint32_t payload_len;
    const unsigned char *payload;
};

/* Serialize: [u32 frame length][i32 producer][i64 seq][u32 payload length][payload] */
static size_t pack(const struct message *m, unsigned char *out)
{
    uint32_t frame = (uint32_t)(4 + 4 + 8 + 4 + m->payload_len);
    memcpy(out, &frame, 4);
    memcpy(out + 4, &m->producer, 4);
    memcpy(out + 8, &m->seq, 8);
    memcpy(out + 16, &m->payload_len, 4);
    memcpy(out + 20, m->payload, m->payload_len);
    return frame;
}
// snippet-end: frame

// snippet-begin: put
/* queue.put(): serialize, then one write under the writers' lock. */
static void put(int fd, sem_t *lock, const struct message *m, unsigned char *buf)
{
    size_t len = pack(m, buf);
    if (lock && sem_wait(lock) == -1)
        die("sem_wait");
    write_all(fd, buf, len);
    if (lock && sem_post(lock) == -1)
        die("sem_post");
}
// snippet-end: put

/* What one run delivered. */
struct outcome {
    long long ok, bad_frames, duplicated;
    double seconds;
    long capacity;          /* whole frames the pipe holds at once */
};

/* Where a run's processes run: producers on core 0, the consumer (this
 * process) on consumer_cpu; or wherever the kernel puts them. */
struct pinning {
    bool pinned;
    int consumer_cpu;
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void demonstrate(const struct config *cfg);
static void measure(const struct config *cfg, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    if (!cfg.measure)
        demonstrate(&cfg);
    else
        measure(&cfg, argc, argv);
    return EXIT_SUCCESS;
}

static struct outcome run(int producers, long long items, size_t bytes, bool use_lock,
                          struct pinning where);

/* One run, unpinned: did every message arrive exactly once? */
static void demonstrate(const struct config *cfg)
{
    long long producers = cfg->producers[0], bytes = cfg->sizes[0], sent = producers * cfg->items;
    struct outcome o = run((int)producers, cfg->items, (size_t)bytes, cfg->use_lock, (struct pinning){ 0 });
    printf("%lld producers x %lld messages of %lld bytes (PIPE_BUF %d), %s\n", producers, cfg->items, bytes,
           PIPE_BUF, cfg->use_lock ? "writes under a lock" : "writes without a lock");
    printf("received %lld of %lld intact, %lld duplicated, %lld bad frames%s\n", o.ok, sent, o.duplicated,
           o.bad_frames, o.bad_frames ? " (the stream was torn: reading stopped there)" : "");
    printf("every message exactly once: %s\n",
           o.ok == sent && o.duplicated == 0 && o.bad_frames == 0 ? "yes" : "NO");
}

/* One run: producers send `items` messages of `bytes` each; we check them. */
static struct outcome run(int producers, long long items, size_t bytes, bool use_lock,
                          struct pinning where)
{
    char sem_name[64];
    snprintf(sem_name, sizeof sem_name, "/workbook-queue-lock-%d", (int)getpid());
    sem_t *lock = NULL;
    int sem_slot = -1;
    if (use_lock) {
        lock = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1);
        if (lock == SEM_FAILED)
            die("sem_open %s", sem_name);
        sem_slot = cleanup_add_sem(sem_name);
    }
    int fds[2];
    if (pipe(fds) == -1)
        die("pipe");
    int pipe_bytes = fcntl(fds[0], F_GETPIPE_SZ);
    if (pipe_bytes == -1)
        die("fcntl F_GETPIPE_SZ");
    pid_t pids[64];
    int slots[64];
    fflush(stdout);
    int64_t start = now_ns();
    for (int p = 0; p < producers; p++) {
        pids[p] = cleanup_fork(&slots[p]); /* killed and reaped if we are stopped */
        if (pids[p] == 0) {
            if (close(fds[0]) == -1)
                die("close");
            if (where.pinned)
                pin_to_cpu(0);
            unsigned char *payload = malloc(bytes), *buf = malloc(bytes);
            if (payload == NULL || buf == NULL)
                die("malloc");
            for (size_t i = 0; i < bytes; i++)
                payload[i] = (unsigned char)(p * 31 + (int)i);
            for (long long s = 0; s < items; s++) {
                struct message m = { .producer = p, .seq = s, .payload_len = (uint32_t)(bytes - 20),
                                     .payload = payload };
                put(fds[1], lock, &m, buf);
            }
            _exit(EXIT_SUCCESS);
        }
    }
    if (close(fds[1]) == -1)
        die("close");
    if (where.pinned)
        pin_to_cpu(where.consumer_cpu);

    // snippet-begin: get
    /* queue.get(), over and over: read a frame's length, then the frame;
     * unpack it and check it. A torn frame makes the length nonsense: from
     * there on the stream cannot be trusted, and we stop reading. */
    struct outcome o = { .capacity = pipe_bytes / (long)bytes };
    unsigned char *seen = calloc((size_t)(producers * items), 1), *frame = malloc(bytes);
    if (seen == NULL || frame == NULL)
        die("malloc");
    uint32_t len;
    while (read_all(fds[0], &len, 4) == 4) {
        if (len != bytes || read_all(fds[0], frame + 4, len - 4) < len - 4) {
            o.bad_frames++;
            break;                               /* lost our place in the stream */
        }
        struct message m;
        memcpy(&m.producer, frame + 4, 4);
        memcpy(&m.seq, frame + 8, 8);
        memcpy(&m.payload_len, frame + 16, 4);
        bool sane = m.producer >= 0 && m.producer < producers && m.seq >= 0 && m.seq < items &&
                    m.payload_len == bytes - 20;
        for (size_t i = 0; sane && i < m.payload_len; i++)
            sane = frame[20 + i] == (unsigned char)(m.producer * 31 + (int)i);
        if (!sane)
            o.bad_frames++;
        else if (seen[(long long)m.producer * items + m.seq]++)
            o.duplicated++;
        else
            o.ok++;
    }
    // snippet-end: get
    o.seconds = (double)(now_ns() - start) / NS_PER_S;
    if (close(fds[0]) == -1)                     /* producers still writing get SIGPIPE */
        die("close");
    for (int p = 0; p < producers; p++) {
        if (waitpid(pids[p], NULL, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[p]);
    }
    if (lock) {
        if (sem_close(lock) == -1)
            die("sem_close");
        if (sem_unlink(sem_name) == -1)
            die("sem_unlink %s", sem_name);
        cleanup_forget(sem_slot);
    }
    free(seen);
    free(frame);
    return o;
}

static const char *const placement_names[] = { "one-core", "two-cores", NULL };

static const column columns[] = {
    { .name = "queue", .kind = COL_TEXT, .tsv_only = true },
    { .name = "producers", .kind = COL_INT },
    { .name = "msg_bytes", .kind = COL_INT },
    { .name = "placement", .kind = COL_TEXT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "msgs_per_s", .kind = COL_SPREAD, .decimals = 0 },
    { .name = "median_mib_s", .kind = COL_REAL, .decimals = 1 },
    { .name = "capacity", .kind = COL_INT },
    { .name = "median_us_per_msg", .kind = COL_REAL, .significant = 3 },
    { .name = "median_vcsw_per_msg", .kind = COL_REAL, .decimals = 3 },
    { .name = "median_ivcsw_per_msg", .kind = COL_REAL, .decimals = 3 },
    { 0 },
};

/* Context switches so far of this process and of its children that have
 * been waited for: the consumer and the producers of the runs so far. */
struct switches {
    long voluntary;   /* a process blocked: a full or an empty queue, a lock */
    long involuntary; /* a process was preempted: another one was given its core */
};

static struct switches switches_now(void)
{
    struct rusage self, children;
    if (getrusage(RUSAGE_SELF, &self) == -1 || getrusage(RUSAGE_CHILDREN, &children) == -1)
        die("getrusage");
    return (struct switches){ self.ru_nvcsw + children.ru_nvcsw, self.ru_nivcsw + children.ru_nivcsw };
}

/* Every placement, producer count and message size, each point repeated:
 * one row each, on stdout and in the data file. */
static void measure(const struct config *cfg, int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "items_per_producer: %lld", cfg->items);
    printf("%lld messages per producer, 1 consumer, %ld repeats; every message unpacked and checked\n",
           cfg->items, cfg->run.repeat);
    progress bar;
    long points = (cfg->placement[0] + cfg->placement[1]) * (long)(cfg->n_producers * cfg->n_sizes);
    progress_start(&bar, "pipe queue", points, cfg->run.force_progress);
    report_progress(out, &bar);
    double *rate = samples_alloc(cfg->run.repeat), *vcsw = samples_alloc(cfg->run.repeat),
           *ivcsw = samples_alloc(cfg->run.repeat), *us = samples_alloc(cfg->run.repeat);
    for (int pl = 0; pl < 2; pl++)
        for (size_t pi = 0; pi < cfg->n_producers && cfg->placement[pl]; pi++)
            for (size_t si = 0; si < cfg->n_sizes; si++) {
                long long producers = cfg->producers[pi], bytes = cfg->sizes[si];
                long capacity = 0;
                for (long k = 0; k < cfg->run.repeat; k++) {
                    struct switches before = switches_now();
                    struct outcome o = run((int)producers, cfg->items, (size_t)bytes, cfg->use_lock,
                                           (struct pinning){ .pinned = true, .consumer_cpu = pl });
                    struct switches after = switches_now();   /* the producers reaped */
                    if (o.ok != producers * cfg->items)
                        die_msg("%lld of %lld messages arrived intact", o.ok, producers * cfg->items);
                    rate[k] = (double)o.ok / o.seconds;
                    vcsw[k] = (double)(after.voluntary - before.voluntary) / (double)o.ok;
                    ivcsw[k] = (double)(after.involuntary - before.involuntary) / (double)o.ok;
                    capacity = o.capacity;
                }
                report_text(out, "pipe");
                report_int(out, producers);
                report_int(out, bytes);
                report_text(out, placement_names[pl]);
                report_int(out, cfg->run.repeat);
                summary s = report_spread(out, rate, (size_t)cfg->run.repeat);
                report_real(out, s.median * (double)bytes / (1 << 20));
                report_int(out, capacity);
                for (long k = 0; k < cfg->run.repeat; k++)
                    us[k] = 1e6 / rate[k];
                report_real(out, summarize(us, (size_t)cfg->run.repeat).median);
                report_real(out, summarize(vcsw, (size_t)cfg->run.repeat).median);
                report_real(out, summarize(ivcsw, (size_t)cfg->run.repeat).median);
                progress_advance(&bar, 1);
            }
    progress_finish(&bar);
    report_finish(out);
    free(rate);
    free(vcsw);
    free(ivcsw);
    free(us);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pipe_queue [--producers LIST] [--bytes LIST] [--items N] [--no-lock] [--measure]\n"
    "                  [--placement LIST] [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Sends framed messages from producer processes to this one through a pipe\n"
    "and checks every message; with --measure, reports throughput.\n"
    "\n"
    "  --producers LIST  producer processes (1 to 64; default 4; --measure: 1,2,4)\n"
    "  --bytes LIST      message sizes, frame included (32 to 1048576; default 1024;\n"
    "                    --measure: 64,1024,8192)\n"
    "  --items N         messages per producer (1 to 10^8; default 20000;\n"
    "                    --measure: 100000)\n"
    "  --no-lock         write without the writers' lock (frames above PIPE_BUF tear)\n"
    "  --measure         measure throughput instead of demonstrating\n"
    "  --placement LIST  --measure: one-core, two-cores (default both)\n"
    "  (--repeat, --data, --quick and --progress go with --measure)\n";

/* The defaults (they depend on --measure and --quick), then the options
 * given, then the checks that take two options. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "producers", required_argument, NULL, 'p' },
        { "bytes", required_argument, NULL, 'b' },
        { "items", required_argument, NULL, 'n' },
        { "no-lock", no_argument, NULL, 'u' },
        { "measure", no_argument, NULL, 'm' },
        { "placement", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    bool measure = options_given(argc, argv, options, 'm');
    bool repeat_given = options_given(argc, argv, options, OPT_REPEAT);
    *cfg = (struct config){
        .producers = { measure ? 1 : 4, 2, 4 },
        .n_producers = measure ? 3 : 1,
        .sizes = { measure ? 64 : 1024, 1024, 8192 },
        .n_sizes = measure ? 3 : 1,
        .items = measure ? (quick ? 5000 : 100000) : 20000,
        .use_lock = true,
        .measure = measure,
        .placement = { true, true },
        .run = { .takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS,
                 .repeat = quick ? 3 : 5, .quick_help = "items 5000, repeat 3" },
    };

    bool placement_given = false;
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'p':
            cfg->n_producers = arg_int_list("--producers", optarg, 1, 64, cfg->producers, MAX_LIST);
            break;
        case 'b':
            cfg->n_sizes = arg_int_list("--bytes", optarg, 32, 1 << 20, cfg->sizes, MAX_LIST);
            break;
        case 'n':
            cfg->items = arg_int("--items", optarg, 1, 100000000);
            break;
        case 'u':
            cfg->use_lock = false;
            break;
        case 'm':
            break; /* read above: the defaults depend on it */
        case 'l':
            arg_choice_list("--placement", optarg, placement_names, cfg->placement);
            placement_given = true;
            break;
        }
    }
    arg_no_operands(argc, argv);

    if (!measure && (cfg->n_producers > 1 || cfg->n_sizes > 1))
        usage_error("--producers and --bytes take one value each, except with --measure");
    if (!measure && (placement_given || cfg->run.data_path || cfg->run.quick || repeat_given))
        usage_error("--placement, --repeat, --data and --quick go with --measure");
    if (cfg->placement[1] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        cfg->placement[1] = false;
    }
}
