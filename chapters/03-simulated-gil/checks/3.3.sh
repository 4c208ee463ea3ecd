#!/usr/bin/env bash
# Exercise 3.3 (no forced switching): gil_switches --no-forced-switching
# lets a holder that was asked to drop the GIL take it straight back. Read
# from the trace: a hold that ended by a drop request followed, next in
# time, by a hold of the same thread (a retake). With forced switching, the
# default, there is never one (a behaviour, not a speed: the tests of
# chapter 3 hold it on every trace). The rates themselves are not checked.
. tests/lib/exercise.bash
build chapter03/gil_switches
prog=$CHECK_BUILD/chapter03/gil_switches

# retakes TRACE: holds ended by a drop request after which the same thread
# held the GIL next.
retakes() {
    grep -v '^#' "$1" | tail -n +2 | sort -t$'\t' -k2,2g |
        awk -F'\t' 'asked && $1 == last { n++ } { last = $1; asked = ($4 == "drop-request") } END { print n + 0 }'
}
# requests TRACE: holds ended by a drop request.
requests() { grep -v '^#' "$1" | awk -F'\t' '$4 == "drop-request" { n++ } END { print n + 0 }'; }

run() {
    "$prog" --gil new --threads 2 --intervals 1ms --duration 200ms "$@" >"$CHECK_TMP/out" 2>&1
}
run --no-forced-switching --trace "$CHECK_TMP/off.tsv" ||
    fail "gil_switches --no-forced-switching fails: $(head -n 1 "$CHECK_TMP/out")"
run --trace "$CHECK_TMP/on.tsv" || fail "gil_switches without --no-forced-switching fails: $(head -n 1 "$CHECK_TMP/out")"

[ "$(retakes "$CHECK_TMP/on.tsv")" -eq 0 ] ||
    fail "with forced switching (the default) a holder took the GIL straight back after a drop request: the default must stay CPython's"
off=$(retakes "$CHECK_TMP/off.tsv")
asked=$(requests "$CHECK_TMP/off.tsv")
[ "$asked" -gt 0 ] || fail "--no-forced-switching: no hold ended by a drop request in 200 ms of two threads"
[ "$off" -gt 0 ] ||
    fail "--no-forced-switching: after all $asked drop requests another thread took the GIL: the holder still waits on switch_cond"
pass "without forced switching the holder took the GIL straight back after $off of $asked drop requests; with it, never"
