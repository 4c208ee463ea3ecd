#!/usr/bin/env bash
# Exercise 7.2 (capacity): chapters/07-queues/answers/7.2.txt predicts how
# often the threads block per item at capacity 1 (a line `capacity_1: N`,
# producer and consumer together). The checker measures it itself
# (bounded_queue --measure, median_vcsw_per_msg: voluntary switches, which
# other processes on the machine do not cause) on one core and, with two
# cores, on two, and accepts a prediction within 25% of each measurement.
. tests/lib/exercise.bash
answer=chapters/07-queues/answers/7.2.txt
[ -f "$answer" ] || fail "write your prediction in $answer first (a line 'capacity_1: N')"
said=$(answer "$answer" capacity_1 | tr -d ' ')
[[ "$said" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "$answer needs a line 'capacity_1: N' with a number"
build chapter07/bounded_queue
placements=one-core
[ "$(nproc)" -ge 2 ] && placements=one-core,two-cores
data=$CHECK_TMP/capacity.tsv
"$CHECK_BUILD/chapter07/bounded_queue" --measure --producers 1 --bytes 64 --capacity 1 \
    --items 20000 --repeat 1 --placement "$placements" --data "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "bounded_queue --measure --capacity 1 fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
measured=$(paste <(column "$data" placement) <(column "$data" median_vcsw_per_msg) | tr '\t' ' ')
while read -r placement vcsw; do
    awk -v a="$said" -v m="$vcsw" 'BEGIN { d = a - m; if (d < 0) d = -d; exit !(d <= 0.25 * m) }' ||
        fail "you predicted $said blocks per item at capacity 1; measured on $placement: $vcsw"
done <<<"$measured"
pass "blocks per item at capacity 1: predicted $said, measured $(tr '\n' ';' <<<"$measured" | sed 's/;$//; s/;/, /g')"
