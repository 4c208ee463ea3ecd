#!/usr/bin/env bash
# Exercise 10.5 (chunks to the rescue): the process pool takes the small
# tasks 100 to a message. Checked by counting, with strace, the write()
# calls of pitfalls and its workers over a run of 5,000 tasks of about a
# microsecond: handed out one at a time, every task is a write to a worker
# and a write of its result back, over 5,000 writes; in chunks of 100, some
# hundred. The pass line is a tenth of a write per task: ten times fewer
# than one at a time, ten times more than chunks of 100 need. The results
# are the program's own check (every task's against the serial one).
. tests/lib/exercise.bash
command -v strace >/dev/null || fail "strace is needed to count the pool's messages (apt-get install strace)"
build chapter10/pitfalls
data=$CHECK_TMP/pitfalls.tsv
strace -f -c -e trace=write -o "$CHECK_TMP/strace.txt" \
    "$CHECK_BUILD/chapter10/pitfalls" --pitfalls small-tasks --task-us 1 --work 5ms --repeat 1 --data "$data" \
    >"$CHECK_TMP/out.txt" 2>&1 || { tail -n 5 "$CHECK_TMP/out.txt" >&2; fail "pitfalls --pitfalls small-tasks fails (its messages are above)"; }
tasks=$(rows_where "$data" method process-pool | awk -F'\t' 'NR == 1 { print $4 }')
[[ "$tasks" =~ ^[0-9]+$ ]] || fail "no process-pool row in pitfalls' data"
writes=$(awk '$NF == "write" { print $4 }' "$CHECK_TMP/strace.txt")
[[ "$writes" =~ ^[0-9]+$ ]] || fail "strace counted no write() at all: is the process pool still run?"
[ $((writes * 10)) -le "$tasks" ] ||
    fail "$writes write() calls for $tasks small tasks: the pool still sends them one or a few at a time (chunks of 100 make it about $((2 * tasks / 100)))"
pass "$writes write() calls for $tasks small tasks: the process pool sends them in chunks"
