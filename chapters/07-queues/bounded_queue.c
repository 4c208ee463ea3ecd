/*
 * bounded_queue.c - a bounded blocking queue for threads: one mutex, two
 * condition variables ("not full", "not empty"), and a `while` around each
 * wait. Several producers and consumers; a clean shutdown; every item
 * checked to arrive exactly once.
 *
 *   build/chapter07/bounded_queue --producers 3 --consumers 3
 *   build/chapter07/bounded_queue --shutdown pills     # poison pills instead of close
 *   build/chapter07/bounded_queue --wait if            # why `while`, not `if`
 *
 * With --wait if, a consumer that wakes up takes an item without looking
 * again: when another consumer woke first and took it (a "stolen wakeup"),
 * the queue is empty. A real `if` would then read a stale slot and break the
 * count; this one records what it would have taken (a duplicate or an item
 * nobody sent) and leaves the queue intact, so the damage can be counted.
 *
 * With --measure it reports throughput instead (items per second, for
 * several item sizes, producer counts, and placements on one core or two).
 */
#define _GNU_SOURCE /* pthread_setaffinity via cpus.h */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "datafile.h"
#include "error.h"
#include "progress.h"
#include "stats.h"
#include "locking.h"

static const char usage_line[] =
    "bounded_queue [--producers LIST] [--consumers N] [--items N] [--capacity N] [--bytes LIST]\n"
    "                     [--shutdown close|pills] [--wait while|if] [--measure] [--placement LIST]\n"
    "                     [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Runs producers and consumers over a bounded blocking queue and checks that\n"
    "every item arrives exactly once; with --measure, reports its throughput.\n"
    "\n"
    "  --producers LIST   producer threads (1 to 64; default 3; --measure: 1,2,4)\n"
    "  --consumers N      consumer threads (1 to 64; default 3; --measure: 1)\n"
    "  --items N          items per producer (1 to 10^8; default 100000)\n"
    "  --capacity N       slots in the queue (1 to 10^6; default 64)\n"
    "  --bytes LIST       item sizes in bytes (16 to 65536; default 64;\n"
    "                     --measure: 64,1024,8192)\n"
    "  --shutdown HOW     close (default: the queue is closed when the producers are\n"
    "                     done) or pills (one poison pill per consumer)\n"
    "  --wait HOW         while (default) or if: the bug, made visible\n"
    "  --measure          measure throughput instead of demonstrating\n"
    "  --placement LIST   --measure: one-core, two-cores (default both)\n"
    "  --repeat N         --measure: repeats (1 to 1000; default 5)\n"
    "  --data FILE        --measure: also write the results as TSV to FILE\n"
    "  --quick            --measure: items 5000, repeat 3\n"
    "  --progress         show the progress bar even when stderr is not a terminal\n"
    "  --help             show this help\n";

// snippet-begin: queue
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    unsigned char *slots;      /* capacity items of item_bytes each */
    size_t capacity, item_bytes, head, count;
    bool closed;
    bool wait_with_if;         /* the bug, for the demonstration */
    long stolen;               /* --wait if: woke to an empty queue */
} queue;

/* Block while the queue is full; false if it has been closed. */
static bool queue_put(queue *q, const void *item)
{
    lock(&q->lock);
    while (q->count == q->capacity && !q->closed)
        wait_on(&q->not_full, &q->lock);
    if (q->closed) {
        unlock(&q->lock);
        return false;
    }
    memcpy(q->slots + (q->head + q->count) % q->capacity * q->item_bytes, item, q->item_bytes);
    q->count++;
    signal_all(&q->not_empty);  /* every waiting consumer wakes; one will get it */
    unlock(&q->lock);
    return true;
}

/* Block while the queue is empty; false once it is closed and empty. */
static bool queue_get(queue *q, void *item)
{
    lock(&q->lock);
    if (q->wait_with_if) {
        if (q->count == 0 && !q->closed)        /* WRONG: looks only once */
            wait_on(&q->not_empty, &q->lock);
    } else {
        while (q->count == 0 && !q->closed)     /* right: looks again on waking */
            wait_on(&q->not_empty, &q->lock);
    }
    if (q->count == 0 && q->closed) {
        unlock(&q->lock);
        return false;
    }
    if (q->count == 0) {                        /* only with `if`: nothing there */
        q->stolen++;
        memcpy(item, q->slots + q->head * q->item_bytes, q->item_bytes); /* a stale slot */
        unlock(&q->lock);
        return true;
    }
    memcpy(item, q->slots + q->head * q->item_bytes, q->item_bytes);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    signal_one(&q->not_full);
    unlock(&q->lock);
    return true;
}

/* No more puts; consumers drain what is left, then get false. */
static void queue_close(queue *q)
{
    lock(&q->lock);
    q->closed = true;
    signal_all(&q->not_empty);
    signal_all(&q->not_full);
    unlock(&q->lock);
}
// snippet-end: queue

static void queue_init(queue *q, size_t capacity, size_t item_bytes, bool wait_with_if)
{
    *q = (queue){ .capacity = capacity, .item_bytes = item_bytes, .wait_with_if = wait_with_if };
    int rc;
    if ((rc = pthread_mutex_init(&q->lock, NULL)) != 0)
        die_rc(rc, "pthread_mutex_init");
    if ((rc = pthread_cond_init(&q->not_full, NULL)) != 0 || (rc = pthread_cond_init(&q->not_empty, NULL)) != 0)
        die_rc(rc, "pthread_cond_init");
    q->slots = calloc(capacity, item_bytes);
    if (q->slots == NULL)
        die("calloc");
}

static void queue_destroy(queue *q)
{
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
    free(q->slots);
}

/* An item: who made it and which, then filler; a pill has producer -1. */
struct item_header {
    int32_t producer;
    int32_t unused;
    int64_t seq;
};

struct run {
    queue *q;
    long long items;       /* per producer */
    int producers, consumers;
    bool pills;
    int cpu_producers, cpu_consumers; /* -1: not pinned */
    atomic_uchar *seen;    /* seen[p * items + seq]: times received */
    atomic_llong received, phantoms;
};

struct worker {
    struct run *run;
    int id;
};

static void *producer(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    if (r->cpu_producers >= 0)
        pin_to_cpu(r->cpu_producers);
    unsigned char *item = calloc(1, r->q->item_bytes);
    if (item == NULL)
        die("calloc");
    for (long long s = 0; s < r->items; s++) {
        struct item_header h = { .producer = w->id, .seq = s };
        memcpy(item, &h, sizeof h);
        if (!queue_put(r->q, item))
            die_msg("producer %d: the queue was closed under it", w->id);
    }
    free(item);
    return NULL;
}

static void *consumer(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    if (r->cpu_consumers >= 0)
        pin_to_cpu(r->cpu_consumers);
    unsigned char *item = malloc(r->q->item_bytes);
    if (item == NULL)
        die("malloc");
    while (queue_get(r->q, item)) {
        struct item_header h;
        memcpy(&h, item, sizeof h);
        if (h.producer == -1 && r->pills)
            break;                                /* a poison pill: stop */
        if (h.producer < 0 || h.producer >= r->producers || h.seq < 0 || h.seq >= r->items) {
            atomic_fetch_add(&r->phantoms, 1);    /* nobody sent this */
            continue;
        }
        atomic_fetch_add(&r->seen[(long long)h.producer * r->items + h.seq], 1);
        atomic_fetch_add(&r->received, 1);
    }
    free(item);
    return NULL;
}

/* Run producers and consumers to the end; returns the seconds it took. */
static double run_queue(struct run *r)
{
    pthread_t ids[128];
    struct worker ws[128];
    int n = 0;
    int64_t start = now_ns();
    for (int c = 0; c < r->consumers; c++, n++) {
        ws[n] = (struct worker){ r, c };
        int rc = pthread_create(&ids[n], NULL, consumer, &ws[n]);
        if (rc != 0)
            die_rc(rc, "pthread_create consumer %d", c);
    }
    for (int p = 0; p < r->producers; p++, n++) {
        ws[n] = (struct worker){ r, p };
        int rc = pthread_create(&ids[n], NULL, producer, &ws[n]);
        if (rc != 0)
            die_rc(rc, "pthread_create producer %d", p);
    }
    // snippet-begin: shutdown
    join_all(ids + r->consumers, r->producers);   /* every item is in */
    if (r->pills) {                               /* one pill per consumer */
        unsigned char *pill = calloc(1, r->q->item_bytes);
        if (pill == NULL)
            die("calloc");
        struct item_header h = { .producer = -1 };
        memcpy(pill, &h, sizeof h);
        for (int c = 0; c < r->consumers; c++)
            queue_put(r->q, pill);
        free(pill);
    } else {
        queue_close(r->q);                        /* consumers drain, then stop */
    }
    join_all(ids, r->consumers);
    // snippet-end: shutdown
    return (double)(now_ns() - start) / NS_PER_S;
}

/* Every item exactly once? Returns how many were not. */
static long long check_run(struct run *r, long long *missing, long long *duplicated)
{
    long long total = (long long)r->producers * r->items;
    *missing = *duplicated = 0;
    for (long long k = 0; k < total; k++) {
        unsigned char times = atomic_load(&r->seen[k]);
        *missing += times == 0;
        *duplicated += times > 1 ? times - 1 : 0;
    }
    return *missing + *duplicated + atomic_load(&r->phantoms);
}

static const char *const shutdown_names[] = { "close", "pills", NULL };
static const char *const wait_names[] = { "while", "if", NULL };
static const char *const placement_names[] = { "one-core", "two-cores", NULL };
#define MAX_LIST 16

int main(int argc, char *argv[])
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "producers", required_argument, NULL, 'p' },
        { "consumers", required_argument, NULL, 'c' },
        { "items", required_argument, NULL, 'n' },
        { "capacity", required_argument, NULL, 'k' },
        { "bytes", required_argument, NULL, 'b' },
        { "shutdown", required_argument, NULL, 's' },
        { "wait", required_argument, NULL, 'w' },
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
    long long consumers = 0, items = 0, capacity = 64, repeat = 0;
    int shutdown = 0, wait = 0;
    bool measure = false, quick = false, force = false, placement[2] = { false, false }, placement_given = false;
    const char *data_path = NULL;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", options, NULL)) != -1;) {
        switch (c) {
        case 'p':
            n_producers = arg_int_list("--producers", optarg, 1, 64, producers, MAX_LIST);
            break;
        case 'c':
            consumers = arg_int("--consumers", optarg, 1, 64);
            break;
        case 'n':
            items = arg_int("--items", optarg, 1, 100000000);
            break;
        case 'k':
            capacity = arg_int("--capacity", optarg, 1, 1000000);
            break;
        case 'b':
            n_sizes = arg_int_list("--bytes", optarg, 16, 65536, sizes, MAX_LIST);
            break;
        case 's':
            shutdown = arg_choice("--shutdown", optarg, shutdown_names);
            break;
        case 'w':
            wait = arg_choice("--wait", optarg, wait_names);
            break;
        case 'm':
            measure = true;
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
    if (!measure && (n_producers > 1 || n_sizes > 1))
        usage_error("--producers and --bytes take one value each, except with --measure");
    if (!measure && (placement_given || data_path || quick || repeat))
        usage_error("--placement, --repeat, --data and --quick go with --measure");
    if (n_producers == 0) {
        n_producers = measure ? 3 : 1;
        producers[0] = measure ? 1 : 3;
        producers[1] = 2;
        producers[2] = 4;
    }
    if (n_sizes == 0) {
        n_sizes = measure ? 3 : 1;
        sizes[0] = 64;
        sizes[1] = 1024;
        sizes[2] = 8192;
    }
    if (consumers == 0)
        consumers = measure ? 1 : 3;
    if (items == 0)
        items = measure && quick ? 5000 : 100000;
    if (repeat == 0)
        repeat = quick ? 3 : 5;
    if (!placement_given)
        placement[0] = placement[1] = true;
    if (placement[1] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        placement[1] = false;
    }

    if (!measure) {
        queue q;
        queue_init(&q, (size_t)capacity, (size_t)sizes[0], wait == 1);
        struct run r = { .q = &q, .items = items, .producers = (int)producers[0], .consumers = (int)consumers,
                         .pills = shutdown == 1, .cpu_producers = -1, .cpu_consumers = -1 };
        r.seen = calloc((size_t)(producers[0] * items), sizeof *r.seen);
        if (r.seen == NULL)
            die("calloc");
        double seconds = run_queue(&r);
        long long missing, duplicated;
        long long bad = check_run(&r, &missing, &duplicated);
        printf("%lld producers x %lld items, %lld consumers, capacity %lld, shutdown by %s, wait with %s\n",
               producers[0], items, consumers, capacity, shutdown_names[shutdown], wait_names[wait]);
        printf("received %lld of %lld: missing %lld, duplicated %lld, from nowhere %lld; "
               "woke to an empty queue %ld times; %.3f s\n", (long long)atomic_load(&r.received),
               producers[0] * items, missing, duplicated, (long long)atomic_load(&r.phantoms), q.stolen, seconds);
        printf("every item exactly once: %s\n", bad == 0 ? "yes" : "NO");
        free(r.seen);
        queue_destroy(&q);
        return EXIT_SUCCESS;
    }

    datafile *df = NULL;
    if (data_path) {
        df = datafile_create(data_path, argc, argv);
        datafile_comment(df, "items_per_producer: %lld", items);
        datafile_comment(df, "capacity: %lld", capacity);
        datafile_columns(df, "queue producers msg_bytes placement repeats median_msgs_per_s min_msgs_per_s "
                             "max_msgs_per_s median_mib_s");
    }
    printf("%lld items per producer, %lld consumer(s), capacity %lld, %lld repeats; every item checked\n",
           items, consumers, capacity, repeat);
    printf("%9s %9s %-10s %14s %12s %12s %10s\n", "producers", "msg_bytes", "placement", "median_msgs_s",
           "min", "max", "mib_s");
    progress bar;
    progress_start(&bar, "queue", (long)(2 * n_producers * n_sizes), force);
    for (int pl = 0; pl < 2; pl++)
        for (size_t pi = 0; pi < n_producers; pi++)
            for (size_t si = 0; si < n_sizes; si++) {
                if (!placement[pl])
                    continue;
                double rate[1000];
                for (long long k = 0; k < repeat; k++) {
                    queue q;
                    queue_init(&q, (size_t)capacity, (size_t)sizes[si], false);
                    struct run r = { .q = &q, .items = items, .producers = (int)producers[pi],
                                     .consumers = (int)consumers, .cpu_producers = 0,
                                     .cpu_consumers = pl == 0 ? 0 : 1 };
                    r.seen = calloc((size_t)(producers[pi] * items), sizeof *r.seen);
                    if (r.seen == NULL)
                        die("calloc");
                    double seconds = run_queue(&r);
                    long long missing, duplicated;
                    if (check_run(&r, &missing, &duplicated) != 0)
                        die_msg("items lost (%lld) or duplicated (%lld)", missing, duplicated);
                    rate[k] = (double)(producers[pi] * items) / seconds;
                    free(r.seen);
                    queue_destroy(&q);
                }
                summary s = summarize(rate, (size_t)repeat);
                double mib = s.median * (double)sizes[si] / (1 << 20);
                progress_clear(&bar);
                printf("%9lld %9lld %-10s %14.0f %12.0f %12.0f %10.1f\n", producers[pi], sizes[si],
                       placement_names[pl], s.median, s.min, s.max, mib);
                if (df)
                    datafile_row(df, "threads\t%lld\t%lld\t%s\t%lld\t%.0f\t%.0f\t%.0f\t%.1f", producers[pi],
                                 sizes[si], placement_names[pl], repeat, s.median, s.min, s.max, mib);
                progress_advance(&bar, 1);
            }
    progress_finish(&bar);
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}
