/*
 * report.h - one description of a result row drives both the table a
 * program prints and the TSV it writes with --data, so the two cannot
 * disagree.
 *
 *   static const column columns[] = {
 *       { .name = "method", .kind = COL_TEXT },
 *       { .name = "threads", .kind = COL_INT },
 *       { .name = "repeats", .kind = COL_INT, .tsv_only = true },
 *       { .name = "s", .kind = COL_SPREAD, .decimals = 4 },     // median_s min_s max_s
 *       { .name = "speedup", .kind = COL_REAL, .decimals = 2 },
 *       { 0 },
 *   };
 *   report *out = report_create(columns, &cfg.run, argc, argv);
 *   report_comment(out, "tasks: %d", cfg.tasks);    // provenance, TSV only
 *   ...
 *   report_text(out, "threads");                    // one call per column,
 *   report_int(out, 4);                             // in the order above;
 *   report_int(out, cfg.run.repeat);                // the row is printed and
 *   summary wall = report_spread(out, wall_s, n);   // written when its last
 *   report_real(out, serial / wall.median);         // column is given
 *   ...
 *   report_finish(out);                             // renames the TSV into place
 *
 * prints
 *
 *   method   threads  median_s     min_s     max_s  speedup
 *   threads        4    0.2013    0.2009    0.2101     1.98
 *
 * and writes the same values, tab-separated, under the data file's
 * provenance (datafile.h). A value given to the wrong kind of column is a
 * mistake in the program: it dies naming the column.
 */
#ifndef WORKBOOK_REPORT_H
#define WORKBOOK_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "progress.h"
#include "stats.h"

typedef enum {
    COL_TEXT,   /* a word: "fork", "threads" */
    COL_INT,    /* a whole number */
    COL_REAL,   /* a number with .decimals digits after the point */
    COL_SPREAD, /* repeated samples as median, min and max: three columns,
                   median_NAME min_NAME max_NAME, where NAME is the unit */
} column_kind;

typedef struct {
    const char *name;
    column_kind kind;
    int decimals;   /* COL_REAL, COL_SPREAD: digits after the point ("%.*f") */
    int significant;/* COL_REAL: if > 0, significant digits instead ("%.*g") */
    bool tsv_only;  /* written to the data file, left out of the printed table */
    int width;      /* printed width, for values longer than the name (at least
                       the name's length and 8 whatever this says) */
} column;

typedef struct report report;

/* Start a report of rows shaped by `columns` (ended by { 0 }); with
 * run->data_path, a data file too. The table's header is printed with the
 * first row. */
report *report_create(const column *columns, const run_options *run, int argc, char *const argv[]);

/* One more provenance line in the data file ("# tasks: 12"), before the first row. */
void report_comment(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clear `bar` before printing each row, so that rows and bar do not mix. */
void report_progress(report *r, const progress *bar);

/* The next column's value. */
void report_text(report *r, const char *value);
void report_int(report *r, long long value);
void report_real(report *r, double value);
summary report_spread(report *r, const double *samples, size_t n);

/* Commit the data file (if any) and free the report. Every row must be whole. */
void report_finish(report *r);

/* An array for `n` repeated samples of one measurement, zeroed; dies when
 * memory runs out. */
double *samples_alloc(long n);

#endif
