/* stats.c - see stats.h. */
#include "stats.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

summary summarize(const double *values, size_t n)
{
    if (n == 0)
        die_msg("summarize: no values");
    double *sorted = malloc(n * sizeof *sorted);
    if (sorted == NULL)
        die("summarize: malloc");
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);

    size_t cut = n / 4, kept = n - 2 * cut;   /* a quarter off each end */
    double middle = 0;
    for (size_t i = cut; i < n - cut; i++)
        middle += sorted[i];
    summary s = {
        .n = n,
        .median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
        .min = sorted[0],
        .max = sorted[n - 1],
        .middle_mean = middle / (double)kept,
    };
    free(sorted);
    return s;
}
