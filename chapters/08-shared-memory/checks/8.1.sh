#!/usr/bin/env bash
# Exercise 8.1 (the pickle tax): answers/8.1.txt predicts how many times more
# bytes the pipe method sends with --per-task 1 than with --per-task 48, and
# names Python's equivalent of --per-task. The checker measures the ratio of
# mib_sent itself (a count of bytes, not a time: the same on any machine)
# and accepts a prediction within 10% of it.
. tests/lib/exercise.bash
answer=chapters/08-shared-memory/answers/8.1.txt
[ -f "$answer" ] || fail "no $answer: write your predicted ratio on a line 'ratio N' and Python's name for --per-task on a line 'python NAME'"
predicted=$(awk '$1 == "ratio" { print $2; exit }' "$answer")
[[ "$predicted" =~ ^[0-9]+([.][0-9]+)?$ ]] || fail "$answer has no line 'ratio N' with a number"
grep -Eqi '^python[[:space:]]+.*chunksize' "$answer" ||
    fail "$answer: the 'python' line does not name the argument of pool.map that plays --per-task's part"

build chapter08/shared_matrix
prog=$CHECK_BUILD/chapter08/shared_matrix
for per in 1 48; do
    "$prog" --methods pipe --sizes 1000 --per-task "$per" --repeat 1 --data "$CHECK_TMP/$per.tsv" >"$CHECK_TMP/out" 2>&1 ||
        fail "shared_matrix --methods pipe --per-task $per fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
done
one=$(column "$CHECK_TMP/1.tsv" mib_sent)
many=$(column "$CHECK_TMP/48.tsv" mib_sent)
measured=$(awk -v a="$one" -v b="$many" 'BEGIN { printf "%.1f", a / b }')
awk -v p="$predicted" -v m="$measured" 'BEGIN { exit !(p >= 0.9 * m && p <= 1.1 * m) }' ||
    fail "you predicted $predicted times as many bytes; measured: $one MiB against $many MiB, $measured times (within 10% passes)"
pass "predicted $predicted times the bytes, measured $measured ($one MiB against $many MiB): one matrix per task, 192 tasks against 4"
