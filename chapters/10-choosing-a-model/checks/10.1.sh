#!/usr/bin/env bash
# Exercise 10.1 (the GIL's share): chapters/10-choosing-a-model/answers/10.1.txt
# says how many times more CPU time the users take with --cpu 20000001 than
# with the default 2000001 (a line `cpu_ratio: N`). The checker measures it
# itself: 20 users, threads without a GIL, both settings, the CPU time
# (user + system) of the whole program. CPU time, not wall time: it does
# not depend on the cores free, only on the work. Within 25%: the program's
# own CPU outside the CPU step (threads, sockets, the server's start) is a
# few per cent of the default run's. Each setting runs three times and the
# median counts: the first run in a fresh build once took half as much CPU
# again as the ones after it (the start of a cold program), enough alone to
# move the ratio out of bounds.
. tests/lib/exercise.bash
answer=chapters/10-choosing-a-model/answers/10.1.txt
[ -f "$answer" ] || fail "no $answer: predict, measure, and write the CPU time's growth as a line 'cpu_ratio: N'"
build chapter10/case_study
cpu() {
    local data=$CHECK_TMP/cpu.tsv
    "$CHECK_BUILD/chapter10/case_study" --users 20 --methods threads --gil none --latency 5ms --sd 2ms \
        --repeat 3 --data "$data" "$@" >"$CHECK_TMP/out.txt" 2>&1 ||
        { tail -n 5 "$CHECK_TMP/out.txt" >&2; fail "case_study --users 20 $* fails (its messages are above)"; }
    column "$data" cpu_s | head -n 1
}
base=$(cpu)
more=$(cpu --cpu 20000001)
ratio=$(awk -v a="$more" -v b="$base" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
said=$(answer_number "$answer" cpu_ratio)
[ -n "$said" ] || fail "$answer has no line 'cpu_ratio: N'"
awk -v s="$said" -v r="$ratio" 'BEGIN { exit !(s >= r * 0.75 && s <= r * 1.25) }' ||
    fail "your cpu_ratio: $said, but the CPU time grew $ratio times here ($base s to $more s; within 25% passes)"
pass "the CPU time grew $ratio times ($base s to $more s), as you said ($said)"
