/*
 * stats.h - reduce repeated measurements to median, minimum and maximum.
 *
 * The median, not the mean: on a shared machine a few runs are slowed by
 * whatever else is running, and one such run drags a mean far more than it
 * moves a median. The min and max show the spread (the error bars).
 *
 * The middle mean is for values that fall in two clusters, like a blocking
 * call that waits one switch interval or two: near half and half, the
 * median jumps from one cluster to the other on a single value, while the
 * mean of the middle half moves with the mix, and a few stray values at
 * either end still move it no more than they move the median.
 */
#ifndef WORKBOOK_STATS_H
#define WORKBOOK_STATS_H

#include <stddef.h>

typedef struct {
    size_t n;
    double median; /* middle value; mean of the two middle ones when n is even */
    double min;
    double max;
    double middle_mean; /* the mean of the middle half: the n/4 smallest and the n/4
                           largest left out (the interquartile mean; the mean below 4) */
} summary;

/* Summarize n >= 1 values; `values` is left as it was. */
summary summarize(const double *values, size_t n);

#endif
