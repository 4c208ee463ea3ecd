/*
 * error.h - one-line error handling for every program in the workbook.
 *
 * Modelled on the error library of "The Linux Programming Interface":
 *
 *   if (pipe(fds) == -1)
 *       die("pipe");                       // adds strerror(errno), exit 1
 *   int rc = pthread_create(&t, NULL, worker, &args[i]);
 *   if (rc != 0)
 *       die_rc(rc, "pthread_create worker %d", i);   // pthreads return the
 *                                                     // error, not errno
 *   usage_error("--threads: 0 is out of range (1 to 64)");   // exit 2
 *
 * Runtime failures exit with status 1, bad command lines with status 2.
 */
#ifndef WORKBOOK_ERROR_H
#define WORKBOOK_ERROR_H

#include <stdnoreturn.h>

#define EXIT_USAGE 2

/* Remember the program's name, its one-line usage and its help text (what
 * --help prints after the usage line) for later messages. */
void cli_init(const char *argv0, const char *usage_line, const char *help_text);

/* The program's name as given by cli_init ("creation_cost"). */
const char *program_name(void);

/* Print "usage: ..." and the help text to stdout (options.c adds the
 * shared options' lines after it). */
void cli_print_help(void);

/* "prog: <message>: <strerror(errno)>", exit 1. */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: <message>: <strerror(rc)>", exit 1: for pthread_* return codes. */
noreturn void die_rc(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "prog: <message>", exit 1: for failures that set no error code. */
noreturn void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: <message>" then the usage line, exit 2: for bad command lines. */
noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: warning: <message>" on stderr; the program goes on. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
