/*
 * pingpong.h - what pingpong.c (MPI) and pingpong_local.c (a pipe, shared
 * memory) share, so that run.sh can put their rows in one data file: the
 * columns, how many round trips a size gets, and the row of one size.
 * Header-only: each program is one source file.
 */
#ifndef WORKBOOK_PINGPONG_H
#define WORKBOOK_PINGPONG_H

#include <stdlib.h>

#include "report.h"

/* us: the one-way time of a message; gbs: GB/s. */
static const column pingpong_columns[] = {
    { .name = "transport", .kind = COL_TEXT, .width = 14 },
    { .name = "bytes", .kind = COL_INT },
    { .name = "repeats", .kind = COL_INT, .tsv_only = true },
    { .name = "trips", .kind = COL_INT, .tsv_only = true },
    { .name = "us", .kind = COL_SPREAD, .decimals = 3 },
    { .name = "gbs", .kind = COL_SPREAD, .decimals = 6 },
    { 0 },
};

/* Enough round trips that a small message is timed many times over (budget
 * bytes a repeat), few enough that a big one does not take long (max_trips
 * at most), and never fewer than 5. */
static inline long pingpong_trips(long long budget, long long max_trips, long long bytes)
{
    long long trips = budget / bytes;
    if (trips > max_trips)
        trips = max_trips;
    return trips < 5 ? 5 : (long)trips;
}

/* The row of one size: the one-way time and, from the same samples, the
 * bandwidth. */
static inline void pingpong_report(report *out, const char *transport, long long bytes, long repeats,
                                   long trips, const double *us)
{
    double *gbs = samples_alloc(repeats);
    for (long r = 0; r < repeats; r++)
        gbs[r] = (double)bytes / (us[r] * 1e3);          /* bytes per ns = GB/s */
    report_text(out, transport);
    report_int(out, bytes);
    report_int(out, repeats);
    report_int(out, trips);
    report_spread(out, us, (size_t)repeats);
    report_spread(out, gbs, (size_t)repeats);
    free(gbs);
}

#endif
