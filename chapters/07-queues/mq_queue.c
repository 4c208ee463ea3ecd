/*
 * mq_queue.c - POSIX message queues between processes: mq_open, messages
 * with priorities, the system's limits and what happens at them.
 *
 *   build/chapter07/mq_queue                 # priorities and limits
 *   build/chapter07/mq_queue --measure --quick
 *
 * A message queue is a kernel object with a name ("/workbook-mq-PID", on
 * Linux visible in /dev/mqueue), a maximum number of messages and a maximum
 * message size, fixed when it is created. Messages keep their boundaries
 * (one mq_send, one mq_receive), and come out highest priority first, in
 * order within one priority. The queue is unlinked on every way out.
 *
 * With --measure: producer processes send numbered messages to this one,
 * which checks that every message arrives exactly once, and reports
 * messages per second for several sizes, producer counts and placements.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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

static const char usage_line[] =
    "mq_queue [--measure] [--producers LIST] [--bytes LIST] [--items N] [--placement LIST]\n"
    "                [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Shows a POSIX message queue's priorities and limits; with --measure, its\n"
    "throughput between producer processes and one consumer.\n"
    "\n"
    "  --measure          measure throughput instead of demonstrating\n"
    "  --producers LIST   producer processes (1 to 64; default 1,2,4)\n"
    "  --bytes LIST       message sizes (16 to 8192; default 64,1024,8192)\n"
    "  --items N          messages per producer (1 to 10^8; default 100000)\n"
    "  --placement LIST   one-core, two-cores (default both)\n"
    "  --repeat N         repeats (1 to 1000; default 5)\n"
    "  --data FILE        also write the results as TSV to FILE\n"
    "  --quick            items 5000, repeat 3\n"
    "  --progress         show the progress bar even when stderr is not a terminal\n"
    "  --help             show this help\n";

static const char *const placement_names[] = { "one-core", "two-cores", NULL };
#define MAX_LIST 16

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
static double measure(const char *name, int producers, long long items, size_t bytes, bool two_cores)
{
    int slot;
    mqd_t q = create(name, 10, (long)bytes, O_RDWR, &slot);    /* 10: the default msg_max */
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

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "measure", no_argument, NULL, 'm' },
        { "producers", required_argument, NULL, 'p' },
        { "bytes", required_argument, NULL, 'b' },
        { "items", required_argument, NULL, 'n' },
        { "placement", required_argument, NULL, 'l' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long producers[MAX_LIST] = { 1, 2, 4 }, sizes[MAX_LIST] = { 64, 1024, 8192 };
    size_t n_producers = 3, n_sizes = 3;
    long long items = 0, repeat = 0;
    bool measuring = false, quick = false, force = false, placement[2] = { false, false }, placement_given = false;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'm':
            measuring = true;
            break;
        case 'p':
            n_producers = arg_int_list("--producers", optarg, 1, 64, producers, MAX_LIST);
            break;
        case 'b':
            n_sizes = arg_int_list("--bytes", optarg, 16, 8192, sizes, MAX_LIST);
            break;
        case 'n':
            items = arg_int("--items", optarg, 1, 100000000);
            break;
        case 'l':
            arg_choice_list("--placement", optarg, placement_names, placement);
            placement_given = true;
            break;
        case 'r':
            repeat = arg_int("--repeat", optarg, 1, 1000);
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
    char name[64];
    snprintf(name, sizeof name, "/workbook-mq-%d", (int)getpid());
    if (!measuring) {
        demonstrate(name);
        return EXIT_SUCCESS;
    }
    if (items == 0)
        items = quick ? 5000 : 100000;
    if (repeat == 0)
        repeat = quick ? 3 : 5;
    if (!placement_given)
        placement[0] = placement[1] = true;
    if (placement[1] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        placement[1] = false;
    }
    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "items_per_producer: %lld", items);
        datafile_columns(df, "queue producers msg_bytes placement repeats median_msgs_per_s min_msgs_per_s "
                             "max_msgs_per_s median_mib_s");
    }
    printf("%lld messages per producer, 1 consumer, queue of 10 messages, %lld repeats; every message checked\n",
           items, repeat);
    printf("%9s %9s %-10s %14s %12s %12s %10s\n", "producers", "msg_bytes", "placement", "median_msgs_s",
           "min", "max", "mib_s");
    progress bar;
    progress_start(&bar, "mq", (long)(2 * n_producers * n_sizes), force);
    for (int pl = 0; pl < 2; pl++)
        for (size_t pi = 0; pi < n_producers; pi++)
            for (size_t si = 0; si < n_sizes && placement[pl]; si++) {
                double rate[1000];
                for (long long k = 0; k < repeat; k++)
                    rate[k] = measure(name, (int)producers[pi], items, (size_t)sizes[si], pl == 1);
                summary s = summarize(rate, (size_t)repeat);
                double mib = s.median * (double)sizes[si] / (1 << 20);
                progress_clear(&bar);
                printf("%9lld %9lld %-10s %14.0f %12.0f %12.0f %10.1f\n", producers[pi], sizes[si],
                       placement_names[pl], s.median, s.min, s.max, mib);
                if (df)
                    datafile_row(df, "mq\t%lld\t%lld\t%s\t%lld\t%.0f\t%.0f\t%.0f\t%.1f", producers[pi], sizes[si],
                                 placement_names[pl], repeat, s.median, s.min, s.max, mib);
                progress_advance(&bar, 1);
            }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
