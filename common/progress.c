/* progress.c - see progress.h. */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"
#include "clock.h"

#include <stdio.h>
#include <unistd.h>

#define BAR_WIDTH 28
#define REDRAW_NS (100 * NS_PER_MS)

static void format_clock(char *buf, size_t size, double seconds)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

static void draw(const progress *p, int64_t now, bool final)
{
    double elapsed = (double)(now - p->start_ns) / NS_PER_S;
    double fraction = p->total > 0 ? (double)p->done / (double)p->total : 1.0;
    char bar[BAR_WIDTH + 1];
    int filled = (int)(fraction * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';

    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char when[32] = "?";
    if (final)
        format_clock(when, sizeof when, elapsed);
    else if (rate > 0)
        format_clock(when, sizeof when, (double)(p->total - p->done) / rate);

    /* \r returns to the line start; \033[K clears what a longer line left. */
    fprintf(stderr, "\r%s %ld/%ld [%s] %3.0f%% %.1f/s %s %s\033[K%s", p->label, p->done,
            p->total, bar, 100 * fraction, rate, final ? "in" : "ETA", when, final ? "\n" : "");
    fflush(stderr);
}

void progress_start(progress *p, const char *label, long total, bool force)
{
    *p = (progress){
        .label = label,
        .total = total,
        .start_ns = now_ns(),
        .shown = force || isatty(STDERR_FILENO),
    };
    if (p->shown) {
        p->last_draw_ns = p->start_ns;
        draw(p, p->start_ns, false);
    }
}

void progress_advance(progress *p, long steps)
{
    p->done += steps;
    if (!p->shown)
        return;
    int64_t now = now_ns();
    if (now - p->last_draw_ns >= REDRAW_NS) {
        p->last_draw_ns = now;
        draw(p, now, false);
    }
}

void progress_clear(const progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

void progress_finish(progress *p)
{
    if (p->shown)
        draw(p, now_ns(), true);
}
