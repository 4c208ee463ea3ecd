#!/usr/bin/env bash
# Exercise 9.5 (three locks): deadlock --threads 3 takes A->B, B->C, C->A,
# deadlocks, exits 3 and names the whole cycle; --order same completes with
# three threads; the two-thread program still works. No timing is checked
# beyond the program's own timeout.
. tests/lib/exercise.bash
build chapter09/deadlock
prog=$CHECK_BUILD/chapter09/deadlock
out=$CHECK_TMP/out

status=0
timeout 60 "$prog" --threads 3 --rounds 1 --timeout 200ms >"$out" 2>&1 || status=$?
[ "$status" -ne 2 ] || fail "deadlock does not take --threads 3: $(head -n 1 "$out")"
[ "$status" -eq 3 ] || fail "deadlock --threads 3 exits $status, not 3 (the deadlock status): $(tr '\n' ' ' <"$out")"
for link in "1 holds A.*for B, held by thread 2" "2 holds B.*for C, held by thread 3" "3 holds C.*for A, held by thread 1"; do
    grep -q "thread $link" "$out" || fail "the report does not name the cycle: no 'thread ${link//.\*/ ... }' in: $(tr '\n' ' ' <"$out")"
done

timeout 60 "$prog" --threads 3 --order same --rounds 2 --timeout 2s >"$out" 2>&1 ||
    fail "deadlock --threads 3 --order same does not complete: $(tr '\n' ' ' <"$out")"
grep -q '^done' "$out" || fail "deadlock --threads 3 --order same says no 'done'"

status=0
timeout 60 "$prog" --rounds 1 --timeout 200ms >"$out" 2>&1 || status=$?
if [ "$status" -ne 3 ] || ! grep -q 'thread 2 holds B.*for A, held by thread 1' "$out"; then
    fail "the two-thread deadlock no longer reports as before (status $status): $(tr '\n' ' ' <"$out")"
fi
pass "three threads in a ring deadlock and the report names the cycle A->B->C->A; one lock order (A before B before C) completes"
