/* cleanup.c - see cleanup.h. */
#define _POSIX_C_SOURCE 200809L
#include "cleanup.h"
#include "error.h"

#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 1100 /* a process per user for 1000 users, and room for more */

/* What a slot holds. */
enum kind { CHILD, FILE_PATH, DIRECTORY, SHM_NAME, MQ_NAME, SEM_NAME };

/* Read by a signal handler: plain fixed arrays, the `used` flag set last. */
static struct {
    volatile sig_atomic_t used;
    pid_t owner;
    enum kind kind;
    pid_t child;        /* CHILD: the process to kill and reap */
    char path[PATH_MAX];/* the rest: a path, or a POSIX IPC name ("/name") */
} slots[SLOTS];

static void cleanup_at_exit(void)
{
    cleanup_run();
}

static void cleanup_on_signal(int sig)
{
    cleanup_run();
    /* Die of the same signal, so the parent (or shell) sees why we ended. */
    signal(sig, SIG_DFL);
    raise(sig);
}

/*
 * The signals whose default action ends the process and that a handler can
 * catch (signal(7)). The first four are the ones a user or a shell sends to
 * stop a program; a non-interactive shell starts background jobs with SIGINT
 * and SIGQUIT ignored, so for these four the handler is installed whatever
 * the inherited disposition. The others are handled only where the program
 * left them at the default: a program that ignores SIGPIPE (to see EPIPE)
 * keeps ignoring it. Not here, so still leaving objects behind: SIGKILL
 * (cannot be caught) and the crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT, SIGTRAP, SIGSYS: the program's state is not to be trusted then,
 * and the sanitizers need them for their reports).
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int other_ending_signals[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE, SIGVTALRM,
                                            SIGPROF, SIGXCPU, SIGXFSZ };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void cleanup_init(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    if (atexit(cleanup_at_exit) != 0)
        die_msg("atexit failed");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cleanup_on_signal;
    if (sigemptyset(&sa.sa_mask) == -1)
        die("sigemptyset");
    for (size_t i = 0; i < COUNT(stop_signals); i++)
        if (sigaction(stop_signals[i], &sa, NULL) == -1)
            die("sigaction %d", stop_signals[i]);
    for (size_t i = 0; i < COUNT(other_ending_signals); i++) {
        struct sigaction old;
        if (sigaction(other_ending_signals[i], NULL, &old) == -1)
            die("sigaction %d", other_ending_signals[i]);
        if (old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO) &&
            sigaction(other_ending_signals[i], &sa, NULL) == -1)
            die("sigaction %d", other_ending_signals[i]);
    }
}

static int add(enum kind kind, const char *path, pid_t child)
{
    if (strlen(path) >= PATH_MAX)
        die_msg("cleanup: path too long: %s", path);
    cleanup_init();
    for (int i = 0; i < SLOTS; i++) {
        if (!slots[i].used) {
            slots[i].owner = getpid();
            slots[i].kind = kind;
            slots[i].child = child;
            strcpy(slots[i].path, path);
            slots[i].used = 1;
            return i;
        }
    }
    die_msg("cleanup: more than %d objects registered", SLOTS);
}

int cleanup_add_file(const char *path)
{
    return add(FILE_PATH, path, 0);
}

int cleanup_add_dir(const char *path)
{
    return add(DIRECTORY, path, 0);
}

int cleanup_add_child(pid_t pid)
{
    return add(CHILD, "", pid);
}

int cleanup_add_shm(const char *name)
{
    return add(SHM_NAME, name, 0);
}

int cleanup_add_mq(const char *name)
{
    return add(MQ_NAME, name, 0);
}

int cleanup_add_sem(const char *name)
{
    return add(SEM_NAME, name, 0);
}

pid_t cleanup_fork(int *slot)
{
    sigset_t stop, old;
    if (sigemptyset(&stop) == -1)
        die("sigemptyset");
    for (size_t i = 0; i < COUNT(stop_signals); i++)
        sigaddset(&stop, stop_signals[i]);
    for (size_t i = 0; i < COUNT(other_ending_signals); i++)
        sigaddset(&stop, other_ending_signals[i]);
    cleanup_init();
    int rc = pthread_sigmask(SIG_BLOCK, &stop, &old);
    if (rc != 0)
        die_rc(rc, "pthread_sigmask");
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid > 0)
        *slot = cleanup_add_child(pid);
    rc = pthread_sigmask(SIG_SETMASK, &old, NULL); /* in the child too */
    if (rc != 0)
        die_rc(rc, "pthread_sigmask");
    return pid;
}

void cleanup_forget(int slot)
{
    if (slot >= 0 && slot < SLOTS)
        slots[slot].used = 0;
}

void cleanup_run(void)
{
    pid_t me = getpid();
    /* Children first (they may be using the rest), then files and IPC
     * objects, then the directories that held files. Nothing to do if these
     * fail: we are leaving. */
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < SLOTS; i++) {
            if (!slots[i].used || slots[i].owner != me)
                continue;
            enum kind k = slots[i].kind;
            if ((pass == 0) != (k == CHILD) || (pass == 2) != (k == DIRECTORY))
                continue;
            switch (k) {
            case CHILD:
                kill(slots[i].child, SIGKILL);
                waitpid(slots[i].child, NULL, 0);
                break;
            case FILE_PATH:
                unlink(slots[i].path);
                break;
            case DIRECTORY:
                rmdir(slots[i].path);
                break;
            case SHM_NAME:
                shm_unlink(slots[i].path);
                break;
            case MQ_NAME:
                mq_unlink(slots[i].path);
                break;
            case SEM_NAME:
                sem_unlink(slots[i].path);
                break;
            }
            slots[i].used = 0;
        }
    }
}
