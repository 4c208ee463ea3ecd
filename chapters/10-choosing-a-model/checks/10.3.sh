#!/usr/bin/env bash
# Exercise 10.3 (more threads): chapters/10-choosing-a-model/answers/10.3.txt
# says how many calls are in flight at once with 256 workers (a line
# `in_flight: N`) and what one more thread costs in memory (a line
# `kib_per_thread: N`). The checker runs `case_study --users 500 --methods
# threads --gil none` with 8 and with 256 workers and takes the second
# run's extra peak memory over its 248 extra threads. Memory, not
# time: the kernel's high-water marks, the same from run to run within a
# few pages; the answer must be within a factor of 2 of the checker's, the
# difference between a thread's touched stack and C-library memory (some
# KiB) and its whole stack (8 MiB of address space, not memory).
. tests/lib/exercise.bash
answer=chapters/10-choosing-a-model/answers/10.3.txt
[ -f "$answer" ] || fail "no $answer: write 'in_flight: N' (256 workers) and 'kib_per_thread: N'"
build chapter10/case_study

# run_with WORKERS: the peak memory per call in flight (KiB) and the calls in
# flight, of one run.
run_with() {
    local data=$CHECK_TMP/w$1.tsv
    "$CHECK_BUILD/chapter10/case_study" --users 500 --methods threads --gil none --workers "$1" \
        --latency 5ms --sd 2ms --cpu 1000 --repeat 1 --data "$data" >"$CHECK_TMP/out.txt" 2>&1 ||
        { tail -n 5 "$CHECK_TMP/out.txt" >&2; fail "case_study --workers $1 fails (its messages are above)"; }
    paste <(column "$data" kib_per_wait) <(column "$data" in_flight) | head -n 1
}
said() { answer_number "$answer" "$1"; }
read -r few_kib few <<<"$(run_with 8)"
read -r many_kib many <<<"$(run_with 256)"
[ "$many" = 256 ] || fail "with --workers 256 the thread pool had $many calls in flight at once, not 256"
per=$(awk -v a="$few_kib" -v n="$few" -v b="$many_kib" -v m="$many" 'BEGIN { printf "%.1f", (b * m - a * n) / (m - n) }')
n=$(said in_flight)
[ -n "$n" ] || fail "$answer has no line 'in_flight: N'"
[ "$n" = "$many" ] || fail "your in_flight: $n, but 256 workers have $many calls in flight at once"
k=$(said kib_per_thread)
[ -n "$k" ] || fail "$answer has no line 'kib_per_thread: N'"
awk -v k="$k" -v p="$per" 'BEGIN { exit !(k >= p / 2 && k <= p * 2) }' ||
    fail "your kib_per_thread: $k, but each of $((many - few)) more threads added $per KiB of peak memory here (within a factor of 2 passes)"
pass "256 workers, $many calls in flight; each more thread $per KiB of memory (you said $k)"
