/*
 * lost_updates.c - several threads (or processes) add 1 to one counter.
 * counter++ is three steps — read, add, write — and another worker's steps
 * can fall in between: its update is then overwritten, lost.
 *
 *   build/chapter09/lost_updates                        # free-running: some lost
 *   build/chapter09/lost_updates --mode forced          # a schedule that loses 5, always
 *   build/chapter09/lost_updates --fix mutex            # each fix: the exact total
 *   build/chapter09/lost_updates --kind processes --fix semaphore
 *
 * It prints the total expected, the total got and how many updates were
 * lost (and, free-running, the time per increment); the forced schedule
 * also prints each read and write of A and B as it happens.
 *
 * Fixes for threads: mutex, spin (a spinlock), atomic (C11 atomic_fetch_add),
 * local (each thread counts alone; the counts are added at the end). For
 * processes, the counter lives in shared memory (chapter 8) and so must the
 * lock: mutex (a pthread mutex marked PTHREAD_PROCESS_SHARED, in the shared
 * page), semaphore (a POSIX named semaphore), atomic.
 *
 * The fixes stay one flag (--fix), not one file each: they differ in the
 * one line around counter++, and the chapter shows them side by side in
 * one function so that this line is what the reader compares; run.sh and
 * the tests then run the same program once per fix, and under
 * ThreadSanitizer (make tsan) the unfixed run must be reported as a data
 * race and every fixed one must run clean — one program, one report to
 * read. lock_cost.c times the thread fixes side by side in one run.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "io.h"
#include "locking.h"
#include "options.h"

enum kind { THREADS, PROCESSES };
static const char *const kind_names[] = { "threads", "processes", NULL };
enum mode { FREE, FORCED };
static const char *const mode_names[] = { "free", "forced", NULL };
enum fix { NONE, MUTEX, SPIN, ATOMIC, LOCAL, SEMAPHORE };
static const char *const fix_names[] = { "none", "mutex", "spin", "atomic", "local", "semaphore", NULL };

#define MAX_WORKERS 64

/* Everything the workers share: in a MAP_SHARED page, so that processes
 * share it as threads do. */
struct shared {
    volatile long counter;      /* the racy one */
    atomic_long atomic_counter;
    pthread_mutex_t mutex;      /* PTHREAD_PROCESS_SHARED */
    pthread_spinlock_t spin;
    long local_sums[MAX_WORKERS];
};

struct config {
    enum kind kind;
    enum mode mode;
    enum fix fix;
    int workers;
    long long increments, steal;
    struct shared *s;
    sem_t *sem;                 /* --fix semaphore */
    char sem_name[64];
    int sem_slot;
};


// snippet-begin: increment
/* Worker `me`: add 1, `n` times, with the chosen fix. */
static void work(const struct config *c, int me, long long n)
{
    struct shared *s = c->s;
    long mine = 0;
    for (long long i = 0; i < n; i++) {
        switch (c->fix) {
        case NONE:
            s->counter++;                         /* read, add, write: racy */
            break;
        case MUTEX:
            lock(&s->mutex);
            s->counter++;
            unlock(&s->mutex);
            break;
        case SPIN:
            spin_lock(&s->spin);
            s->counter++;
            spin_unlock(&s->spin);
            break;
        case ATOMIC:
            atomic_fetch_add(&s->atomic_counter, 1);  /* one indivisible step */
            break;
        case LOCAL:
            mine++;                               /* nobody else's: no race */
            break;
        case SEMAPHORE:
            while (sem_wait(c->sem) == -1)
                if (errno != EINTR)
                    die("sem_wait");
            s->counter++;
            if (sem_post(c->sem) == -1)
                die("sem_post");
            break;
        }
    }
    s->local_sums[me] = mine;                     /* added up after the join */
}
// snippet-end: increment

// snippet-begin: forced
/* The forced schedule, worker A's side: read the counter, let B run its
 * whole `steal` increments, then write what A read plus one. */
static void forced_a(const struct config *c, int go, int done)
{
    struct shared *s = c->s;
    char token = 'x';
    if (c->fix == MUTEX)
        lock(&s->mutex);
    long seen = s->counter;                       /* read */
    printf("A: reads %ld\n", seen);
    fflush(stdout);
    write_all(go, &token, 1);                     /* B, your turn */
    if (c->fix == MUTEX) {                        /* B will block on the lock: */
        sleep_ns(100 * NS_PER_MS);                /* give it the time */
    } else if (read_all(done, &token, 1) != 1) {  /* wait until B is done */
        die_msg("A: B did not answer");
    }
    s->counter = seen + 1;                        /* add, write: B's updates gone */
    printf("A: writes %ld + 1 = %ld\n", seen, seen + 1);
    fflush(stdout);
    if (c->fix == MUTEX)
        unlock(&s->mutex);
}

static void forced_b(const struct config *c, int go, int done)
{
    struct shared *s = c->s;
    char token;
    if (read_all(go, &token, 1) != 1)
        die_msg("B: A did not start");
    for (long long i = 0; i < c->steal; i++) {
        if (c->fix == MUTEX)
            lock(&s->mutex);                      /* waits until A has written */
        long before = s->counter;
        s->counter = before + 1;
        printf("B: %ld -> %ld\n", before, before + 1);
        fflush(stdout);
        if (c->fix == MUTEX)
            unlock(&s->mutex);
    }
    write_all(done, &token, 1);
}
// snippet-end: forced

static void parse_args(int argc, char *argv[], struct config *cfg);
static struct shared *map_shared(void);
static void open_semaphore(struct config *c);
static void run_forced(const struct config *c);
static void run_free(const struct config *c);
static long total(const struct config *c);
static void close_semaphore(struct config *c);
static void unmap_shared(struct shared *s);

int main(int argc, char *argv[])
{
    struct config c;
    parse_args(argc, argv, &c);
    c.s = map_shared();
    if (c.fix == SEMAPHORE)
        open_semaphore(&c);

    if (c.mode == FORCED) {
        printf("forced schedule, %s, fix %s: A reads, B adds %lld times, A writes\n",
               kind_names[c.kind], fix_names[c.fix], c.steal);
        run_forced(&c);
        long expected = 1 + (long)c.steal, got = c.s->counter;
        printf("expected %ld, got %ld: %ld updates lost\n", expected, got, expected - got);
    } else {
        int64_t start = now_ns();
        run_free(&c);
        double ns = (double)(now_ns() - start);
        long expected = (long)c.workers * (long)c.increments, got = total(&c);
        printf("%d %s x %lld increments, fix %s: expected %ld, got %ld: %ld updates lost (%.1f%%); "
               "%.1f ns per increment\n", c.workers, kind_names[c.kind], c.increments,
               fix_names[c.fix], expected, got, expected - got, 100.0 * (double)(expected - got) / (double)expected,
               ns / (double)expected);
    }

    if (c.sem != NULL)
        close_semaphore(&c);
    unmap_shared(c.s);
    return EXIT_SUCCESS;
}

// snippet-begin: shared-page
/* The counter and its locks in one MAP_SHARED page: forked workers share
 * it as threads do, and the locks are marked for use between processes. */
static struct shared *map_shared(void)
{
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        die("mmap");
    pthread_mutexattr_t attr;                     /* a lock other processes can use */
    int rc = pthread_mutexattr_init(&attr);
    if (rc != 0)
        die_rc(rc, "pthread_mutexattr_init");
    if ((rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) != 0)
        die_rc(rc, "pthread_mutexattr_setpshared");
    if ((rc = pthread_mutex_init(&s->mutex, &attr)) != 0)
        die_rc(rc, "pthread_mutex_init (process-shared)");
    if ((rc = pthread_mutexattr_destroy(&attr)) != 0)
        die_rc(rc, "pthread_mutexattr_destroy");
    if ((rc = pthread_spin_init(&s->spin, PTHREAD_PROCESS_SHARED)) != 0)
        die_rc(rc, "pthread_spin_init");
    atomic_init(&s->atomic_counter, 0);
    return s;
}
// snippet-end: shared-page

/* A named semaphore, unlinked however the program ends (cleanup.h). */
static void open_semaphore(struct config *c)
{
    snprintf(c->sem_name, sizeof c->sem_name, "/workbook-counter-%d", (int)getpid());
    c->sem = sem_open(c->sem_name, O_CREAT | O_EXCL, 0600, 1);
    if (c->sem == SEM_FAILED)
        die("sem_open %s", c->sem_name);
    c->sem_slot = cleanup_add_sem(c->sem_name);
}

struct forced_arg {
    const struct config *c;
    int go, done;
};

static void *forced_b_thread(void *arg)
{
    struct forced_arg *a = arg;
    forced_b(a->c, a->go, a->done);
    return NULL;
}

static void wait_worker(pid_t pid, int slot, const char *name);

/* A and B, two threads or two processes, talking through two pipes. */
static void run_forced(const struct config *c)
{
    int go[2], done[2];
    if (pipe(go) == -1 || pipe(done) == -1)
        die("pipe");
    if (c->kind == THREADS) {
        pthread_t b;
        struct forced_arg arg = { c, go[0], done[1] };
        int rc = pthread_create(&b, NULL, forced_b_thread, &arg);
        if (rc != 0)
            die_rc(rc, "pthread_create B");
        forced_a(c, go[1], done[0]);
        join_all(&b, 1);
    } else {
        fflush(stdout);
        int slot;
        pid_t pid = cleanup_fork(&slot); /* killed and reaped if we are stopped */
        if (pid == 0) {
            forced_b(c, go[0], done[1]);
            _exit(EXIT_SUCCESS);
        }
        forced_a(c, go[1], done[0]);
        wait_worker(pid, slot, "B");
    }
    for (int i = 0; i < 2; i++)
        if (close(go[i]) == -1 || close(done[i]) == -1)
            die("close");
}

struct thread_arg {
    const struct config *c;
    int me;
};

static void *thread_main(void *arg)
{
    struct thread_arg *a = arg;
    work(a->c, a->me, a->c->increments);
    return NULL;
}

/* Run every worker, threads or processes, to the end. */
static void run_free(const struct config *c)
{
    if (c->kind == THREADS) {
        pthread_t ids[MAX_WORKERS];
        struct thread_arg args[MAX_WORKERS];
        for (int i = 0; i < c->workers; i++) {
            args[i] = (struct thread_arg){ c, i };
            int rc = pthread_create(&ids[i], NULL, thread_main, &args[i]);
            if (rc != 0)
                die_rc(rc, "pthread_create %d", i);
        }
        join_all(ids, c->workers);
        return;
    }
    pid_t pids[MAX_WORKERS];
    int slots[MAX_WORKERS];
    fflush(stdout);
    for (int i = 0; i < c->workers; i++) {
        pids[i] = cleanup_fork(&slots[i]); /* killed and reaped if we are stopped */
        if (pids[i] == 0) {
            work(c, i, c->increments);
            _exit(EXIT_SUCCESS);
        }
    }
    for (int i = 0; i < c->workers; i++) {
        char name[32];
        snprintf(name, sizeof name, "%d", i);
        wait_worker(pids[i], slots[i], name);
    }
}

/* Reap worker `name`; it must have ended well. */
static void wait_worker(pid_t pid, int slot, const char *name)
{
    int status;
    if (waitpid(pid, &status, 0) == -1)
        die("waitpid worker %s", name);
    cleanup_forget(slot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("worker %s failed", name);
}

/* The count, wherever the fix kept it. */
static long total(const struct config *c)
{
    if (c->fix == ATOMIC)
        return atomic_load(&c->s->atomic_counter);
    if (c->fix == LOCAL) {
        long sum = 0;
        for (int i = 0; i < c->workers; i++)
            sum += c->s->local_sums[i];
        return sum;
    }
    return c->s->counter;
}

static void close_semaphore(struct config *c)
{
    if (sem_close(c->sem) == -1)
        die("sem_close");
    if (sem_unlink(c->sem_name) == -1)
        die("sem_unlink %s", c->sem_name);
    cleanup_forget(c->sem_slot);
    c->sem = NULL;
}

static void unmap_shared(struct shared *s)
{
    int rc;
    if ((rc = pthread_mutex_destroy(&s->mutex)) != 0)
        die_rc(rc, "pthread_mutex_destroy");
    if ((rc = pthread_spin_destroy(&s->spin)) != 0)
        die_rc(rc, "pthread_spin_destroy");
    if (munmap(s, sizeof *s) == -1)
        die("munmap");
}

/* ---- arguments ------------------------------------------------------------------ */

static const char usage_line[] =
    "lost_updates [--kind threads|processes] [--workers N] [--increments N] [--mode free|forced]\n"
    "                    [--fix none|mutex|spin|atomic|local|semaphore] [--steal N]";
static const char help_text[] =
    "Workers add 1 to a shared counter; without a fix some updates are lost.\n"
    "\n"
    "  --kind KIND       threads (default) or processes (the counter in shared memory)\n"
    "  --workers N       workers (2 to 64; default 2)\n"
    "  --increments N    increments per worker (1 to 10^9; default 5000000)\n"
    "  --mode MODE       free (default): run and count the losses; forced: a schedule\n"
    "                    that loses exactly --steal updates (2 workers, --fix none or mutex)\n"
    "  --fix FIX         none (default), mutex, atomic; threads also spin, local;\n"
    "                    processes also semaphore\n"
    "  --steal N         forced: updates worker B makes while A holds a stale value\n"
    "                    (1 to 1000; default 5)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "kind", required_argument, NULL, 'k' },
        { "workers", required_argument, NULL, 'w' },
        { "increments", required_argument, NULL, 'n' },
        { "mode", required_argument, NULL, 'm' },
        { "fix", required_argument, NULL, 'f' },
        { "steal", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .kind = THREADS, .mode = FREE, .fix = NONE, .workers = 2,
                            .increments = 5000000, .steal = 5, .sem_slot = -1 };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'k':
            cfg->kind = (enum kind)arg_choice("--kind", optarg, kind_names);
            break;
        case 'w':
            cfg->workers = (int)arg_int("--workers", optarg, 2, MAX_WORKERS);
            break;
        case 'n':
            cfg->increments = arg_int("--increments", optarg, 1, 1000000000);
            break;
        case 'm':
            cfg->mode = (enum mode)arg_choice("--mode", optarg, mode_names);
            break;
        case 'f':
            cfg->fix = (enum fix)arg_choice("--fix", optarg, fix_names);
            break;
        case 's':
            cfg->steal = arg_int("--steal", optarg, 1, 1000);
            break;
        }
    }
    arg_no_operands(argc, argv);
    if (cfg->kind == THREADS && cfg->fix == SEMAPHORE)
        usage_error("--fix semaphore is for --kind processes (threads: mutex)");
    if (cfg->kind == PROCESSES && (cfg->fix == SPIN || cfg->fix == LOCAL))
        usage_error("--fix %s is for --kind threads", fix_names[cfg->fix]);
    if (cfg->mode == FORCED && cfg->fix != NONE && cfg->fix != MUTEX)
        usage_error("--mode forced shows --fix none or mutex");
    if (cfg->mode == FORCED && cfg->workers != 2)   /* 2 is also the default */
        usage_error("--mode forced has exactly 2 workers, A and B");
}
