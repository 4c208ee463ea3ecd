#!/usr/bin/env bash
# Exercise 6.3 (a bigger pipe): chapters/06-pipes/answers/6.3.txt predicts
# the context switches per MiB on one core with 1 MiB writes, with the
# default pipe (`default: N`) and with a 1 MiB pipe (`1mib: N`). The checker
# measures both itself (pipe_throughput, 16 MiB a run) and accepts a
# prediction within 25% or 1 switch of its measurement: on one core writer
# and reader take turns, a pipeful per turn, so the count is set by the
# pipe's size; what other processes on the same core add is a few percent.
. tests/lib/exercise.bash
answer=chapters/06-pipes/answers/6.3.txt
[ -f "$answer" ] || fail "write your predictions in $answer first (lines 'default: N' and '1mib: N')"
build chapter06/pipe_throughput
prog=$CHECK_BUILD/chapter06/pipe_throughput
max=$(cat /proc/sys/fs/pipe-max-size 2>/dev/null || echo 0)
[ "$max" -ge 1048576 ] || fail "/proc/sys/fs/pipe-max-size is $max: a 1 MiB pipe needs 1048576"

# switches PIPE-OPTIONS...: switches per MiB, one core, 1 MiB writes.
switches() {
    "$prog" --sizes 1048576 --placement one-core --bytes 16777216 --repeat 1 --no-check \
        --data "$CHECK_TMP/s.tsv" "$@" >"$CHECK_TMP/out" 2>&1 ||
        fail "pipe_throughput $* fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
    column "$CHECK_TMP/s.tsv" switches_per_mib
}
default=$(switches)
big=$(switches --pipe-size 1048576)

said_default=$(answer "$answer" default | tr -d ' ')
said_big=$(answer "$answer" 1mib | tr -d ' ')
[[ "$said_default" =~ ^[0-9]+(\.[0-9]+)?$ && "$said_big" =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
    fail "$answer needs lines 'default: N' and '1mib: N' with numbers"
near() { awk -v a="$1" -v m="$2" 'BEGIN { d = a - m; if (d < 0) d = -d; exit !(d <= 1 || d <= 0.25 * m) }'; }
near "$said_default" "$default" ||
    fail "default pipe: you predicted $said_default switches per MiB, the checker measured $default"
near "$said_big" "$big" ||
    fail "1 MiB pipe: you predicted $said_big switches per MiB, the checker measured $big"
pass "switches per MiB on one core: predicted $said_default and $said_big, measured $default and $big"
