/* cleanup.c - see cleanup.h. */
#define _POSIX_C_SOURCE 200809L
#include "cleanup.h"
#include "error.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 320 /* a pool of 256 worker processes, and room for more */

/* Read by a signal handler: plain fixed arrays, the `used` flag set last. */
static struct {
    volatile sig_atomic_t used;
    pid_t owner;
    pid_t child;        /* a child process to kill and reap, or 0 */
    int is_dir;         /* else `path` is a directory to remove, or */
    char path[PATH_MAX];/* a file to unlink */
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

static int add(const char *path, pid_t child, int is_dir)
{
    cleanup_init();
    for (int i = 0; i < SLOTS; i++) {
        if (!slots[i].used) {
            slots[i].owner = getpid();
            slots[i].child = child;
            slots[i].is_dir = is_dir;
            strcpy(slots[i].path, path);
            slots[i].used = 1;
            return i;
        }
    }
    die_msg("cleanup: more than %d objects registered", SLOTS);
}

int cleanup_add_file(const char *path)
{
    if (strlen(path) >= PATH_MAX)
        die_msg("cleanup: path too long: %s", path);
    return add(path, 0, 0);
}

int cleanup_add_dir(const char *path)
{
    if (strlen(path) >= PATH_MAX)
        die_msg("cleanup: path too long: %s", path);
    return add(path, 0, 1);
}

int cleanup_add_child(pid_t pid)
{
    return add("", pid, 0);
}

void cleanup_forget(int slot)
{
    if (slot >= 0 && slot < SLOTS)
        slots[slot].used = 0;
}

void cleanup_run(void)
{
    pid_t me = getpid();
    /* Children first (they may be writing the files), then files, then the
     * directories that held them. Nothing to do if these fail: we are leaving. */
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < SLOTS; i++) {
            if (!slots[i].used || slots[i].owner != me)
                continue;
            if (pass == 0 && slots[i].child > 0) {
                kill(slots[i].child, SIGKILL);
                waitpid(slots[i].child, NULL, 0);
            } else if (pass == 1 && slots[i].child == 0 && !slots[i].is_dir) {
                unlink(slots[i].path);
            } else if (pass == 2 && slots[i].is_dir) {
                rmdir(slots[i].path);
            } else {
                continue;
            }
            slots[i].used = 0;
        }
    }
}
