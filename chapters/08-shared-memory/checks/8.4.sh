#!/usr/bin/env bash
# Exercise 8.4 (writable sharing): parent and child each add 1 to the shared
# counter --count times. How many additions survive on two cores is a race
# (chapter 9): in lock step, nearly half can be lost. So the checker also
# runs 10,000 additions a side pinned to one core, where a side is set back
# only when a preemption falls between a load and its store, and 10,000
# additions take a few tens of microseconds, far less than a time slice: in
# one of three runs at least the counter must show more than the child's
# additions (the parent's show too). Always: no more than both sides', and
# the private counter still reads 0.
. tests/lib/exercise.bash
build chapter08/shared_vs_private
count=1000000
command -v taskset >/dev/null || fail "taskset (util-linux) is needed to run the counters on one core"

# counters [taskset -c 0]: run it; sets $shared and $private.
counters() {
    local out=$CHECK_TMP/out
    "$@" "$CHECK_BUILD/chapter08/shared_vs_private" --count "$count" >"$out" 2>&1 ||
        fail "shared_vs_private --count $count fails: $(head -n 2 "$out" | tr '\n' ' ')"
    shared=$(sed -n 's/^shared .*the parent reads \([0-9]*\)$/\1/p' "$out")
    private=$(sed -n 's/^private .*the parent reads \([0-9]*\)$/\1/p' "$out")
    { [ -n "$shared" ] && [ -n "$private" ]; } || fail "shared_vs_private no longer prints its 'shared' and 'private' lines"
    [ "$private" = 0 ] || fail "the private mapping reads $private, not 0: the parent must add to the shared counter only"
    [ "$shared" -le $((2 * count)) ] || fail "the shared counter reads $shared, more than the two sides' $((2 * count)) additions"
}
counters
both=$shared all=$count
count=10000
for _ in 1 2 3; do
    counters taskset -c 0
    [ "$shared" -gt "$count" ] && break
done
[ "$shared" -gt "$count" ] ||
    fail "on one core the shared counter reads $shared: no more than the child's $count, so the parent's additions are missing"
pass "on one core $shared of $((2 * count)) additions show; on all cores $both of $((2 * all)): both sides write one page, and unsynchronized additions get lost (chapter 9)"
