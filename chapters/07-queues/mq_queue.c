/*
 * mq_queue.c - POSIX message queues between processes: mq_open, messages
 * with priorities, the system's limits and what happens at them.
 *
 *   build/chapter07/mq_queue                 # priorities and limits
 *   build/chapter07/mq_queue --measure --quick
 *   build/chapter07/mq_queue --measure --producers 1 --bytes 64 --placement one-core
 *
 * A message queue is a kernel object with a name ("/workbook-mq-PID", on
 * Linux visible in /dev/mqueue), a maximum number of messages and a maximum
 * message size, fixed when it is created. It prints the system's limits,
 * five messages in the order they were sent and in the order they came
 * out, and what a full queue, a too-big message and a queue over the limit
 * get. What to expect: highest priority first, in order within one
 * priority; EAGAIN, ETIMEDOUT, EMSGSIZE. Messages keep their boundaries (one
 * mq_send, one mq_receive). The queue is unlinked on every way out.
 *
 * With --measure: producer processes send numbered messages to this one,
 * which checks that every message arrives exactly once, and reports
 * messages per second (median, min and max over the repeats) for several
 * sizes, producer counts and placements, and how often the processes
 * blocked (voluntary context switches) or were preempted (involuntary) per
 * message, from getrusage. Compare with bounded_queue.c (a
 * queue between threads) and pipe_queue.c (a queue over a pipe), which
 * measure the same and write the same columns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
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
#define QUEUE_MESSAGES 10 /* --measure: the queue's depth, the default msg_max */

struct config {
    bool measure;
    long long producers[MAX_LIST], sizes[MAX_LIST];
    size_t n_producers, n_sizes;
    long long items;       /* per producer */
    bool placement[2];     /* one-core, two-cores */
    run_options run;
};

static long read_limit(const char *name);
static mqd_t create(const char *name, long maxmsg, long msgsize, int flags, int *slot);
static void destroy(mqd_t q, const char *name, int slot);

/* Priorities, a full queue, a too-big message, a queue over the limit. */
static void demonstrate(const char *name)
{
    long msg_max = read_limit("msg_max"), msgsize_max = read_limit("msgsize_max");
    printf("limits: msg_max %ld messages, msgsize_max %ld bytes, queues_max %ld (/proc/sys/fs/mqueue)\n",
           msg_max, msgsize_max, read_limit("queues_max"));

    // snippet-begin: priorities
    int slot;
    mqd_t q = create(name, 8, 64, O_RDWR, &slot);
    if (q == (mqd_t)-1)
        die("mq_open %s", name);
    const char *words[] = { "low", "urgent", "normal", "urgent-too", "lowest" };
    const unsigned prios[] = { 1, 9, 5, 9, 0 };
    for (int i = 0; i < 5; i++)
        if (mq_send(q, words[i], strlen(words[i]) + 1, prios[i]) == -1)
            die("mq_send");
    printf("sent:     ");
    for (int i = 0; i < 5; i++)
        printf(" %s(%u)", words[i], prios[i]);
    printf("\nreceived: ");
    for (int i = 0; i < 5; i++) {
        char buf[64];
        unsigned prio;
        if (mq_receive(q, buf, sizeof buf, &prio) == -1)
            die("mq_receive");
        printf(" %s(%u)", buf, prio);
    }
    printf("\n");
    // snippet-end: priorities

    // snippet-begin: full
    struct mq_attr attr;
    if (mq_getattr(q, &attr) == -1)
        die("mq_getattr");
    attr.mq_flags = O_NONBLOCK;
    if (mq_setattr(q, &attr, NULL) == -1)
        die("mq_setattr");
    int sent = 0;
    while (mq_send(q, "x", 2, 0) == 0)
        sent++;
    printf("full: %d messages fit (mq_maxmsg %ld); the next mq_send: %s\n", sent, attr.mq_maxmsg,
           errno == EAGAIN ? "EAGAIN (it would block)" : strerror(errno));
    attr.mq_flags = 0;
    if (mq_setattr(q, &attr, NULL) == -1)
        die("mq_setattr");
    struct timespec limit = realtime_after(100 * NS_PER_MS);
    int64_t start = now_ns();
    int rc = mq_timedsend(q, "x", 2, 0, &limit);
    printf("full: a blocking mq_timedsend with 100 ms to spare: %s after %.0f ms\n",
           rc == -1 && errno == ETIMEDOUT ? "ETIMEDOUT" : "it went through",
           (double)(now_ns() - start) / NS_PER_MS);
    char big[128] = { 0 };
    rc = mq_send(q, big, sizeof big, 0);
    printf("too big: a 128-byte message on a queue of 64-byte messages: %s\n",
           rc == -1 && errno == EMSGSIZE ? "EMSGSIZE" : "it went through");
    // snippet-end: full
    destroy(q, name, slot);

    if (msg_max > 0) {
        q = create(name, msg_max + 1, 64, O_RDWR, &slot);
        if (q == (mqd_t)-1) {
            printf("over the limit: mq_open with %ld messages: %s\n", msg_max + 1, strerror(errno));
        } else {
            printf("over the limit: mq_open with %ld messages succeeded (a privileged process may go "
                   "beyond msg_max, up to the kernel's hard limit)\n", msg_max + 1);
            destroy(q, name, slot);
        }
    }
}

struct header {
    int32_t producer;
    int32_t unused;
    int64_t seq;
};

// snippet-begin: measure
/* One run: `producers` processes send `items` messages each; we receive
 * them all and check each arrives once. Returns messages per second. */
static double messages_per_second(const char *name, int producers, long long items, size_t bytes,
                                  bool two_cores)
{
    int slot;
    mqd_t q = create(name, QUEUE_MESSAGES, (long)bytes, O_RDWR, &slot);
    if (q == (mqd_t)-1)
        die("mq_open %s", name);
    pid_t pids[64];
    int slots[64];
    fflush(stdout);
    int64_t start = now_ns();
    for (int p = 0; p < producers; p++) {
        pids[p] = cleanup_fork(&slots[p]); /* killed and reaped if we are stopped */
        if (pids[p] == 0) {
            pin_to_cpu(0);
            char *msg = calloc(1, bytes);
            if (msg == NULL)
                die("calloc");
            for (long long s = 0; s < items; s++) {
                struct header h = { .producer = p, .seq = s };
                memcpy(msg, &h, sizeof h);
                if (mq_send(q, msg, bytes, 0) == -1)
                    die("producer: mq_send");
            }
            _exit(EXIT_SUCCESS);
        }
    }
    pin_to_cpu(two_cores ? 1 : 0);
    unsigned char *seen = calloc((size_t)(producers * items), 1);
    char *msg = malloc(bytes);
    if (seen == NULL || msg == NULL)
        die("malloc");
    for (long long k = 0; k < producers * items; k++) {
        ssize_t n = mq_receive(q, msg, bytes, NULL);
        if (n == -1)
            die("mq_receive");
        struct header h;
        memcpy(&h, msg, sizeof h);
        if (n != (ssize_t)bytes || h.producer < 0 || h.producer >= producers || h.seq < 0 || h.seq >= items ||
            seen[h.producer * items + h.seq]++)
            die_msg("message %lld: wrong size, unknown, or a duplicate", k);
    }
    double rate = (double)(producers * items) / ((double)(now_ns() - start) / NS_PER_S);
    // snippet-end: measure
    for (int p = 0; p < producers; p++) {
        int status;
        if (waitpid(pids[p], &status, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[p]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die_msg("producer %d failed", p);
    }
    free(seen);
    free(msg);
    destroy(q, name, slot);
    return rate;
}

static void parse_args(int argc, char *argv[], struct config *cfg);
static void measure(const struct config *cfg, const char *name, int argc, char *argv[]);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    char name[64];
    snprintf(name, sizeof name, "/workbook-mq-%d", (int)getpid());
    if (!cfg.measure)
        demonstrate(name);
    else
        measure(&cfg, name, argc, argv);
    return EXIT_SUCCESS;
}

static long read_limit(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", name);
    return read_number(path);
}

/* Create a fresh queue, registered for clean-up. */
static mqd_t create(const char *name, long maxmsg, long msgsize, int flags, int *slot)
{
    struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
    mqd_t q = mq_open(name, O_CREAT | O_EXCL | flags, 0600, &attr);
    if (q != (mqd_t)-1)
        *slot = cleanup_add_mq(name);
    return q;
}

static void destroy(mqd_t q, const char *name, int slot)
{
    if (mq_close(q) == -1)
        die("mq_close");
    if (mq_unlink(name) == -1)
        die("mq_unlink %s", name);
    cleanup_forget(slot);
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
static void measure(const struct config *cfg, const char *name, int argc, char *argv[])
{
    report *out = report_create(columns, &cfg->run, argc, argv);
    report_comment(out, "items_per_producer: %lld", cfg->items);
    printf("%lld messages per producer, 1 consumer, queue of %d messages, %ld repeats; every message checked\n",
           cfg->items, QUEUE_MESSAGES, cfg->run.repeat);
    progress bar;
    long points = (cfg->placement[0] + cfg->placement[1]) * (long)(cfg->n_producers * cfg->n_sizes);
    progress_start(&bar, "mq", points, cfg->run.force_progress);
    report_progress(out, &bar);
    double *rate = samples_alloc(cfg->run.repeat), *vcsw = samples_alloc(cfg->run.repeat),
           *ivcsw = samples_alloc(cfg->run.repeat), *us = samples_alloc(cfg->run.repeat);
    for (int pl = 0; pl < 2; pl++)
        for (size_t pi = 0; pi < cfg->n_producers && cfg->placement[pl]; pi++)
            for (size_t si = 0; si < cfg->n_sizes; si++) {
                long long producers = cfg->producers[pi], bytes = cfg->sizes[si];
                double messages = (double)(producers * cfg->items);
                for (long k = 0; k < cfg->run.repeat; k++) {
                    struct switches before = switches_now();
                    rate[k] = messages_per_second(name, (int)producers, cfg->items, (size_t)bytes, pl == 1);
                    struct switches after = switches_now();   /* the producers reaped */
                    vcsw[k] = (double)(after.voluntary - before.voluntary) / messages;
                    ivcsw[k] = (double)(after.involuntary - before.involuntary) / messages;
                }
                report_text(out, "mq");
                report_int(out, producers);
                report_int(out, bytes);
                report_text(out, placement_names[pl]);
                report_int(out, cfg->run.repeat);
                summary s = report_spread(out, rate, (size_t)cfg->run.repeat);
                report_real(out, s.median * (double)bytes / (1 << 20));
                report_int(out, QUEUE_MESSAGES);
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
    "mq_queue [--measure] [--producers LIST] [--bytes LIST] [--items N] [--placement LIST]\n"
    "                [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Shows a POSIX message queue's priorities and limits; with --measure, its\n"
    "throughput between producer processes and one consumer.\n"
    "\n"
    "  --measure         measure throughput instead of demonstrating\n"
    "  --producers LIST  producer processes (1 to 64; default 1,2,4)\n"
    "  --bytes LIST      message sizes (16 to 8192; default 64,1024,8192)\n"
    "  --items N         messages per producer (1 to 10^8; default 100000)\n"
    "  --placement LIST  one-core, two-cores (default both)\n"
    "  (--repeat, --data, --quick and --progress go with --measure)\n";

/* The defaults (smaller with --quick), then the options given. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "measure", no_argument, NULL, 'm' },
        { "producers", required_argument, NULL, 'p' },
        { "bytes", required_argument, NULL, 'b' },
        { "items", required_argument, NULL, 'n' },
        { "placement", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 },
    };
    bool quick = options_quick(argc, argv, options);
    *cfg = (struct config){
        .producers = { 1, 2, 4 },
        .n_producers = 3,
        .sizes = { 64, 1024, 8192 },
        .n_sizes = 3,
        .items = quick ? 5000 : 100000,
        .placement = { true, true },
        .run = { .takes = TAKES_REPEAT | TAKES_DATA | TAKES_QUICK | TAKES_PROGRESS,
                 .repeat = quick ? 3 : 5, .quick_help = "items 5000, repeat 3" },
    };

    bool placement_given = false;
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'm':
            cfg->measure = true;
            break;
        case 'p':
            cfg->n_producers = arg_int_list("--producers", optarg, 1, 64, cfg->producers, MAX_LIST);
            break;
        case 'b':
            cfg->n_sizes = arg_int_list("--bytes", optarg, 16, 8192, cfg->sizes, MAX_LIST);
            break;
        case 'n':
            cfg->items = arg_int("--items", optarg, 1, 100000000);
            break;
        case 'l':
            arg_choice_list("--placement", optarg, placement_names, cfg->placement);
            placement_given = true;
            break;
        }
    }
    arg_no_operands(argc, argv);

    if (cfg->measure && cfg->placement[1] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        cfg->placement[1] = false;
    }
}
