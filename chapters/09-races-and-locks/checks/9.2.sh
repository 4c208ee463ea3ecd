#!/usr/bin/env bash
# Exercise 9.2 (predict the forced schedule): the prediction in
# chapters/09-races-and-locks/answers/9.2.txt (a line `counter N`: what the
# counter ends at with --mode forced --steal 3) against what lost_updates
# prints, for threads and for processes. The forced schedule is exact on
# every machine, so the prediction must be too: no tolerance.
. tests/lib/exercise.bash
answer=chapters/09-races-and-locks/answers/9.2.txt
[ -f "$answer" ] || fail "no $answer: write your prediction there as a line 'counter N'"
predicted=$(awk '$1 == "counter" { print $2; exit }' "$answer")
[[ "$predicted" =~ ^[0-9]+$ ]] || fail "$answer has no line 'counter N' with a whole number N"

build chapter09/lost_updates
for kind in threads processes; do
    out=$CHECK_TMP/$kind.out
    "$CHECK_BUILD/chapter09/lost_updates" --mode forced --steal 3 --kind "$kind" >"$out" 2>&1 ||
        fail "lost_updates --mode forced --steal 3 --kind $kind fails: $(tail -n 1 "$out")"
    got=$(sed -n 's/^expected [0-9]*, got \([0-9]*\):.*/\1/p' "$out")
    [ -n "$got" ] || fail "lost_updates --kind $kind printed no 'expected N, got M' line"
    [ "$got" = "$predicted" ] ||
        fail "you predicted the counter at $predicted; with --kind $kind it ends at $got ($(tail -n 1 "$out"))"
done
pass "the counter ends at $predicted, as you predicted, with threads and with processes: A's stale write erases B's 3 updates"
