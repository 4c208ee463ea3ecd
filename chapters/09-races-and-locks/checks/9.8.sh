#!/usr/bin/env bash
# Exercise 9.8 (what ThreadSanitizer sees): with plain data in the relaxed
# and release-acquire ways, ThreadSanitizer reports the relaxed way (a data
# race on the data) and not the release-acquire way. It builds
# message_passing with -fsanitize=thread in the scratch folder.
. tests/lib/exercise.bash
[ "$(nproc)" -ge 2 ] || fail "message_passing needs two cores to pin its two threads"
tsan=$CHECK_TMP/tsan
if ! make --no-print-directory -s BUILD="$tsan" OPT="-O1 -g" SAN="-fsanitize=thread" "$tsan/chapter09/message_passing" \
    >"$CHECK_TMP/build.log" 2>&1; then
    tail -n 20 "$CHECK_TMP/build.log" >&2
    fail "message_passing does not build with -fsanitize=thread (the compiler's messages are above)"
fi
prog=$tsan/chapter09/message_passing
out=$CHECK_TMP/out

status=0
timeout 120 "$prog" --variants release-acquire --rounds 10000 >"$out" 2>&1 || status=$?
if [ "$status" -ne 0 ] || grep -q ThreadSanitizer "$out"; then
    fail "ThreadSanitizer reports the release-acquire way (status $status): it should not, the release and the acquire order the data; $(grep -m 1 -A 2 'WARNING' "$out" | tr '\n' ' ')"
fi

status=0
timeout 120 "$prog" --variants relaxed --rounds 10000 >"$out" 2>&1 || status=$?
if [ "$status" -ne 66 ] || ! grep -q 'WARNING: ThreadSanitizer: data race' "$out"; then
    fail "ThreadSanitizer does not report the relaxed way (status $status): its data is still atomic, or still ordered"
fi
grep -q "message" "$out" || fail "ThreadSanitizer's report does not name the message"
pass "ThreadSanitizer reports the relaxed way (a data race on the message's plain data) and not the release-acquire way"
