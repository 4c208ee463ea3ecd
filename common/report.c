/* report.c - see report.h. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"
#include "datafile.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One printed or written field is at most this long. */
#define FIELD_MAX 64

struct report {
    const column *columns;
    size_t n_columns;
    size_t next;    /* the column the next value goes to */
    datafile *data; /* NULL without --data */
    const progress *bar;
    bool header_done;
    char *printed;  /* the line being built, as printed */
    char *written;  /* the line being built, as written to the TSV */
    size_t line_max;
};

static const column *next_column(report *r, column_kind kind);
static void print_header(report *r);
static void field_name(const column *col, int f, char *name, size_t size);
static void add_field(report *r, const column *col, const char *name, const char *value);
static void end_field(report *r);

report *report_create(const column *columns, const run_options *run, int argc, char *const argv[])
{
    report *r = calloc(1, sizeof *r);
    if (r == NULL)
        die("report: calloc");
    r->columns = columns;
    while (columns[r->n_columns].name != NULL)
        r->n_columns++;
    /* A COL_SPREAD column is three fields, each at most FIELD_MAX and a separator. */
    r->line_max = 3 * r->n_columns * (FIELD_MAX + 2) + 1;
    r->printed = calloc(1, r->line_max);
    r->written = calloc(1, r->line_max);
    if (r->printed == NULL || r->written == NULL)
        die("report: calloc");
    if (run->data_path != NULL)
        r->data = datafile_create(run->data_path, argc, argv);
    return r;
}

void report_comment(report *r, const char *fmt, ...)
{
    if (r->header_done)
        die_msg("report: a comment after the first row");
    if (r->data == NULL)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    datafile_comment(r->data, "%s", text);
}

void report_progress(report *r, const progress *bar)
{
    r->bar = bar;
}

void report_text(report *r, const char *value)
{
    const column *col = next_column(r, COL_TEXT);
    add_field(r, col, col->name, value);
    end_field(r);
}

void report_int(report *r, long long value)
{
    const column *col = next_column(r, COL_INT);
    char text[FIELD_MAX];
    snprintf(text, sizeof text, "%lld", value);
    add_field(r, col, col->name, text);
    end_field(r);
}

void report_real(report *r, double value)
{
    const column *col = next_column(r, COL_REAL);
    char text[FIELD_MAX];
    if (col->significant > 0)
        snprintf(text, sizeof text, "%.*g", col->significant, value);
    else
        snprintf(text, sizeof text, "%.*f", col->decimals, value);
    add_field(r, col, col->name, text);
    end_field(r);
}

summary report_spread(report *r, const double *samples, size_t n)
{
    const column *col = next_column(r, COL_SPREAD);
    summary s = summarize(samples, n);
    const double values[3] = { s.median, s.min, s.max };
    for (int f = 0; f < 3; f++) {
        char name[FIELD_MAX], text[FIELD_MAX];
        field_name(col, f, name, sizeof name);
        snprintf(text, sizeof text, "%.*f", col->decimals, values[f]);
        add_field(r, col, name, text);
    }
    end_field(r);
    return s;
}

void report_finish(report *r)
{
    if (r->next != 0)
        die_msg("report: the last row stops before column '%s'", r->columns[r->next].name);
    if (!r->header_done)
        print_header(r); /* no rows: the data file still gets its header */
    if (r->data != NULL)
        datafile_commit(r->data);
    free(r->printed);
    free(r->written);
    free(r);
}

double *samples_alloc(long n)
{
    double *samples = calloc((size_t)(n > 0 ? n : 1), sizeof *samples);
    if (samples == NULL)
        die("calloc %ld samples", n);
    return samples;
}

/* ---- building a row ------------------------------------------------------------ */

/* The next value goes to a column of this kind, or the program is wrong. */
static const column *next_column(report *r, column_kind kind)
{
    static const char *const kinds[] = { "word", "whole number", "real number", "spread" };
    if (!r->header_done)
        print_header(r);
    if (r->next >= r->n_columns)
        die_msg("report: a value past the last column");
    const column *col = &r->columns[r->next];
    if (col->kind != kind)
        die_msg("report: column '%s' takes a %s, not a %s", col->name, kinds[col->kind], kinds[kind]);
    return col;
}

/* A printed field is as wide as its column's name, its .width, and 8. */
static int field_width(const column *col, const char *name)
{
    int width = (int)strlen(name);
    if (width < col->width)
        width = col->width;
    return width < 8 ? 8 : width;
}

static void append(char *line, size_t line_max, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *line, size_t line_max, const char *fmt, ...)
{
    size_t used = strlen(line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + used, line_max - used, fmt, ap);
    va_end(ap);
}

/* The header of the table and of the data file, from the same columns:
 * words left-aligned, numbers right-aligned under their names. */
static void print_header(report *r)
{
    for (size_t i = 0; i < r->n_columns; i++) {
        const column *col = &r->columns[i];
        for (int f = 0; f < (col->kind == COL_SPREAD ? 3 : 1); f++) {
            char name[FIELD_MAX];
            field_name(col, f, name, sizeof name);
            append(r->written, r->line_max, "%s%s", r->written[0] ? " " : "", name);
            int width = field_width(col, name);
            if (!col->tsv_only)
                append(r->printed, r->line_max, "%s%*s", r->printed[0] ? "  " : "",
                       col->kind == COL_TEXT ? -width : width, name);
        }
    }
    if (r->bar)
        progress_clear(r->bar);
    printf("%s\n", r->printed);
    if (r->data != NULL)
        datafile_columns(r->data, r->written);
    r->printed[0] = r->written[0] = '\0';
    r->header_done = true;
}

/* The name of field f (0 to 2) of a column: a COL_SPREAD column has three. */
static void field_name(const column *col, int f, char *name, size_t size)
{
    static const char *const stems[3] = { "median", "min", "max" };
    if (col->kind == COL_SPREAD)
        snprintf(name, size, "%s_%s", stems[f], col->name);
    else
        snprintf(name, size, "%s", col->name);
}

static void add_field(report *r, const column *col, const char *name, const char *value)
{
    if (strlen(value) >= FIELD_MAX || strchr(value, '\t') || strchr(value, '\n'))
        die_msg("report: column '%s': value '%.20s' is too long or holds a tab or newline", name,
                value);
    append(r->written, r->line_max, "%s%s", r->written[0] ? "\t" : "", value);
    if (col->tsv_only)
        return;
    int width = field_width(col, name);
    append(r->printed, r->line_max, "%s%*s", r->printed[0] ? "  " : "",
           col->kind == COL_TEXT ? -width : width, value);
}

/* A column is filled; after the last one the row goes out, to both. */
static void end_field(report *r)
{
    if (++r->next < r->n_columns)
        return;
    if (r->bar)
        progress_clear(r->bar);
    printf("%s\n", r->printed);
    if (r->data != NULL)
        datafile_row(r->data, "%s", r->written);
    r->printed[0] = r->written[0] = '\0';
    r->next = 0;
}
