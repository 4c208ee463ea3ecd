#!/usr/bin/env bash
# Exercise 7.3 (more consumers than pills): with one pill fewer than there
# are consumers, `bounded_queue --shutdown pills` never ends: one consumer
# waits for an item that never comes. The checker gives it 5 s (the run
# with every pill takes milliseconds) and checks that `--shutdown close`
# still ends with every item delivered exactly once.
. tests/lib/exercise.bash
build chapter07/bounded_queue
prog=$CHECK_BUILD/chapter07/bounded_queue
status=0
timeout 5 "$prog" --producers 2 --consumers 3 --items 1000 --shutdown pills >"$CHECK_TMP/pills" 2>&1 || status=$?
[ "$status" -ne 0 ] ||
    fail "--shutdown pills still ends: every consumer got a pill ($(grep -m 1 received "$CHECK_TMP/pills"))"
[ "$status" -eq 124 ] ||
    fail "--shutdown pills failed instead of hanging (status $status): $(tail -n 2 "$CHECK_TMP/pills" | tr '\n' ' ')"
status=0
timeout 20 "$prog" --producers 2 --consumers 3 --items 1000 --shutdown close >"$CHECK_TMP/close" 2>&1 || status=$?
if [ "$status" -ne 0 ] || ! grep -q 'every item exactly once: yes' "$CHECK_TMP/close"; then
    fail "--shutdown close no longer ends with every item delivered once (status $status)"
fi
pass "one pill short, the run never ends (stopped after 5 s); closing the queue still ends it, every item delivered once"
