#!/usr/bin/env bash
# Exercise 4.3 (one core): answers/4.3.txt says, for sleep and for
# factorize, whether pinning the program to one core leaves its parallel
# batches as fast ('same') or makes them slower ('slower'). The checker runs
# both on one core itself (taskset -c 0; two threads without a GIL for
# factorize, sixteen for sleep) and compares with the speed-up over serial:
# at least 8 is 'same' (sixteen waits overlap anywhere), at most 1.25 is
# 'slower' (one core cannot compute two things at once: 1 plus noise).
# Short tasks (sleeps of 20 ms, small factorizations), the median of 3.
. tests/lib/exercise.bash
answer=chapters/04-io-vs-cpu/answers/4.3.txt
[ -f "$answer" ] || fail "no $answer: write a line 'sleep same|slower' and a line 'factorize same|slower'"
said() { awk -v k="$1" '$1 == k { print $2; exit }' "$answer"; }
for w in sleep factorize; do
    [[ "$(said $w)" == same || "$(said $w)" == slower ]] || fail "$answer: the '$w' line must say same or slower"
done
command -v taskset >/dev/null || fail "taskset (util-linux) is needed to pin the program to one core"
build chapter04/scaling
data=$CHECK_TMP/one-core.tsv
taskset -c 0 "$CHECK_BUILD/chapter04/scaling" --workloads sleep,factorize --modes threads --gil none \
    --io-workers 16 --cpu-workers 2 --sleep 20ms --factorize-base 2000001 --repeat 3 --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "taskset -c 0 scaling fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
speedup() { rows_where "$data" workload "$1" | awk -F'\t' '$3 == "threads" { print $13 }'; }
sleep_x=$(speedup sleep) factorize_x=$(speedup factorize)
{ [ -n "$sleep_x" ] && [ -n "$factorize_x" ]; } || fail "scaling wrote no threads rows for sleep and factorize"
awk -v s="$sleep_x" -v f="$factorize_x" 'BEGIN { exit !(s >= 8 && f <= 1.25) }' ||
    fail "on one core: sleep ${sleep_x}x, factorize ${factorize_x}x: not the clear picture this check needs (is taskset obeyed?)"
[ "$(said sleep)" = same ] || fail "sleep on one core: you said $(said sleep); measured ${sleep_x}x with 16 threads: waiting needs no core"
[ "$(said factorize)" = slower ] ||
    fail "factorize on one core: you said $(said factorize); measured ${factorize_x}x with 2 threads: computing needs a core each"
pass "on one core: sleep ${sleep_x}x with 16 threads (same), factorize ${factorize_x}x with 2 (slower), as you said"
