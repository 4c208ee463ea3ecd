/*
 * bounded_queue.c - a bounded blocking queue for threads: one mutex, two
 * condition variables ("not full", "not empty"), and a `while` around each
 * wait. Several producers and consumers; a clean shutdown; every item
 * checked to arrive exactly once.
 *
 *   build/chapter07/bounded_queue --producers 3 --consumers 3
 *   build/chapter07/bounded_queue --shutdown pills     # poison pills instead of close
 *   build/chapter07/bounded_queue --measure --quick    # throughput
 *
 * It prints the run (producers, items, consumers, slots, how it shut down),
 * then how many items arrived, how many were missing, duplicated or came
 * from nowhere, and whether every item arrived exactly once. What to
 * expect: yes, with any number of producers, consumers and slots, and
 * either way of shutting down.
 *
 * With --measure it reports throughput instead: items per second (median,
 * min and max over the repeats) for several item sizes, producer counts,
 * capacities, and placements on one core or two; and how often the threads
 * blocked (voluntary context switches) or were preempted (involuntary) per
 * item, from getrusage. With --capacity given it also reports how often a
 * thread found the queue full or empty and waited on its condition, as the
 * queue counts it: the blocks the queue asks for, where getrusage counts
 * those and the blocks on the mutex as well. Compare with mq_queue.c and
 * pipe_queue.c, the same measurement for queues between processes.
 *
 * Compare also with bounded_queue_if.c: this program with `if` in place of
 * `while` around the wait in queue_get, the classic bug. The chapter
 * teaches it as a variant of its own, so it is a file of its own rather
 * than a flag; it includes this file, with QUEUE_GET_WITH_IF defined, and
 * brings only its own queue_get, so that the producers, consumers,
 * shutdown and checks the two share are written once. The two ways of
 * shutting down stay a flag (--shutdown): both are right, and they are ten
 * lines side by side in one function (start_and_stop), which the chapter
 * shows whole.
 */
#define _GNU_SOURCE /* pthread_setaffinity via cpus.h */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "args.h"
#include "clock.h"
#include "cpus.h"
#include "error.h"
#include "locking.h"
#include "options.h"
#include "progress.h"
#include "report.h"

/* bounded_queue_if.c includes this file with QUEUE_GET_WITH_IF defined:
 * these lines and the #ifdef around queue_get are all that know it. */
#ifdef QUEUE_GET_WITH_IF
#define PROGRAM "bounded_queue_if"
#define WAITS_WITH "if"
#else
#define PROGRAM "bounded_queue"
#define WAITS_WITH "while"
#endif

#define MAX_LIST 16

struct config {
    long long producers[MAX_LIST], sizes[MAX_LIST], capacities[MAX_LIST]; /* one each, except
                                                                            with --measure */
    size_t n_producers, n_sizes, n_capacities;
    long long consumers, items;
    bool pills;        /* --shutdown pills; else the queue is closed */
    bool measure;
    bool by_capacity;  /* --measure --capacity LIST: the waits per item too */
    bool placement[2]; /* --measure: one-core, two-cores */
    run_options run;
};

// snippet-begin: queue
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    unsigned char *slots;      /* capacity items of item_bytes each */
    size_t capacity, item_bytes, head, count;
    bool closed;
    long stolen;               /* woke to an empty queue and took an item anyway:
                                  never with `while` (see bounded_queue_if.c) */
    long waits;                /* times a thread found it full or empty and waited */
} queue;

/* Block while the queue is full; false if it has been closed. */
static bool queue_put(queue *q, const void *item)
{
    lock(&q->lock);
    while (q->count == q->capacity && !q->closed) {
        q->waits++;
        wait_on(&q->not_full, &q->lock);
    }
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
// snippet-end: queue

#ifdef QUEUE_GET_WITH_IF
static bool queue_get(queue *q, void *item); /* bounded_queue_if.c's, with `if` */
#else
// snippet-begin: queue-get
/* Block while the queue is empty; false once it is closed and empty. */
static bool queue_get(queue *q, void *item)
{
    lock(&q->lock);
    while (q->count == 0 && !q->closed) {   /* looks again on waking */
        q->waits++;
        wait_on(&q->not_empty, &q->lock);
    }
    if (q->count == 0) {                    /* closed, and nothing left */
        unlock(&q->lock);
        return false;
    }
    memcpy(item, q->slots + q->head * q->item_bytes, q->item_bytes);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    signal_one(&q->not_full);
    unlock(&q->lock);
    return true;
}
// snippet-end: queue-get
#endif

// snippet-begin: queue-close
/* No more puts; consumers drain what is left, then get false. */
static void queue_close(queue *q)
{
    lock(&q->lock);
    q->closed = true;
    signal_all(&q->not_empty);
    signal_all(&q->not_full);
    unlock(&q->lock);
}
// snippet-end: queue-close

/* One run of producers and consumers over a queue. */
struct run {
    queue *q;
    long long items;       /* per producer */
    int producers, consumers;
    bool pills;
    bool pinned;           /* producers on core 0, consumers on consumer_cpu */
    int consumer_cpu;
    atomic_uchar *seen;    /* seen[p * items + seq]: times received */
    atomic_llong received, phantoms;
};

/* What a run delivered. */
struct tally {
    long long received, missing, duplicated, phantoms;
    long stolen, waits;
    double seconds;
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

static struct tally run_once(struct run r, long long capacity, size_t item_bytes);

/* One run, unpinned: did every item arrive exactly once? */
static void demonstrate(const struct config *cfg)
{
    long long producers = cfg->producers[0], sent = producers * cfg->items;
    struct tally t = run_once((struct run){ .items = cfg->items, .producers = (int)producers,
                                            .consumers = (int)cfg->consumers, .pills = cfg->pills },
                              cfg->capacities[0], (size_t)cfg->sizes[0]);
    printf("%lld producers x %lld items, %lld consumers, capacity %lld, shutdown by %s, wait with %s\n",
           producers, cfg->items, cfg->consumers, cfg->capacities[0], cfg->pills ? "pills" : "close",
           WAITS_WITH);
    printf("received %lld of %lld: missing %lld, duplicated %lld, from nowhere %lld; "
           "woke to an empty queue %ld times; %.3f s\n",
           t.received, sent, t.missing, t.duplicated, t.phantoms, t.stolen, t.seconds);
    printf("every item exactly once: %s\n", t.missing + t.duplicated + t.phantoms == 0 ? "yes" : "NO");
}

static void queue_init(queue *q, size_t capacity, size_t item_bytes);
static void queue_destroy(queue *q);
static void start_and_stop(struct run *r);
static void count_arrivals(struct run *r, struct tally *t);

/* Producers and consumers over a new queue, to the end; what arrived. */
static struct tally run_once(struct run r, long long capacity, size_t item_bytes)
{
    queue q;
    queue_init(&q, (size_t)capacity, item_bytes);
    r.q = &q;
    r.seen = calloc((size_t)r.producers * (size_t)r.items, sizeof *r.seen);
    if (r.seen == NULL)
        die("calloc");
    int64_t start = now_ns();
    start_and_stop(&r);
    struct tally t = { .seconds = (double)(now_ns() - start) / NS_PER_S, .stolen = q.stolen,
                       .waits = q.waits };
    count_arrivals(&r, &t);
    free(r.seen);
    queue_destroy(&q);
    return t;
}

static void queue_init(queue *q, size_t capacity, size_t item_bytes)
{
    *q = (queue){ .capacity = capacity, .item_bytes = item_bytes };
    int rc;
    if ((rc = pthread_mutex_init(&q->lock, NULL)) != 0)
        die_rc(rc, "pthread_mutex_init");
    if ((rc = pthread_cond_init(&q->not_full, NULL)) != 0)
        die_rc(rc, "pthread_cond_init not_full");
    if ((rc = pthread_cond_init(&q->not_empty, NULL)) != 0)
        die_rc(rc, "pthread_cond_init not_empty");
    q->slots = calloc(capacity, item_bytes);
    if (q->slots == NULL)
        die("calloc");
}

static void queue_destroy(queue *q)
{
    int rc;
    if ((rc = pthread_cond_destroy(&q->not_full)) != 0)
        die_rc(rc, "pthread_cond_destroy not_full");
    if ((rc = pthread_cond_destroy(&q->not_empty)) != 0)
        die_rc(rc, "pthread_cond_destroy not_empty");
    if ((rc = pthread_mutex_destroy(&q->lock)) != 0)
        die_rc(rc, "pthread_mutex_destroy");
    free(q->slots);
}

/* An item: who made it and which, then filler; a pill has producer -1. */
struct item_header {
    int32_t producer;
    int32_t unused;
    int64_t seq;
};

struct worker {
    struct run *run;
    int id;
};

static void *producer(void *arg);
static void *consumer(void *arg);

/* Start the consumers and the producers; when the producers are done, shut
 * the queue down and wait for the consumers. */
static void start_and_stop(struct run *r)
{
    pthread_t ids[128];
    struct worker ws[128];
    int n = 0;
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
}

static void *producer(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    if (r->pinned)
        pin_to_cpu(0);
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
    if (r->pinned)
        pin_to_cpu(r->consumer_cpu);
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

/* Every item exactly once? Counts what was missing or came twice. */
static void count_arrivals(struct run *r, struct tally *t)
{
    t->received = atomic_load(&r->received);
    t->phantoms = atomic_load(&r->phantoms);
    for (long long k = 0; k < (long long)r->producers * r->items; k++) {
        unsigned char times = atomic_load(&r->seen[k]);
        t->missing += times == 0;
        t->duplicated += times > 1 ? times - 1 : 0;
    }
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
    { .name = "median_waits_per_msg", .kind = COL_REAL, .decimals = 3 }, /* by capacity only */
    { 0 },
};
#define N_COLUMNS (sizeof columns / sizeof columns[0] - 1)

/* Context switches of this process so far, all its threads together. */
struct switches {
    long voluntary;   /* a thread blocked: waited on a lock or a condition */
    long involuntary; /* a thread was preempted: another one was given its core */
};

static struct switches switches_now(void)
{
    struct rusage self;
    if (getrusage(RUSAGE_SELF, &self) == -1)
        die("getrusage");
    return (struct switches){ self.ru_nvcsw, self.ru_nivcsw };
}

/* Every placement, producer count, item size and capacity, each point
 * repeated: one row each, on stdout and in the data file. */
static void measure(const struct config *cfg, int argc, char *argv[])
{
    /* The throughput table has the columns mq_queue's and pipe_queue's have,
     * to be merged with theirs; the table by capacity adds the queue's own
     * count of its waits, which those two, blocking in the kernel, cannot. */
    column cols[N_COLUMNS + 1];
    memcpy(cols, columns, sizeof cols);
    if (!cfg->by_capacity)
        cols[N_COLUMNS - 1] = (column){ 0 };
    report *out = report_create(cols, &cfg->run, argc, argv);
    report_comment(out, "items_per_producer: %lld", cfg->items);
    printf("%lld items per producer, %lld consumer(s), %ld repeats; every item checked\n",
           cfg->items, cfg->consumers, cfg->run.repeat);
    progress bar;
    long points = (cfg->placement[0] + cfg->placement[1]) *
                  (long)(cfg->n_producers * cfg->n_sizes * cfg->n_capacities);
    progress_start(&bar, "queue", points, cfg->run.force_progress);
    report_progress(out, &bar);
    double *rate = samples_alloc(cfg->run.repeat), *vcsw = samples_alloc(cfg->run.repeat),
           *ivcsw = samples_alloc(cfg->run.repeat), *us = samples_alloc(cfg->run.repeat),
           *waits = samples_alloc(cfg->run.repeat);
    for (int pl = 0; pl < 2; pl++)
        for (size_t pi = 0; pi < cfg->n_producers && cfg->placement[pl]; pi++)
            for (size_t si = 0; si < cfg->n_sizes; si++)
                for (size_t ci = 0; ci < cfg->n_capacities; ci++) {
                    long long producers = cfg->producers[pi], bytes = cfg->sizes[si];
                    long long capacity = cfg->capacities[ci], items = producers * cfg->items;
                    for (long k = 0; k < cfg->run.repeat; k++) {
                        struct switches before = switches_now();
                        struct tally t = run_once((struct run){ .items = cfg->items, .producers = (int)producers,
                                                                .consumers = (int)cfg->consumers,
                                                                .pinned = true, .consumer_cpu = pl },
                                                  capacity, (size_t)bytes);
                        struct switches after = switches_now();
                        if (t.missing + t.duplicated + t.phantoms != 0)
                            die_msg("items lost (%lld) or duplicated (%lld)", t.missing, t.duplicated);
                        rate[k] = (double)items / t.seconds;
                        vcsw[k] = (double)(after.voluntary - before.voluntary) / (double)items;
                        ivcsw[k] = (double)(after.involuntary - before.involuntary) / (double)items;
                        waits[k] = (double)t.waits / (double)items;
                    }
                    report_text(out, "threads");
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
                    if (cfg->by_capacity)
                        report_real(out, summarize(waits, (size_t)cfg->run.repeat).median);
                    progress_advance(&bar, 1);
                }
    progress_finish(&bar);
    report_finish(out);
    free(rate);
    free(vcsw);
    free(ivcsw);
    free(us);
    free(waits);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    PROGRAM " [--producers LIST] [--consumers N] [--items N] [--capacity LIST] [--bytes LIST]\n"
    "                     [--shutdown close|pills] [--measure] [--placement LIST]\n"
    "                     [--repeat N] [--data FILE] [--quick] [--progress]";
static const char help_text[] =
    "Runs producers and consumers over a bounded blocking queue whose consumers\n"
    "wait with `" WAITS_WITH "`, and checks that every item arrives exactly once;\n"
    "with --measure, reports its throughput.\n"
    "\n"
    "  --producers LIST  producer threads (1 to 64; default 3; --measure: 1,2,4)\n"
    "  --consumers N     consumer threads (1 to 64; default 3; --measure: 1)\n"
    "  --items N         items per producer (1 to 10^8; default 100000)\n"
    "  --capacity LIST   slots in the queue (1 to 10^6; default 64; given to --measure,\n"
    "                    it adds median_waits_per_msg: the waits the queue counted)\n"
    "  --bytes LIST      item sizes in bytes (16 to 65536; default 64;\n"
    "                    --measure: 64,1024,8192)\n"
    "  --shutdown HOW    close (default: the queue is closed when the producers are\n"
    "                    done) or pills (one poison pill per consumer)\n"
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
        { "consumers", required_argument, NULL, 'c' },
        { "items", required_argument, NULL, 'n' },
        { "capacity", required_argument, NULL, 'k' },
        { "bytes", required_argument, NULL, 'b' },
        { "shutdown", required_argument, NULL, 's' },
        { "measure", no_argument, NULL, 'm' },
        { "placement", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const shutdown_names[] = { "close", "pills", NULL };
    bool quick = options_quick(argc, argv, options);
    bool measure = options_given(argc, argv, options, 'm');
    bool repeat_given = options_given(argc, argv, options, OPT_REPEAT);
    *cfg = (struct config){
        .producers = { measure ? 1 : 3, 2, 4 },
        .n_producers = measure ? 3 : 1,
        .sizes = { 64, 1024, 8192 },
        .n_sizes = measure ? 3 : 1,
        .consumers = measure ? 1 : 3,
        .items = measure && quick ? 5000 : 100000,
        .capacities = { 64 },
        .n_capacities = 1,
        .measure = measure,
        .by_capacity = measure && options_given(argc, argv, options, 'k'),
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
        case 'c':
            cfg->consumers = arg_int("--consumers", optarg, 1, 64);
            break;
        case 'n':
            cfg->items = arg_int("--items", optarg, 1, 100000000);
            break;
        case 'k':
            cfg->n_capacities = arg_int_list("--capacity", optarg, 1, 1000000, cfg->capacities, MAX_LIST);
            break;
        case 'b':
            cfg->n_sizes = arg_int_list("--bytes", optarg, 16, 65536, cfg->sizes, MAX_LIST);
            break;
        case 's':
            cfg->pills = arg_choice("--shutdown", optarg, shutdown_names) == 1;
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

    if (!measure && (cfg->n_producers > 1 || cfg->n_sizes > 1 || cfg->n_capacities > 1))
        usage_error("--producers, --bytes and --capacity take one value each, except with --measure");
    if (!measure && (placement_given || cfg->run.data_path || cfg->run.quick || repeat_given))
        usage_error("--placement, --repeat, --data and --quick go with --measure");
    if (cfg->placement[1] && cpus_allowed() < 2) {
        if (placement_given)
            usage_error("--placement two-cores: only one core is available");
        cfg->placement[1] = false;
    }
}
