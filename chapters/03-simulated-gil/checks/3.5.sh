#!/usr/bin/env bash
# Exercise 3.5 (what a tick is): with GIL_TICKS_PER_UNIT at 1, the old GIL
# lets go once every 101 units (the check interval of 100 ticks, counted
# down past zero), not every 101 / 3. Checked by a probe that runs one
# simulated thread under the old GIL for 10,100 units, one at a time, and
# counts the releases (the ticker jumping back up): deterministic, no
# timing. The gil_cpu speeds are not checked.
. tests/lib/exercise.bash
build libworkbook.a
cat >"$CHECK_TMP/probe.c" <<'PROBE'
#include <stdio.h>
#include "gil.h"
#include "interp.h"
int main(void)
{
    gil g;
    gil_init(&g, GIL_OLD, GIL_DEFAULT_INTERVAL_US);
    gil_thread t;
    gil_thread_init(&t, &g, 0, 0);
    interp_begin(&t);
    long releases = 0, before = g.ticker;
    for (int i = 0; i < 10100; i++) {
        interp_run(&t, 1);
        if (g.ticker > before)
            releases++;
        before = g.ticker;
    }
    interp_end(&t);
    gil_thread_free(&t);
    gil_destroy(&g);
    printf("%ld\n", releases);
    return 0;
}
PROBE
"${CC:-cc}" -std=c11 -pthread -Icommon -o "$CHECK_TMP/probe" "$CHECK_TMP/probe.c" "$CHECK_BUILD/libworkbook.a" -lm -lrt \
    >"$CHECK_TMP/probe.log" 2>&1 || { tail -n 5 "$CHECK_TMP/probe.log" >&2; fail "common/gil.h no longer compiles in the probe (messages above)"; }
releases=$("$CHECK_TMP/probe")
[ "$releases" -gt 0 ] || fail "the old GIL never let go in 10,100 units"
[ "$releases" -eq 100 ] ||
    fail "the old GIL let go $releases times in 10,100 units, once every $((10100 / releases)): at 1 tick a unit it lets go every 101 units (100 times)"
pass "the old GIL lets go 100 times in 10,100 units, once every 101: one tick a unit, a third as often as CPython 2.7's three"
