#!/usr/bin/env bash
# Exercise 2.4 (sleep is not work): each thread sleeps instead of computing.
# Checked on one core, by what the program reports and never by speed:
# sleeping threads use almost no CPU (CPU time at most a tenth of the wall
# time), and 8 of them take less than twice as long as 1, since they sleep
# at the same time (8 computing threads on one core take 8 times as long).
. tests/lib/exercise.bash
build chapter02/parallelism
data=$CHECK_TMP/sleep.tsv
"$CHECK_BUILD/chapter02/parallelism" --threads 1,8 --cpus 1 --work 4000000 --repeat 1 \
    --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "parallelism --threads 1,8 --cpus 1 fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
row() { paste <(column "$data" threads) <(column "$data" median_wall_s) <(column "$data" median_cpu_s) |
        awk -v t="$1" '$1 == t { print $2, $3 }'; }
read -r wall1 _ <<<"$(row 1)"
read -r wall8 cpu8 <<<"$(row 8)"
[[ -n "$wall1" && -n "$wall8" ]] || fail "no rows for 1 and 8 threads in the data"
awk -v c="$cpu8" -v w="$wall8" 'BEGIN { exit !(c <= 0.1 * w) }' ||
    fail "8 threads used $cpu8 s of CPU in $wall8 s: they still compute (a sleeping thread uses almost none)"
awk -v a="$wall8" -v b="$wall1" 'BEGIN { exit !(a < 2 * b) }' ||
    fail "8 threads took $wall8 s against $wall1 s for one: they do not sleep at the same time"
pass "on one core 8 sleeping threads took $wall8 s (1 thread: $wall1 s) with $cpu8 s of CPU"
