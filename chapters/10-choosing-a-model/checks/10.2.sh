#!/usr/bin/env bash
# Exercise 10.2 (no failures): chapters/10-choosing-a-model/answers/10.2.txt
# says how many calls 100 users take with the server's failures and slow
# answers (a line `calls: N`) and without them (`calls_no_failures: N`),
# for `case_study --users 100 --methods threads --gil none`. The checker
# makes both runs itself (a shorter latency and CPU step, which change no
# call: the server decides each attempt's fate from the user's number and
# the attempt's) and compares. Tolerance: 2 calls, for an answer that
# timed out on an overloaded machine in the reader's run or in the
# checker's.
. tests/lib/exercise.bash
answer=chapters/10-choosing-a-model/answers/10.2.txt
[ -f "$answer" ] || fail "no $answer: write the calls you measured, 'calls: N' (defaults) and 'calls_no_failures: N'"
build chapter10/case_study

# calls ARGS...: the calls column of a threads run of 100 users.
calls() {
    local data=$CHECK_TMP/calls.tsv
    "$CHECK_BUILD/chapter10/case_study" --users 100 --methods threads --gil none --latency 5ms --sd 2ms \
        --cpu 1000 --repeat 1 --data "$data" "$@" >"$CHECK_TMP/out.txt" 2>&1 ||
        { tail -n 5 "$CHECK_TMP/out.txt" >&2; fail "case_study --users 100 $* fails (its messages are above)"; }
    column "$data" calls | head -n 1
}
# said KEY: the number on the answer's line `KEY: N`.
said() {
    answer "$answer" "$1" | grep -oE '[0-9]+' | head -n 1 || true
}
with=$(calls)
without=$(calls --fail-rate 0 --slow-rate 0)
[ "$without" -eq 100 ] || fail "without failures 100 users made $without calls, not one each: does every user still get its one call?"
for key in calls calls_no_failures; do
    n=$(said "$key")
    [ -n "$n" ] || fail "$answer has no line '$key: N'"
    want=$with
    [ "$key" = calls_no_failures ] && want=$without
    { [ $((n - want)) -le 2 ] && [ $((want - n)) -le 2 ]; } ||
        fail "your $key: $n, but the checker's run made $want calls for 100 users"
done
pass "100 users take $with calls with the server's failures and slow answers, $without without: $((with - 100)) retries, as you said"
