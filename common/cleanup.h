/*
 * cleanup.h - remove what a program created when it ends early.
 *
 * A program that creates a file, a directory, a child process, or a POSIX
 * shared-memory object, message queue or named semaphore registers it here.
 * If the program then exits through exit() (die() included) or is ended by
 * a signal that can be caught (SIGINT, SIGTERM, SIGHUP, SIGQUIT, and SIGUSR1,
 * SIGUSR2, SIGALRM, SIGPIPE, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ unless the
 * program ignores or handles them itself), each object still registered is
 * removed, and the program then dies of the same signal. What still leaves
 * objects behind: SIGKILL, which no handler sees, and a crash (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS), which is not handled.
 * Objects registered by a parent are never removed by a forked child: each
 * entry remembers the process that owns it.
 *
 * The signal handlers are installed by the first cleanup_add_*() call.
 */
#ifndef WORKBOOK_CLEANUP_H
#define WORKBOOK_CLEANUP_H

#include <sys/types.h>

/* Install the exit and signal handlers now (the first cleanup_add_*() call
 * does it too). Call it before creating what you will register, so that a
 * signal arriving in between is handled. */
void cleanup_init(void);

/* Unlink `path` if the program ends before cleanup_forget(). Returns a slot. */
int cleanup_add_file(const char *path);

/* Remove the (by then empty) directory `path` likewise, after the files. */
int cleanup_add_dir(const char *path);

/* Kill (SIGKILL) and reap child `pid` if the program ends before
 * cleanup_forget(). Returns a slot. */
int cleanup_add_child(pid_t pid);

/* Unlink the POSIX shared-memory object, message queue or named semaphore
 * `name` ("/name") likewise: shm_unlink, mq_unlink, sem_unlink. */
int cleanup_add_shm(const char *name);
int cleanup_add_mq(const char *name);
int cleanup_add_sem(const char *name);

/* fork(), and in the parent register the child (its slot in *slot), with
 * the signals above held back in this thread meanwhile: a signal
 * that arrived between the fork and the registration would otherwise leave
 * the new child running. Returns what fork() returns; dies if it fails.
 * (In a program with other threads, block those signals in them too.) */
pid_t cleanup_fork(int *slot);

/* The object in `slot` was finished properly (renamed, closed): keep it. */
void cleanup_forget(int slot);

/* Remove every registered object now (async-signal-safe). */
void cleanup_run(void);

#endif
