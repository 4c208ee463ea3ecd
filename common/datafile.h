/*
 * datafile.h - measurement data as TSV with provenance, written atomically.
 *
 * A data file looks like this (gnuplot reads the columns by name):
 *
 *   # date: 2026-11-23T20:15:03Z
 *   # cpu: AMD EPYC
 *   # cores: 2
 *   # kernel: Linux 6.18.44 x86_64
 *   # compiler: gcc 12.2.0
 *   # cflags: -std=c11 -O2 ...
 *   # loadavg: 0.10 0.25 0.30
 *   # command: build/chapter01/creation_cost --sizes 0,64
 *   method	rss_mib	median_us	min_us	max_us
 *   fork	0	92.1	80.3	140.2
 *
 * It is written to a temporary file beside `path` and renamed into place by
 * datafile_commit(), so an interrupted run never leaves a half-written file:
 * either the old file is still there, or the complete new one.
 */
#ifndef WORKBOOK_DATAFILE_H
#define WORKBOOK_DATAFILE_H

typedef struct datafile datafile;

/* Start a data file: write the provenance lines. argv is the exact command. */
datafile *datafile_create(const char *path, int argc, char *const argv[]);

/* One more provenance line, "# <text>" (before datafile_columns). */
void datafile_comment(datafile *df, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The header line: column names separated by spaces, "method rss_mib median_us". */
void datafile_columns(datafile *df, const char *names);

/* One row: fields separated by tabs in `fmt`; the newline is added. */
void datafile_row(datafile *df, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flush, sync and rename into place; frees df. */
void datafile_commit(datafile *df);

#endif
