/*
 * stats.h - reduce repeated measurements to median, minimum and maximum.
 *
 * The median, not the mean: on a shared machine a few runs are slowed by
 * whatever else is running, and one such run drags a mean far more than it
 * moves a median. The min and max show the spread (the error bars).
 */
#ifndef WORKBOOK_STATS_H
#define WORKBOOK_STATS_H

#include <stddef.h>

typedef struct {
    size_t n;
    double median; /* middle value; mean of the two middle ones when n is even */
    double min;
    double max;
} summary;

/* Summarize n >= 1 values; `values` is left as it was. */
summary summarize(const double *values, size_t n);

#endif
