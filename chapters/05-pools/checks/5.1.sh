#!/usr/bin/env bash
# Exercise 5.1 (order): answers/5.1.txt says, for equal tasks (--sd 0ms) and
# for very unequal ones (--sd 300ms --workers 2), whether map and
# as_completed hand the results over equally soon ("same") or as_completed
# sooner ("as_completed"). The checker runs both itself, three times, and
# takes the verdict of two, each from the mean wait for a result: within 3%
# counts as the same (equal sleeps take as long on any machine), as_completed
# more than 3% sooner as sooner (the seed fixes the durations, so the gap is
# the same on any machine).
. tests/lib/exercise.bash
answer=chapters/05-pools/answers/5.1.txt
[ -f "$answer" ] || fail "no $answer: write a line 'sd0 same|as_completed' and a line 'sd300 same|as_completed'"
said() { awk -v k="$1" '$1 == k { print $2; exit }' "$answer"; }
build chapter05/completion_order
prog=$CHECK_BUILD/chapter05/completion_order

# one_verdict ARGS...: "same" or "as_completed", from one run's mean waits.
one_verdict() {
    "$prog" "$@" >"$CHECK_TMP/out" 2>&1 ||
        fail "completion_order $* fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
    awk '/^mean wait/ { m = $7; a = $10; gsub(/[^0-9.]/, "", m); gsub(/[^0-9.]/, "", a)
                        print (a < 0.97 * m) ? "as_completed" : "same"; found = 1 }
         END { exit !found }' "$CHECK_TMP/out" ||
        fail "completion_order no longer prints its 'mean wait' line"
}

# verdict ARGS...: the verdict of two runs out of three. The gap with unequal
# tasks is a few percent, so one stalled sleep on a busy machine can move a
# single run's mean wait across the line; it seldom moves two of three.
verdict() {
    local votes="" vote _
    for _ in 1 2 3; do
        vote=$(one_verdict "$@") || exit 1   # fail has written the verdict
        votes+="$vote"$'\n'
    done
    printf '%s' "$votes" | sort | uniq -c | awk '$1 >= 2 { print $2 }'
}
for case in sd0 sd300; do
    predicted=$(said "$case")
    [[ "$predicted" == same || "$predicted" == as_completed ]] ||
        fail "$answer: the '$case' line must say same or as_completed"
done
even=$(verdict --sd 0ms) || exit 1
uneven=$(verdict --sd 300ms --workers 2) || exit 1
[ "$(said sd0)" = "$even" ] || fail "with --sd 0ms you said $(said sd0); measured: $even (mean waits within 3% are the same)"
[ "$(said sd300)" = "$uneven" ] || fail "with --sd 300ms --workers 2 you said $(said sd300); measured: $uneven"
pass "equal tasks: $even; unequal tasks: $uneven, as you said"
