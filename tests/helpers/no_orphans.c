/*
 * no_orphans.c - run a command and report any process it left behind.
 *
 *   no_orphans COMMAND [ARG...]
 *
 * We become a "child subreaper" (prctl PR_SET_CHILD_SUBREAPER): when the
 * command exits, every process it started and did not reap - zombies it never
 * waited for, children still running - is re-parented to us instead of to
 * init, so we can count them. Prints "status N" (the command's exit status)
 * and "left behind N"; exits 0 only when nothing was left behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

/* SIGKILL every running process whose parent is us; return how many. */
static int kill_running_children(void)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        die("opendir /proc");
    int killed = 0;
    for (struct dirent *entry; (entry = readdir(proc)) != NULL;) {
        char path[300], stat[512];
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* not a process, or gone already */
        size_t len = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[len] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces, so after the last ')' */
        char *after = strrchr(stat, ')');
        char state;
        int ppid;
        if (after && sscanf(after + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid() &&
            state != 'Z') {
            if (kill(atoi(entry->d_name), SIGKILL) == 0)
                killed++;
        }
    }
    closedir(proc);
    return killed;
}

int main(int argc, char *argv[])
{
    cli_init(argv[0], "no_orphans COMMAND [ARG...]", "");
    if (argc < 2)
        usage_error("no command given");
    if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == -1)
        die("prctl(PR_SET_CHILD_SUBREAPER)");

    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0) {
        execvp(argv[1], &argv[1]);
        die("exec %s", argv[1]);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        die("waitpid");

    /* Whatever is still our child now was left behind by the command. */
    int left = 0;
    pid_t orphan;
    while ((orphan = waitpid(-1, NULL, WNOHANG)) > 0) {
        fprintf(stderr, "no_orphans: process %d was left unreaped\n", (int)orphan);
        left++;
    }
    if (orphan == 0) {
        /* Some are still running: kill them, then reap them. */
        int running = kill_running_children();
        fprintf(stderr, "no_orphans: %d processes were left running\n", running);
        left += running;
        while (waitpid(-1, NULL, 0) > 0)
            ;
    }
    if (errno != ECHILD)
        die("waitpid");
    printf("status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    printf("left behind %d\n", left);
    return left == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
