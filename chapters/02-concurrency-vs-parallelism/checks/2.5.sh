#!/usr/bin/env bash
# Exercise 2.5 (count the preemptions): parallelism reports a column
# median_nivcsw, the involuntary context switches of the process during one
# run (getrusage). Checked on one core with 4 threads: they must be
# preempted again and again, at least once per 50 ms of wall time (a
# scheduler slice is a few ms on Linux, at most some tens), and the
# column must be a count, never negative. No timing is checked.
. tests/lib/exercise.bash
build chapter02/parallelism
data=$CHECK_TMP/switches.tsv
"$CHECK_BUILD/chapter02/parallelism" --threads 1,4 --cpus 1 --work 4000000 --repeat 1 \
    --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "parallelism --threads 1,4 --cpus 1 fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
column "$data" median_nivcsw >/dev/null 2>&1 || fail "the data has no column median_nivcsw"
rows=$(paste <(column "$data" threads) <(column "$data" median_wall_s) <(column "$data" median_nivcsw))
awk '$3 < 0 || $3 != int($3) { bad = 1 } END { exit bad }' <<<"$rows" ||
    fail "median_nivcsw is not a count: $(tr '\n' ' ' <<<"$rows")"
read -r _ wall4 sw4 <<<"$(awk '$1 == 4' <<<"$rows")"
[ -n "$sw4" ] || fail "no row for 4 threads"
awk -v s="$sw4" -v w="$wall4" 'BEGIN { exit !(s >= w / 0.05) }' ||
    fail "4 threads on one core for $wall4 s were preempted $sw4 times: at least one switch per 50 ms expected (the scheduler slices the core among them)"
pass "4 threads on one core: $sw4 involuntary switches in $wall4 s, one every $(awk -v s="$sw4" -v w="$wall4" 'BEGIN { printf "%.1f", 1000 * w / s }') ms"
