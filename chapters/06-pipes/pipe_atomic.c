/*
 * pipe_atomic.c - several processes write records into one pipe: are the
 * records still whole when they come out?
 *
 * POSIX promises that a write of at most PIPE_BUF bytes (4096 on Linux) to a
 * pipe is atomic: its bytes come out together, never mixed with another
 * writer's. A larger write may be split, and the pieces of several writers
 * interleaved. Each record here says who wrote it and which it is, and every
 * byte of it is a function of those two, so the reader can tell a whole
 * record from a torn one:
 *
 *   build/chapter06/pipe_atomic --record 4096       # never torn
 *   build/chapter06/pipe_atomic --record 65536      # torn when writers collide
 *   build/chapter06/pipe_atomic --record 8192 --force-tear
 *
 * For each record size it prints what was sent and what the reader found in
 * the blocks it read: intact, torn, duplicated, missing (with --data, the
 * same counts as one TSV row per size). Expect no tear up to PIPE_BUF,
 * whatever the timing; above it, tears when writers collide. Compare with
 * chapter 7's pipe_queue, which takes a lock for messages above PIPE_BUF.
 *
 * --force-tear makes a tear happen for certain: writer 0 writes the first half
 * of its record, writer 1 then writes a whole record, writer 0 the second
 * half (they take turns through two more pipes) — what the kernel may do to
 * a large write on its own. With exactly 2 writers and records up to
 * PIPE_BUF that spoils exactly two blocks; with more writers, or larger
 * records, other tears may happen too. It stays a flag: the same experiment
 * and the same reader, with one record written in two calls.
 *
 * An experiment is counted once, not repeated and summarized, and its result
 * is a sentence (the chapter and the tests read it): so no report.h table;
 * report_outcome() prints the sentence and writes the TSV row (datafile.h)
 * from the same counts.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "datafile.h"
#include "error.h"
#include "io.h"
#include "options.h"
#include "random.h"

#define HEADER 16 /* writer (8 bytes), sequence number (8 bytes) */
#define MAX_WRITERS 64
#define MAX_SIZES 16

struct config {
    long long writers, records;
    long long sizes[MAX_SIZES]; /* record sizes, one experiment each */
    size_t n_sizes;
    bool tear;                  /* --force-tear */
    run_options run;            /* --data */
};

/* What the reader found in one experiment. */
struct outcome {
    long long blocks, intact, torn, duplicated;
};

// snippet-begin: record
/* Record `seq` of `writer`: a header, then bytes that depend on both. */
static void make_record(unsigned char *r, size_t size, uint64_t writer, uint64_t seq)
{
    memcpy(r, &writer, 8);
    memcpy(r + 8, &seq, 8);
    uint64_t key = hash64(writer * 1000003 + seq);
    for (size_t i = HEADER; i < size; i++)
        r[i] = (unsigned char)(key >> (i % 8 * 8)) ^ (unsigned char)i;
}

/* Whole if the header is plausible and every byte is what it says. */
static bool whole(const unsigned char *r, size_t size, uint64_t writers, uint64_t records,
                  unsigned char *expected, uint64_t *writer, uint64_t *seq)
{
    memcpy(writer, r, 8);
    memcpy(seq, r + 8, 8);
    if (*writer >= writers || *seq >= records)
        return false;
    make_record(expected, size, *writer, *seq);
    return memcmp(r, expected, size) == 0;
}
// snippet-end: record

// snippet-begin: writer
/* A writer: each record in one write() call (which may still be split). */
static void writer(int fd, uint64_t me, uint64_t records, size_t size, int turns[2][2], bool tear)
{
    unsigned char *r = malloc(size);
    if (r == NULL)
        die("malloc");
    for (uint64_t seq = 0; seq < records; seq++) {
        make_record(r, size, me, seq);
        if (tear && seq == 0 && me == 0) {        /* half, the other's whole, half */
            char token = 't';
            write_all(fd, r, size / 2);
            write_all(turns[0][1], &token, 1);   /* your turn */
            if (read(turns[1][0], &token, 1) != 1)
                die("writer 0: turn");
            write_all(fd, r + size / 2, size - size / 2);
            write_all(turns[0][1], &token, 1);   /* done */
        } else if (tear && seq == 0 && me == 1) {
            char token;
            if (read(turns[0][0], &token, 1) != 1)
                die("writer 1: turn");
            write_all(fd, r, size);
            write_all(turns[1][1], &token, 1);
            if (read(turns[0][0], &token, 1) != 1)                  /* wait for the */
                die("writer 1: turn");                              /* second half */
        } else {
            write_all(fd, r, size);
        }
    }
    free(r);
}
// snippet-end: writer

static void parse_args(int argc, char *argv[], struct config *cfg);
static struct outcome run(const struct config *cfg, long long size);
static void report_outcome(const struct config *cfg, long long size, const struct outcome *o,
                           datafile *df);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);

    datafile *df = NULL;
    if (cfg.run.data_path) {
        df = datafile_create(cfg.run.data_path, argc, argv);
        datafile_comment(df, "pipe_buf: %d", PIPE_BUF);
        datafile_columns(df, "record_bytes writers records sent blocks intact torn duplicated missing");
    }
    for (size_t i = 0; i < cfg.n_sizes; i++) {
        struct outcome o = run(&cfg, cfg.sizes[i]);
        report_outcome(&cfg, cfg.sizes[i], &o, df);
    }
    if (df)
        datafile_commit(df);
    return EXIT_SUCCESS;
}

static struct outcome read_records(int fd, const struct config *cfg, long long size);

/* One experiment: the writer processes, `cfg->records` records of `size`
 * bytes each, and the reader (this process) checking every block. */
static struct outcome run(const struct config *cfg, long long size)
{
    int fds[2], turns[2][2];
    if (pipe(fds) == -1 || pipe(turns[0]) == -1 || pipe(turns[1]) == -1)
        die("pipe");
    pid_t pids[MAX_WRITERS];
    int slots[MAX_WRITERS];
    fflush(stdout);
    for (int w = 0; w < cfg->writers; w++) {
        pids[w] = cleanup_fork(&slots[w]); /* killed and reaped if we are stopped */
        if (pids[w] == 0) {
            close(fds[0]);
            writer(fds[1], (uint64_t)w, (uint64_t)cfg->records, (size_t)size, turns, cfg->tear);
            _exit(EXIT_SUCCESS);
        }
    }
    close(fds[1]); /* only the writers hold write ends now: EOF when all are done */
    for (int i = 0; i < 2; i++) {
        close(turns[i][0]);
        close(turns[i][1]);
    }
    struct outcome o = read_records(fds[0], cfg, size);
    for (int w = 0; w < cfg->writers; w++) {
        int status;
        if (waitpid(pids[w], &status, 0) == -1)
            die("waitpid");
        cleanup_forget(slots[w]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die_msg("writer %d failed (status 0x%x)", w, (unsigned)status);
    }
    close(fds[0]);
    return o;
}

/* Read record-sized blocks until end-of-file, and sort each: whole, torn
 * or seen before. */
static struct outcome read_records(int fd, const struct config *cfg, long long size)
{
    uint64_t writers = (uint64_t)cfg->writers, records = (uint64_t)cfg->records;
    // snippet-begin: reader
    unsigned char *r = malloc((size_t)size), *expected = malloc((size_t)size);
    unsigned char *seen = calloc(writers * records, 1);
    if (r == NULL || expected == NULL || seen == NULL)
        die("malloc");
    struct outcome o = { 0 };
    while (read_all(fd, r, (size_t)size) == (size_t)size) {   /* one record's worth of bytes */
        uint64_t who, seq;
        o.blocks++;
        if (!whole(r, (size_t)size, writers, records, expected, &who, &seq))
            o.torn++;                             /* bytes of two records or more */
        else if (seen[who * records + seq]++)
            o.duplicated++;
        else
            o.intact++;
    }
    // snippet-end: reader
    free(r);
    free(expected);
    free(seen);
    return o;
}

/* The experiment's counts, as a sentence and, with --data, as a TSV row. */
static void report_outcome(const struct config *cfg, long long size, const struct outcome *o,
                           datafile *df)
{
    long long sent = cfg->writers * cfg->records;
    printf("%lld writers x %lld records of %lld bytes (PIPE_BUF is %d)%s\n", cfg->writers,
           cfg->records, size, PIPE_BUF, cfg->tear ? ", one tear forced" : "");
    printf("sent %lld, read %lld blocks: intact %lld, torn %lld, duplicated %lld, missing %lld\n",
           sent, o->blocks, o->intact, o->torn, o->duplicated, sent - o->intact);
    if (df)
        datafile_row(df, "%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld", size, cfg->writers,
                     cfg->records, sent, o->blocks, o->intact, o->torn, o->duplicated,
                     sent - o->intact);
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "pipe_atomic [--writers N] [--record LIST] [--records N] [--force-tear] [--data FILE]";
static const char help_text[] =
    "Has N processes write fixed-size records into one pipe and checks every\n"
    "record that comes out: whole, or torn (mixed with another writer's bytes).\n"
    "\n"
    "  --writers N      writer processes (1 to 64; default 4)\n"
    "  --record LIST    record sizes in bytes, one experiment each (16 to 1048576;\n"
    "                   default 4096 = PIPE_BUF)\n"
    "  --records N      records per writer (1 to 10^6; default 2000)\n"
    "  --force-tear     make one tear happen for certain (needs 2 writers or more)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "writers", required_argument, NULL, 'w' },
        { "record", required_argument, NULL, 's' },
        { "records", required_argument, NULL, 'n' },
        { "force-tear", no_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .writers = 4, .records = 2000, .sizes = { PIPE_BUF }, .n_sizes = 1 };
    cfg->run.takes = TAKES_DATA;
    for (int c; (c = options_next(argc, argv, options, &cfg->run)) != -1;) {
        switch (c) {
        case 'w':
            cfg->writers = arg_int("--writers", optarg, 1, MAX_WRITERS);
            break;
        case 's':
            cfg->n_sizes = arg_int_list("--record", optarg, 16, 1 << 20, cfg->sizes, MAX_SIZES);
            break;
        case 'n':
            cfg->records = arg_int("--records", optarg, 1, 1000000);
            break;
        case 'f':
            cfg->tear = true;
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (cfg->tear && cfg->writers < 2)
        usage_error("--force-tear needs --writers 2 or more");
}
