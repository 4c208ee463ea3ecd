#!/usr/bin/env bash
# Exercise 5.4 (big arguments): overhead takes --input-kib N and every task
# then carries N KiB more input: the process pool's bytes per task (the
# pool's own count of what went through its pipes) grows by at least N KiB,
# the thread pool's stays 0 (it passes pointers), and every task still
# comes back doubled (overhead checks that itself). No timing is checked.
. tests/lib/exercise.bash
build chapter05/overhead
prog=$CHECK_BUILD/chapter05/overhead
data=$CHECK_TMP/big.tsv
"$prog" --input-kib 64 --chunks 1 --tasks 200 --repeat 1 --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "overhead --input-kib 64 fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
"$prog" --chunks 1 --tasks 200 --repeat 1 --data "$CHECK_TMP/small.tsv" >"$CHECK_TMP/out" 2>&1 ||
    fail "overhead without --input-kib fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
bytes() { rows_where "$1" pool "$2" | head -n 1 | awk -F'\t' '{ print $NF }'; }
big=$(bytes "$data" c-processes) small=$(bytes "$CHECK_TMP/small.tsv" c-processes)
threads=$(bytes "$data" c-threads)
{ [ -n "$big" ] && [ -n "$threads" ]; } || fail "overhead wrote no c-processes or c-threads row"
awk -v b="$big" -v s="$small" 'BEGIN { exit !(b - s >= 65536) }' ||
    fail "with --input-kib 64 the process pool moves $big bytes per task, against $small without: less than 64 KiB more"
awk -v t="$threads" 'BEGIN { exit !(t == 0) }' ||
    fail "the thread pool now moves $threads bytes per task: it should hand its workers a pointer, not copy"
pass "64 KiB more per task through the process pool's pipes ($small -> $big bytes), none through the thread pool"
