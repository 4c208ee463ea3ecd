/*
 * progress.h - a progress bar on stderr for long runs, in the manner of tqdm:
 *
 *   creation cost  37/120 [#########.................]  31%  12.3/s  ETA 0:07
 *
 * Shown only when stderr is a terminal (so logs and tests stay clean), or
 * when forced (--progress). Redrawn at most ten times a second. Not
 * thread-safe: call it from one thread.
 */
#ifndef WORKBOOK_PROGRESS_H
#define WORKBOOK_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *label;
    long total;
    long done;
    int64_t start_ns;
    int64_t last_draw_ns;
    bool shown;
} progress;

/* Begin a bar of `total` steps; shown if stderr is a terminal or `force`. */
void progress_start(progress *p, const char *label, long total, bool force);

/* `steps` more steps are done. */
void progress_advance(progress *p, long steps);

/* Erase the bar's line, so that a line printed now is not mixed into it;
 * the next progress_advance() draws the bar again. */
void progress_clear(const progress *p);

/* Draw the final state and end the line. */
void progress_finish(progress *p);

#endif
