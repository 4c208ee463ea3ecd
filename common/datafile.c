/* datafile.c - see datafile.h. */
#define _POSIX_C_SOURCE 200809L
#include "datafile.h"
#include "cleanup.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The Makefile passes the flags the program was built with. */
#ifndef BUILD_CFLAGS
#define BUILD_CFLAGS "unknown"
#endif
#ifdef __clang__
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif

struct datafile {
    FILE *out;
    char *path;
    char *tmp_path;
    int cleanup_slot;
    int columns_written;
};

/* The "model name" of the first CPU, or the machine type when there is none. */
static void cpu_model(char *buf, size_t size)
{
    struct utsname u;
    snprintf(buf, size, "%s", uname(&u) == 0 ? u.machine : "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(buf, size, "%s", colon + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

static void load_average(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (f == NULL)
        return;
    double one, five, fifteen;
    if (fscanf(f, "%lf %lf %lf", &one, &five, &fifteen) == 3)
        snprintf(buf, size, "%.2f %.2f %.2f", one, five, fifteen);
    fclose(f);
}

/* Write argv so that it can be pasted back into a shell. */
static void write_command(FILE *out, int argc, char *const argv[])
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        fputs(i ? " " : "", out);
        if (arg[0] != '\0' && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./,=:+@%") == strlen(arg)) {
            fputs(arg, out);
            continue;
        }
        fputc('\'', out);
        for (const char *c = arg; *c; c++) {
            if (*c == '\'')
                fputs("'\\''", out); /* close, escaped quote, reopen */
            else
                fputc(*c, out);
        }
        fputc('\'', out);
    }
    fputc('\n', out);
}

static char *copy_string(const char *s)
{
    char *copy = malloc(strlen(s) + 1);
    if (copy == NULL)
        die("malloc");
    return strcpy(copy, s);
}

datafile *datafile_create(const char *path, int argc, char *const argv[])
{
    datafile *df = calloc(1, sizeof *df);
    if (df == NULL)
        die("calloc");
    df->path = copy_string(path);
    df->tmp_path = malloc(strlen(path) + sizeof ".tmp.XXXXXX");
    if (df->tmp_path == NULL)
        die("malloc");
    sprintf(df->tmp_path, "%s.tmp.XXXXXX", path);

    cleanup_init(); /* a signal from now on removes the temporary file */
    int fd = mkstemp(df->tmp_path);
    if (fd == -1)
        die("cannot create data file %s", path);
    df->cleanup_slot = cleanup_add_file(df->tmp_path);
    df->out = fdopen(fd, "w");
    if (df->out == NULL)
        die("fdopen %s", df->tmp_path);

    char date[64], cpu[256], load[64];
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(date, sizeof date, "unknown");
    cpu_model(cpu, sizeof cpu);
    load_average(load, sizeof load);
    struct utsname u;
    if (uname(&u) == -1)
        die("uname");

    fprintf(df->out, "# date: %s\n", date);
    fprintf(df->out, "# cpu: %s\n", cpu);
    fprintf(df->out, "# cores: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(df->out, "# kernel: %s %s %s\n", u.sysname, u.release, u.machine);
    fprintf(df->out, "# compiler: %s\n", COMPILER);
    fprintf(df->out, "# cflags: %s\n", BUILD_CFLAGS);
    fprintf(df->out, "# loadavg: %s\n", load);
    fputs("# command: ", df->out);
    write_command(df->out, argc, argv);
    return df;
}

void datafile_comment(datafile *df, const char *fmt, ...)
{
    if (df->columns_written)
        die_msg("datafile_comment after datafile_columns in %s", df->path);
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", df->out);
    vfprintf(df->out, fmt, ap);
    fputc('\n', df->out);
    va_end(ap);
}

void datafile_columns(datafile *df, const char *names)
{
    for (const char *c = names; *c; c++)
        fputc(*c == ' ' ? '\t' : *c, df->out);
    fputc('\n', df->out);
    df->columns_written = 1;
}

void datafile_row(datafile *df, const char *fmt, ...)
{
    if (!df->columns_written)
        die_msg("datafile_row before datafile_columns in %s", df->path);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(df->out, fmt, ap);
    fputc('\n', df->out);
    va_end(ap);
}

void datafile_commit(datafile *df)
{
    /* Data first on disk, then the name: a crash leaves old or new, never half. */
    if (fflush(df->out) == EOF || ferror(df->out))
        die("writing %s", df->tmp_path);
    if (fsync(fileno(df->out)) == -1)
        die("fsync %s", df->tmp_path);
    if (fchmod(fileno(df->out), 0644) == -1)
        die("fchmod %s", df->tmp_path);
    if (fclose(df->out) == EOF)
        die("close %s", df->tmp_path);
    if (rename(df->tmp_path, df->path) == -1)
        die("rename %s to %s", df->tmp_path, df->path);
    cleanup_forget(df->cleanup_slot);
    free(df->tmp_path);
    free(df->path);
    free(df);
}
