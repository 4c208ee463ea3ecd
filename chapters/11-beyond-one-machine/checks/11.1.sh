#!/usr/bin/env bash
# Exercise 11.1 (where the serial fraction comes from):
# chapters/11-beyond-one-machine/answers/11.1.txt gives the serial fraction
# `map_static --prep-work 200` measures on 2 ranks (a line `fraction: F`)
# and the speed-up Amdahl's law allows from it (`amdahl: S`). The checker
# runs it itself (fewer tasks, --quick: the fraction is a ratio, the same
# for fewer tasks) and compares: the fraction within 0.08 (a ratio of two
# times measured on rank 0 alone in one run, which moves by a few
# hundredths between runs on a busy machine), Amdahl's bound within 0.15
# (the same 0.08 through 1/(f + (1 - f)/2)). Not the speed-up itself: that
# depends on the cores free.
. tests/lib/exercise.bash
here=chapters/11-beyond-one-machine
answer=$here/answers/11.1.txt
[ -f "$answer" ] || fail "no $answer: write the measured 'fraction: F' and 'amdahl: S' for --prep-work 200 on 2 ranks"
command -v mpirun >/dev/null || fail "mpirun is needed (apt-get install openmpi-bin libopenmpi-dev)"
build chapter11/map_static
data=$CHECK_TMP/static.tsv
"$here/mpi_run.sh" --np 2 --timeout 60 -- "$CHECK_BUILD/chapter11/map_static" --quick --prep-work 200 \
    --data "$data" >"$CHECK_TMP/out.txt" 2>&1 ||
    { tail -n 8 "$CHECK_TMP/out.txt" >&2; fail "map_static --prep-work 200 on 2 ranks fails (its messages are above)"; }
f=$(column "$data" fraction | head -n 1)
s=$(column "$data" amdahl | head -n 1)
{ [ -n "$f" ] && [ -n "$s" ]; } || fail "map_static wrote no fraction or amdahl column"
said() { answer_number "$answer" "$1"; }
sf=$(said fraction)
ss=$(said amdahl)
[ -n "$sf" ] || fail "$answer has no line 'fraction: F'"
[ -n "$ss" ] || fail "$answer has no line 'amdahl: S'"
awk -v a="$sf" -v b="$f" 'BEGIN { d = a - b; exit !(d <= 0.08 && d >= -0.08) }' ||
    fail "your fraction $sf, but the checker measured $f with --prep-work 200 (within 0.08 passes)"
awk -v a="$ss" -v b="$s" 'BEGIN { d = a - b; exit !(d <= 0.15 && d >= -0.15) }' ||
    fail "your Amdahl bound $ss, but the fraction measured here, $f, allows $s on 2 ranks (within 0.15 passes)"
pass "the serial fraction with --prep-work 200 is $f here (you said $sf), Amdahl's bound on 2 ranks $s (you said $ss)"
