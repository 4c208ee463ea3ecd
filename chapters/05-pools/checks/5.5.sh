#!/usr/bin/env bash
# Exercise 5.5 (stop, for real): answers/5.5.txt lists, for
# `pool_errors --fail 3 --chunk 5`, the tasks of the failing chunk (0 to 4)
# that are done and those cancelled. A chunk runs in order in one worker,
# so these do not depend on timing: the checker runs pool_errors three
# times itself and compares every run's statuses of tasks 0 to 4. (The
# other chunk's fate depends on how far its worker got: not asked.)
. tests/lib/exercise.bash
answer=chapters/05-pools/answers/5.5.txt
[ -f "$answer" ] || fail "no $answer: write a line 'done N N ...' and a line 'cancelled N ...' for tasks 0 to 4"
said() { awk -v k="$1" '$1 == k { $1 = ""; print }' "$answer" | tr -s ' ,' '\n' | grep . | sort -n | tr '\n' ' '; }
done_said=$(said "done") cancelled_said=$(said cancelled)
[ -n "$done_said" ] || fail "$answer has no line 'done N N ...'"
build chapter05/pool_errors
for run in 1 2 3; do
    "$CHECK_BUILD/chapter05/pool_errors" --fail 3 --chunk 5 --task-time 20ms >"$CHECK_TMP/out" 2>&1 ||
        fail "pool_errors --fail 3 --chunk 5 fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
    got() { awk -v s="$1" '/^input/ { i = $2; sub(/:/, "", i); if (i <= 4 && $3 == s) print i }' "$CHECK_TMP/out" | sort -n | tr '\n' ' '; }
    [ "$(got "done")" = "$done_said" ] ||
        fail "run $run: tasks done in the failing chunk: ${done_said:-none} you said, $(got "done") it printed"
    [ "$(got cancelled)" = "$cancelled_said" ] ||
        fail "run $run: tasks cancelled in the failing chunk: ${cancelled_said:-none} you said, $(got cancelled) it printed"
done
pass "in the failing chunk, done: $done_said; cancelled: $cancelled_said — as you said, in 3 runs of 3"
