#!/usr/bin/env bash
# Exercise 1.4 (shared after all): with `value` in a MAP_SHARED mapping, the
# parent reads the child's write after waitpid(), and the thread's write
# still shows after pthread_join().
. tests/lib/exercise.bash
build chapter01/isolation
out=$CHECK_TMP/out
"$CHECK_BUILD/chapter01/isolation" --value 7 >"$out" 2>&1 ||
    fail "isolation --value 7 fails: $(head -n 2 "$out" | tr '\n' ' ')"
line=$(grep 'after waitpid' "$out" || true)
[ -n "$line" ] || fail "isolation no longer prints its 'after waitpid' line"
[[ "$line" == *"value=7"* ]] ||
    fail "after waitpid the parent still reads its own copy: '$line' (expected value=7, the child's write)"
grep -q 'after pthread_join, value=7' "$out" ||
    fail "the thread's write no longer shows after pthread_join"
pass "after waitpid the parent reads the child's 7: the page is shared, not copied"
