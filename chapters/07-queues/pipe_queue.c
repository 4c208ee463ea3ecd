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
 * The lock matters only for frames bigger than PIPE_BUF (4096 bytes):
 * smaller writes are atomic anyway (chapter 6), bigger ones from several
 * producers can interleave and the reader loses its place. --no-lock shows
 * it: the reader then finds frames it cannot parse. The lock is a POSIX
 * named semaphore, unlinked on every way out.
 *
 * Each message is a small record (producer, number, payload length) plus
 * its payload; "serializing" it is packing those into a byte buffer, and the
 * reader unpacks and checks every one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <semaphore.h>
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

static const char usage_line[] =
    "pipe_queue [--producers LIST] [--bytes LIST] [--items N] [--no-lock] [--measure]\n"
    "                  [--placement LIST] [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Sends framed messages from producer processes to this one through a pipe\n"
    "and checks every message; with --measure, reports throughput.\n"
    "\n"
    "  --producers LIST   producer processes (1 to 64; default 4; --measure: 1,2,4)\n"
    "  --bytes LIST       message sizes, frame included (32 to 1048576; default 1024;\n"
    "                     --measure: 64,1024,8192)\n"
    "  --items N          messages per producer (1 to 10^8; default 20000)\n"
    "  --no-lock          write without the writers' lock (frames above PIPE_BUF tear)\n"
    "  --measure          measure throughput instead of demonstrating\n"
    "  --placement LIST   --measure: one-core, two-cores (default both)\n"
    "  --repeat N         --measure: repeats (1 to 1000; default 5)\n"
    "  --data FILE        --measure: also write the results as TSV to FILE\n"
    "  --quick            --measure: items 5000, repeat 3\n"
    "  --progress         show the progress bar even when stderr is not a terminal\n"
    "  --help             show this help\n";

static const char *const placement_names[] = { "one-core", "two-cores", NULL };
#define MAX_LIST 16

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

struct outcome {
    long long ok, bad_frames, duplicated;
    double seconds;
};

/* One run: producers send `items` messages of `bytes` each; we check them. */
static struct outcome run(int producers, long long items, size_t bytes, bool use_lock, int cpu_producers,
                          int cpu_consumer)
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
    pid_t pids[64];
    int slots[64];
    fflush(stdout);
    int64_t start = now_ns();
    for (int p = 0; p < producers; p++) {
        pids[p] = cleanup_fork(&slots[p]); /* killed and reaped if we are stopped */
        if (pids[p] == 0) {
            close(fds[0]);
            if (cpu_producers >= 0)
                pin_to_cpu(cpu_producers);
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
    close(fds[1]);
    if (cpu_consumer >= 0)
        pin_to_cpu(cpu_consumer);

    // snippet-begin: get
    /* queue.get(), over and over: read a frame's length, then the frame;
     * unpack it and check it. A torn frame makes the length nonsense: from
     * there on the stream cannot be trusted, and we stop reading. */
    struct outcome o = { 0 };
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
    close(fds[0]);                               /* producers still writing get SIGPIPE */
    for (int p = 0; p < producers; p++) {
        if (waitpid(pids[p], NULL, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[p]);
    }
    if (lock) {
        sem_close(lock);
        if (sem_unlink(sem_name) == -1)
            die("sem_unlink %s", sem_name);
        cleanup_forget(sem_slot);
    }
    free(seen);
    free(frame);
    return o;
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "producers", required_argument, NULL, 'p' },
        { "bytes", required_argument, NULL, 'b' },
        { "items", required_argument, NULL, 'n' },
        { "no-lock", no_argument, NULL, 'u' },
        { "measure", no_argument, NULL, 'm' },
        { "placement", required_argument, NULL, 'l' },
        { "repeat", required_argument, NULL, 'r' },
        { "data", required_argument, NULL, 'd' },
        { "quick", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long producers[MAX_LIST], sizes[MAX_LIST];
    size_t n_producers = 0, n_sizes = 0;
    long long items = 0, repeat = 0;
    bool use_lock = true, measuring = false, quick = false, force = false;
    bool placement[2] = { false, false }, placement_given = false;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'p':
            n_producers = arg_int_list("--producers", optarg, 1, 64, producers, MAX_LIST);
            break;
        case 'b':
            n_sizes = arg_int_list("--bytes", optarg, 32, 1 << 20, sizes, MAX_LIST);
            break;
        case 'n':
            items = arg_int("--items", optarg, 1, 100000000);
            break;
        case 'u':
            use_lock = false;
            break;
        case 'm':
            measuring = true;
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
    if (!measuring && (n_producers > 1 || n_sizes > 1))
        usage_error("--producers and --bytes take one value each, except with --measure");
    if (!measuring && (placement_given || data_path || quick || repeat))
        usage_error("--placement, --repeat, --data and --quick go with --measure");
    if (n_producers == 0) {
        static const long long all[] = { 1, 2, 4 };
        n_producers = measuring ? 3 : 1;
        memcpy(producers, measuring ? all : (const long long[]){ 4 }, n_producers * sizeof producers[0]);
    }
    if (n_sizes == 0) {
        static const long long all[] = { 64, 1024, 8192 };
        n_sizes = measuring ? 3 : 1;
        memcpy(sizes, measuring ? all : (const long long[]){ 1024 }, n_sizes * sizeof sizes[0]);
    }
    if (items == 0)
        items = measuring ? (quick ? 5000 : 100000) : 20000;
    if (repeat == 0)
        repeat = quick ? 3 : 5;

    if (!measuring) {
        struct outcome o = run((int)producers[0], items, (size_t)sizes[0], use_lock, -1, -1);
        long long sent = producers[0] * items;
        printf("%lld producers x %lld messages of %lld bytes (PIPE_BUF %d), %s\n", producers[0], items,
               sizes[0], PIPE_BUF, use_lock ? "writes under a lock" : "writes without a lock");
        printf("received %lld of %lld intact, %lld duplicated, %lld bad frames%s\n", o.ok, sent, o.duplicated,
               o.bad_frames, o.bad_frames ? " (the stream was torn: reading stopped there)" : "");
        printf("every message exactly once: %s\n", o.ok == sent && o.duplicated == 0 && o.bad_frames == 0 ? "yes" : "NO");
        return EXIT_SUCCESS;
    }

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
    printf("%lld messages per producer, 1 consumer, %lld repeats; every message unpacked and checked\n", items,
           repeat);
    printf("%9s %9s %-10s %14s %12s %12s %10s\n", "producers", "msg_bytes", "placement", "median_msgs_s",
           "min", "max", "mib_s");
    progress bar;
    progress_start(&bar, "pipe queue", (long)(2 * n_producers * n_sizes), force);
    for (int pl = 0; pl < 2; pl++)
        for (size_t pi = 0; pi < n_producers; pi++)
            for (size_t si = 0; si < n_sizes && placement[pl]; si++) {
                double rate[1000];
                for (long long k = 0; k < repeat; k++) {
                    struct outcome o = run((int)producers[pi], items, (size_t)sizes[si], use_lock, 0, pl);
                    if (o.ok != producers[pi] * items)
                        die_msg("%lld of %lld messages arrived intact", o.ok, producers[pi] * items);
                    rate[k] = (double)o.ok / o.seconds;
                }
                summary s = summarize(rate, (size_t)repeat);
                double mib = s.median * (double)sizes[si] / (1 << 20);
                progress_clear(&bar);
                printf("%9lld %9lld %-10s %14.0f %12.0f %12.0f %10.1f\n", producers[pi], sizes[si],
                       placement_names[pl], s.median, s.min, s.max, mib);
                if (df)
                    datafile_row(df, "pipe\t%lld\t%lld\t%s\t%lld\t%.0f\t%.0f\t%.0f\t%.1f", producers[pi],
                                 sizes[si], placement_names[pl], repeat, s.median, s.min, s.max, mib);
                progress_advance(&bar, 1);
            }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
