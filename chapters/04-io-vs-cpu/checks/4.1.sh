#!/usr/bin/env bash
# Exercise 4.1 (beyond one task per thread): answers/4.1.txt predicts, on a
# line 'seconds S', the wall time of the 16-task sleep batch with 32
# threads. The checker measures it itself and accepts a prediction within
# 25% of its measurement: a batch of sleeps takes about as long on any
# machine, loaded or not, and 25% still tells one round of sleeps from half
# of one. The median of three batches: one batch can stall for tens of ms
# on a busy virtual machine, which is a third of the 25%.
. tests/lib/exercise.bash
answer=chapters/04-io-vs-cpu/answers/4.1.txt
[ -f "$answer" ] || fail "no $answer: write your prediction on a line 'seconds S'"
predicted=$(awk '$1 == "seconds" { print $2; exit }' "$answer")
[[ "$predicted" =~ ^[0-9]*[.]?[0-9]+$ ]] || fail "$answer has no line 'seconds S' with a number"
build chapter04/scaling
data=$CHECK_TMP/sleep.tsv
"$CHECK_BUILD/chapter04/scaling" --workloads sleep --modes threads --gil new --io-workers 32 \
    --repeat 3 --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "scaling --io-workers 32 fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
measured=$(paste <(column "$data" workers) <(column "$data" median_s) | awk '$1 == 32 { print $2 }')
[ -n "$measured" ] || fail "scaling wrote no row with 32 workers"
awk -v p="$predicted" -v m="$measured" 'BEGIN { exit !(p >= 0.75 * m && p <= 1.25 * m) }' ||
    fail "you predicted $predicted s for 32 threads; measured $measured s (within 25% passes)"
pass "you predicted $predicted s; 32 threads took $measured s: one round of sleeps, however many threads wait"
