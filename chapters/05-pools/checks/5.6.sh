#!/usr/bin/env bash
# Exercise 5.6 (Python's view): answers/5.6.txt says, for twenty tasks of
# 10 ms on a ThreadPoolExecutor of one thread whose task raises for input 5,
# how many results the caller gets from executor.map before the exception
# comes out ('map_before N'), and whether the other nineteen tasks all ran
# ('others_ran yes|no'). The checker runs this in CPython itself and
# compares: both are fixed by how concurrent.futures works (the 14 tasks
# after the failure would need 140 ms, the caller's reaction takes
# microseconds), the same on any machine.
. tests/lib/exercise.bash
answer=chapters/05-pools/answers/5.6.txt
[ -f "$answer" ] || fail "no $answer: write a line 'map_before N' and a line 'others_ran yes|no'"
said() { awk -v k="$1" '$1 == k { print $2; exit }' "$answer"; }
[[ "$(said map_before)" =~ ^[0-9]+$ ]] || fail "$answer has no line 'map_before N' with a number"
[[ "$(said others_ran)" == yes || "$(said others_ran)" == no ]] || fail "$answer: the 'others_ran' line must say yes or no"
command -v python3 >/dev/null || fail "python3 is needed to run the executor"
cat >"$CHECK_TMP/view.py" <<'PY'
import concurrent.futures, threading, time
done = set()
lock = threading.Lock()
def double_it(x):
    time.sleep(0.01)
    if x == 5:
        raise ValueError("input 5 is not allowed")
    with lock:
        done.add(x)
    return 2 * x
got = 0
with concurrent.futures.ThreadPoolExecutor(1) as pool:
    try:
        for _ in pool.map(double_it, range(20)):
            got += 1
    except ValueError:
        pass
print(got, "yes" if len(done) == 19 else "no")
PY
read -r before ran < <(python3 "$CHECK_TMP/view.py") || fail "the executor run failed"
[ "$(said map_before)" = "$before" ] ||
    fail "map: you said $(said map_before) results before the exception; CPython handed over $before"
[ "$(said others_ran)" = "$ran" ] || fail "the other tasks ran to the end: you said $(said others_ran), CPython says $ran"
pass "map hands over $before results, then raises; the other tasks ran to the end: $ran — as you said"
