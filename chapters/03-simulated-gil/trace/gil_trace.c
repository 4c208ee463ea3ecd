/* gil_trace.c - see who waits for the GIL, who is woken and who takes it.
 *
 * A library loaded into a program with LD_PRELOAD, so it works on a CPython
 * interpreter as well as on this chapter's simulation: both build their GIL
 * from the same calls.  The new GIL (CPython 3, common/gil.c's new mode) is
 * one mutex and condition variables; the old GIL (CPython 2 on Linux, the
 * old mode) is a POSIX semaphore.  Each call of pthread_cond_wait,
 * _timedwait, _signal and _broadcast, of sem_wait and sem_post, and each
 * sleep (nanosleep, clock_nanosleep, and select, which time.sleep() uses
 * before Python 3.11), is recorded with the time and the calling thread;
 * when the program exits the records are written, as TSV, to the file
 * GIL_TRACE names (written to a temporary file first, then renamed).
 * Without GIL_TRACE nothing is written.
 *
 *   GIL_TRACE=trace.tsv LD_PRELOAD=build/chapter03/gil_trace.so python3 ...
 *
 * side_by_side.py's `hold` experiment reads these files for the new GIL: how
 * long the thread doing the blocking operation holds the GIL between taking
 * it and letting it go, and whether the thread it forced off is back waiting
 * by then.  Its `arrival` experiment reads them for the old GIL: how long a
 * thread holds the lock when it has just won it from another thread, against
 * when it took it straight back.
 *
 * A record costs one clock_gettime and one atomic add.  The records live in a
 * fixed array; the ones beyond it are counted, not kept, and the file says
 * how many.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* NOT_YET: a record taken and not yet written (a thread still running at exit). */
enum event { NOT_YET, SIGNAL, BROADCAST, WAIT_BEGIN, WAIT_END, TIMEDWAIT_BEGIN, TIMEDWAIT_OK,
             TIMEDWAIT_TIMEOUT, SLEEP, SEM_POST, SEM_WAIT_BEGIN, SEM_WAIT_END, N_EVENTS };
static const char *const event_name[N_EVENTS] = {
    "-", "signal", "broadcast", "wait_begin", "wait_end", "timedwait_begin", "timedwait_ok",
    "timedwait_timeout", "sleep", "sem_post", "sem_wait_begin", "sem_wait_end"
};

/* The event is stored last, with release order: a record whose event reads
 * NOT_YET at exit was not finished and is left out. */
struct record { int64_t ns; int32_t tid; atomic_int event; const void *object; };

/* The old GIL is let go and taken back every hundred ticks, some hundreds
 * of thousands of times a second, even in a thread alone (gil_cpython.py
 * times a turn that way, the simulation its --unit with --interpret, before
 * the run itself): room for some seconds of that (192 MB of address space,
 * touched only as it fills). */
enum { CAPACITY = 1 << 23 };
static struct record records[CAPACITY];
static atomic_long taken;          /* records asked for, kept or not */

static int (*real_signal)(pthread_cond_t *);
static int (*real_broadcast)(pthread_cond_t *);
static int (*real_wait)(pthread_cond_t *, pthread_mutex_t *);
static int (*real_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
static int (*real_nanosleep)(const struct timespec *, struct timespec *);
static int (*real_clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
static int (*real_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
static int (*real_sem_post)(sem_t *);
static int (*real_sem_wait)(sem_t *);

/*
 * CPython 2.7 comes from an older Debian here (make interpreters), with its
 * own, older C library, in which the dl* functions live in libdl under the
 * version they have had since the start on x86-64.  Since glibc 2.34 they
 * are in libc under GLIBC_2.34, and the old version is kept there too: ask
 * for the old one, which both libraries have, so that one build of this
 * file loads into 2.7 as well as into the programs built here.
 */
#if defined(__x86_64__) && defined(__GLIBC__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlvsym,dlvsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
#endif

/* dlsym returns an object pointer; POSIX's way to store it in a function
 * pointer. `version`: the symbol version wanted, where the C library has
 * several — x86-64's glibc keeps pthread_cond_* of GLIBC_2.2.5, an older
 * condition variable, beside the GLIBC_2.3.2 ones programs link against,
 * and an unversioned lookup may find the old ones. */
static void resolve(void *slot, const char *name, const char *version)
{
    void *found = version != NULL ? dlvsym(RTLD_NEXT, name, version) : NULL;
    if (found == NULL)
        found = dlsym(RTLD_NEXT, name);   /* a single version (other machines) */
    if (found == NULL) {
        fprintf(stderr, "gil_trace: cannot find %s: %s\n", name, dlerror());
        _exit(127);
    }
    memcpy(slot, &found, sizeof found);
}

__attribute__((constructor)) static void trace_init(void)
{
    resolve(&real_signal, "pthread_cond_signal", "GLIBC_2.3.2");
    resolve(&real_broadcast, "pthread_cond_broadcast", "GLIBC_2.3.2");
    resolve(&real_wait, "pthread_cond_wait", "GLIBC_2.3.2");
    resolve(&real_timedwait, "pthread_cond_timedwait", "GLIBC_2.3.2");
    resolve(&real_nanosleep, "nanosleep", NULL);
    resolve(&real_clock_nanosleep, "clock_nanosleep", NULL);
    resolve(&real_select, "select", NULL);
    resolve(&real_sem_post, "sem_post", NULL);
    resolve(&real_sem_wait, "sem_wait", NULL);
}

static _Thread_local int32_t my_tid;

static void record(enum event event, const void *object)
{
    struct timespec now;
    int64_t ns = -1;   /* CLOCK_MONOTONIC cannot fail here; -1 would show it */
    if (clock_gettime(CLOCK_MONOTONIC, &now) == 0)
        ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    if (my_tid == 0)
        my_tid = (int32_t)syscall(SYS_gettid);
    long i = atomic_fetch_add_explicit(&taken, 1, memory_order_relaxed);
    if (i < CAPACITY) {
        records[i].ns = ns;
        records[i].tid = my_tid;
        records[i].object = object;
        atomic_store_explicit(&records[i].event, (int)event, memory_order_release);
    }
}

int pthread_cond_signal(pthread_cond_t *cond)
{
    record(SIGNAL, cond);
    return real_signal(cond);
}

int pthread_cond_broadcast(pthread_cond_t *cond)
{
    record(BROADCAST, cond);
    return real_broadcast(cond);
}

int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
    record(WAIT_BEGIN, cond);
    int rc = real_wait(cond, mutex);
    record(WAIT_END, cond);
    return rc;
}

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
                           const struct timespec *deadline)
{
    record(TIMEDWAIT_BEGIN, cond);
    int rc = real_timedwait(cond, mutex, deadline);
    record(rc == ETIMEDOUT ? TIMEDWAIT_TIMEOUT : TIMEDWAIT_OK, cond);
    return rc;
}

int nanosleep(const struct timespec *length, struct timespec *left)
{
    record(SLEEP, NULL);
    return real_nanosleep(length, left);
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *length,
                    struct timespec *left)
{
    record(SLEEP, NULL);
    return real_clock_nanosleep(clock, flags, length, left);
}

int select(int n, fd_set *readable, fd_set *writable, fd_set *failed, struct timeval *timeout)
{
    record(SLEEP, NULL);
    return real_select(n, readable, writable, failed, timeout);
}

int sem_post(sem_t *sem)
{
    record(SEM_POST, sem);
    return real_sem_post(sem);
}

int sem_wait(sem_t *sem)
{
    record(SEM_WAIT_BEGIN, sem);
    int rc = real_sem_wait(sem);
    record(SEM_WAIT_END, sem);
    return rc;
}

static int write_records(FILE *out, long kept, long dropped)
{
    long unfinished = 0;
    for (long i = 0; i < kept; i++)
        if (atomic_load_explicit(&records[i].event, memory_order_acquire) == NOT_YET)
            unfinished++;
    if (fprintf(out, "# gil_trace: pthread_cond_*, sem_wait, sem_post and sleeps of pid %ld\n"
                     "# dropped: %ld\n# unfinished: %ld\nns\ttid\tevent\tobject\n",
                (long)getpid(), dropped, unfinished) < 0)
        return -1;
    for (long i = 0; i < kept; i++) {
        int event = atomic_load_explicit(&records[i].event, memory_order_acquire);
        if (event == NOT_YET)
            continue;
        const struct record *r = &records[i];
        if (fprintf(out, "%lld\t%ld\t%s\t%p\n", (long long)r->ns, (long)r->tid,
                    event_name[event], r->object) < 0)
            return -1;
    }
    return 0;
}

/* At exit, after the program's own atexit handlers: its threads have been
 * joined by then in the programs this is meant for. */
__attribute__((destructor)) static void trace_write(void)
{
    const char *path = getenv("GIL_TRACE");
    if (path == NULL || *path == '\0')
        return;
    long all = atomic_load(&taken);
    long kept = all < CAPACITY ? all : CAPACITY;
    char tmp[4096];
    int length = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (length < 0 || length >= (int)sizeof tmp) {
        fprintf(stderr, "gil_trace: GIL_TRACE path too long\n");
        return;
    }
    FILE *out = fopen(tmp, "w");
    if (out == NULL) {
        fprintf(stderr, "gil_trace: %s: %s\n", tmp, strerror(errno));
        return;
    }
    int failed = write_records(out, kept, all - kept);
    if (fclose(out) != 0)
        failed = -1;
    if (failed == 0 && rename(tmp, path) == 0)
        return;
    /* The program's exit status is its own: the message is all there is. */
    fprintf(stderr, "gil_trace: cannot write %s: %s\n", path, strerror(errno));
    if (unlink(tmp) != 0 && errno != ENOENT)
        fprintf(stderr, "gil_trace: %s: %s\n", tmp, strerror(errno));
}
