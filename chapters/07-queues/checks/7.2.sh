#!/usr/bin/env bash
# Exercise 7.2 (capacity): chapters/07-queues/answers/7.2.txt predicts how
# often, at capacity 1 with the producer on one core and the consumer on the
# other, a thread finds the queue full or empty and waits, per item,
# producer and consumer together (a line `capacity_1: N`). The checker
# measures it itself: bounded_queue --measure --capacity counts the queue's
# own waits (median_waits_per_msg, the median of three runs), which neither
# other processes nor blocks on the mutex add to, and accepts a prediction
# within 25% of the measurement. It needs two cores, as the question does.
. tests/lib/exercise.bash
answer=chapters/07-queues/answers/7.2.txt
[ -f "$answer" ] || fail "write your prediction in $answer first (a line 'capacity_1: N')"
said=$(answer "$answer" capacity_1 | tr -d ' ')
[[ "$said" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "$answer needs a line 'capacity_1: N' with a number"
[ "$(nproc)" -ge 2 ] || fail "the question is about two cores, and this machine has one: check it on one with two"
build chapter07/bounded_queue
data=$CHECK_TMP/capacity.tsv
"$CHECK_BUILD/chapter07/bounded_queue" --measure --producers 1 --bytes 64 --capacity 1 \
    --items 20000 --repeat 3 --placement two-cores --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "bounded_queue --measure --capacity 1 fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
waits=$(column "$data" median_waits_per_msg) ||
    fail "bounded_queue --measure --capacity 1 wrote no median_waits_per_msg column"
awk -v a="$said" -v m="$waits" 'BEGIN { d = a - m; if (d < 0) d = -d; exit !(d <= 0.25 * m) }' ||
    fail "you predicted $said waits per item at capacity 1; measured on two cores: $waits"
pass "waits per item at capacity 1 on two cores: predicted $said, measured $waits"
