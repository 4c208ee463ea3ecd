/* error.c - see error.h. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "workbook";
static const char *usage = "";
static const char *help = "";

void cli_init(const char *argv0, const char *usage_line, const char *help_text)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    prog = slash ? slash + 1 : (argv0 ? argv0 : prog);
    usage = usage_line;
    help = help_text;
}

const char *program_name(void)
{
    return prog;
}

void cli_print_help(void)
{
    printf("usage: %s\n\n%s", usage, help);
}

/* Print "prog: message[: reason]" in one write-friendly burst. */
static void report(const char *reason, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    if (reason)
        fprintf(stderr, ": %s", reason);
    fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(strerror(saved), fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

void die_rc(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(strerror(rc), fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

void die_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(NULL, fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(NULL, fmt, ap);
    va_end(ap);
    fprintf(stderr, "usage: %s\n", usage);
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
    exit(EXIT_USAGE);
}

void warn_msg(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
