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
    const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (sigaction(signals[i], &sa, NULL) == -1)
            die("sigaction");
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
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
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
