#!/usr/bin/env bash
# Exercise 11.4 (broadcast or scatter the matrix):
# chapters/11-beyond-one-machine/answers/11.4.txt gives, for M = 2000, 8
# workers and the default 192 pairs in tasks of 8, the MiB the manager sends
# with the matrix in every task (a line `per_task_mib: N`) and broadcast
# once (`bcast_mib: N`). The checker runs `matrix_bcast --sizes 2000` on 9
# ranks (a manager and 8 workers) and compares with the MiB it counts
# itself: within 6%, for the pairs and their headers (well under 1%) and
# for an answer in MB (10^6 bytes) where MiB were asked (4.9% apart).
. tests/lib/exercise.bash
here=chapters/11-beyond-one-machine
answer=$here/answers/11.4.txt
[ -f "$answer" ] || fail "no $answer: write 'per_task_mib: N' and 'bcast_mib: N' for M = 2000 and 8 workers"
command -v mpirun >/dev/null || fail "mpirun is needed (apt-get install openmpi-bin libopenmpi-dev)"
build chapter11/matrix_bcast
data=$CHECK_TMP/matrix.tsv
"$here/mpi_run.sh" --np 9 --timeout 60 -- "$CHECK_BUILD/chapter11/matrix_bcast" --sizes 2000 \
    --methods per-task,bcast --repeat 1 --data "$data" >"$CHECK_TMP/out.txt" 2>&1 ||
    { tail -n 8 "$CHECK_TMP/out.txt" >&2; fail "matrix_bcast --sizes 2000 on 9 ranks fails (its messages are above)"; }
sent() { rows_where "$data" method "$1" | cut -f"$(head_col mib_sent)" | head -n 1; }
head_col() { grep -v '^#' "$data" | head -n 1 | tr '\t' '\n' | grep -nx "$1" | cut -d: -f1; }
per=$(sent per-task)
once=$(sent bcast)
{ [ -n "$per" ] && [ -n "$once" ]; } || fail "matrix_bcast wrote no per-task or bcast row"
said() { answer_number "$answer" "$1"; }
for key in per_task_mib bcast_mib; do
    n=$(said "$key")
    [ -n "$n" ] || fail "$answer has no line '$key: N'"
    want=$per
    [ "$key" = bcast_mib ] && want=$once
    awk -v a="$n" -v b="$want" 'BEGIN { exit !(a >= b * 0.94 && a <= b * 1.06) }' ||
        fail "your $key: $n, but matrix_bcast sent $want MiB (within 6% passes)"
done
pass "the matrix with every task: $per MiB; broadcast once to 8 workers: $once MiB, as you estimated"
