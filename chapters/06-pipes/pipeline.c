/*
 * pipeline.c - what a shell does for `a | b | c`: one pipe between each pair
 * of commands, fork, dup2 and exec, every unused pipe end closed.
 *
 *   build/chapter06/pipeline 'seq 1 100000' 'grep 7' 'wc -l'
 *   build/chapter06/pipeline --leak 'seq 1 10' 'cat'   # the parent keeps the write ends
 *
 * Each argument is one command, split at spaces (no quoting). The last
 * command writes to our standard output; each command's exit status is
 * printed on stderr at the end, 127 for a command that cannot be run (as in
 * a shell). Expect the same output as the shell's pipeline. With --leak the
 * parent forgets to close its copies of the pipes' write ends: the last
 * command never sees end-of-file, which is detected after --timeout,
 * reported, and ended. Compare with pipe_eof.c, the same rule with one pipe
 * and one child.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "clock.h"
#include "error.h"
#include "options.h"

#define MAX_STAGES 16
#define MAX_WORDS 64

struct config {
    bool leak;
    int64_t timeout_ns;
    int n_commands;
    char *words[MAX_STAGES][MAX_WORDS + 1]; /* words[i]: command i's argv, NULL-ended */
};

static void parse_args(int argc, char *argv[], struct config *cfg);
static void reap(const pid_t pids[], const int slots[], int n, const struct config *cfg,
                 int status[]);
static void print_status(const char *command, int status);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    int n = cfg.n_commands;

    // snippet-begin: build
    int pipes[MAX_STAGES][2];                  /* pipes[i]: stage i -> stage i+1 */
    for (int i = 0; i < n - 1; i++)
        if (pipe(pipes[i]) == -1)
            die("pipe");
    pid_t pids[MAX_STAGES];
    int slots[MAX_STAGES];
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == -1)
            die("fork");
        if (pids[i] == 0) {
            if (i > 0 && dup2(pipes[i - 1][0], STDIN_FILENO) == -1)
                die("dup2");                   /* read from the stage before */
            if (i < n - 1 && dup2(pipes[i][1], STDOUT_FILENO) == -1)
                die("dup2");                   /* write to the stage after */
            for (int j = 0; j < n - 1; j++) {  /* every other end: closed */
                close(pipes[j][0]);
                close(pipes[j][1]);
            }
            execvp(cfg.words[i][0], cfg.words[i]);
            fprintf(stderr, "pipeline: %s: %s\n", cfg.words[i][0], strerror(errno));
            _exit(127);                        /* as a shell reports it */
        }
        slots[i] = cleanup_add_child(pids[i]);
    }
    for (int j = 0; j < n - 1; j++) {          /* the parent uses none of them */
        close(pipes[j][0]);
        if (!cfg.leak)
            close(pipes[j][1]);
    }
    // snippet-end: build

    int status[MAX_STAGES];
    reap(pids, slots, n, &cfg, status);
    for (int i = 0; i < n; i++)
        print_status(cfg.words[i][0], status[i]);
    return EXIT_SUCCESS;
}

/* Reap them all; with --leak, give up after the timeout and end the ones
 * still waiting for end-of-file. */
static void reap(const pid_t pids[], const int slots[], int n, const struct config *cfg,
                 int status[])
{
    bool done[MAX_STAGES] = { false };
    int left = n;
    int64_t deadline = now_ns() + cfg->timeout_ns;
    while (left > 0) {
        int st;
        pid_t pid = waitpid(-1, &st, cfg->leak ? WNOHANG : 0);
        if (pid == -1 && errno == EINTR)
            continue;
        if (pid == -1)
            die("waitpid");
        if (pid == 0) {
            if (now_ns() > deadline)
                break;
            sleep_ns(10 * NS_PER_MS);
            continue;
        }
        for (int i = 0; i < n; i++)
            if (pids[i] == pid) {
                status[i] = st;
                done[i] = true;
                cleanup_forget(slots[i]);
                left--;
            }
    }
    if (left > 0) {
        fprintf(stderr, "hang: %d command(s) still waiting for end-of-file after %.1f s: the parent "
                        "holds the pipes' write ends\n", left, (double)cfg->timeout_ns / NS_PER_S);
        for (int i = 0; i < n; i++)
            if (!done[i]) {
                if (kill(pids[i], SIGKILL) == -1)
                    die("kill");
                if (waitpid(pids[i], &status[i], 0) == -1)
                    die("waitpid");
                cleanup_forget(slots[i]);
            }
    }
}

static void print_status(const char *command, int status)
{
    if (WIFEXITED(status))
        fprintf(stderr, "%s: exit status %d\n", command, WEXITSTATUS(status));
    else
        fprintf(stderr, "%s: killed by signal %d\n", command, WTERMSIG(status));
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] = "pipeline [--leak] [--timeout D] COMMAND COMMAND...";
static const char help_text[] =
    "Runs COMMAND | COMMAND | ... as a shell would, and prints each command's\n"
    "exit status on stderr. Each COMMAND is split at spaces.\n"
    "\n"
    "  --leak           the parent keeps its copies of the write ends (a hang)\n"
    "  --timeout D      with --leak: how long to wait before calling it a hang\n"
    "                   (default 1s)\n";

static void split_words(char *text, char *argv[MAX_WORDS + 1], int stage);

/* The options, then the commands: each operand is one. */
static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "leak", no_argument, NULL, 'l' },
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    cfg->leak = false;
    cfg->timeout_ns = NS_PER_S;
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'l':
            cfg->leak = true;
            break;
        case 't':
            cfg->timeout_ns = arg_duration_ns("--timeout", optarg, NS_PER_MS, 60 * NS_PER_S);
            break;
        }
    }
    cfg->n_commands = argc - optind;
    if (cfg->n_commands < 1)
        usage_error("no command given");
    if (cfg->n_commands > MAX_STAGES)
        usage_error("at most %d commands", MAX_STAGES);
    for (int i = 0; i < cfg->n_commands; i++)
        split_words(argv[optind + i], cfg->words[i], i);
}

/* Split `text` at spaces into argv (modifies text). */
static void split_words(char *text, char *argv[MAX_WORDS + 1], int stage)
{
    int n = 0;
    for (char *word = strtok(text, " "); word != NULL; word = strtok(NULL, " ")) {
        if (n == MAX_WORDS)
            usage_error("command %d: more than %d words", stage + 1, MAX_WORDS);
        argv[n++] = word;
    }
    if (n == 0)
        usage_error("command %d is empty", stage + 1);
    argv[n] = NULL;
}
