#!/usr/bin/env bash
# Exercise 6.4 (torn on purpose): chapters/06-pipes/answers/6.4.txt gives the
# largest record that POSIX promises to arrive whole from several writers
# (a line `whole_up_to: BYTES`). The checker asks the system (getconf
# PIPE_BUF) and runs pipe_atomic at that size with 8 writers: not one torn
# record, on any machine; larger records are allowed to tear and did not
# have to on your runs, so only the promise is checked.
. tests/lib/exercise.bash
answer=chapters/06-pipes/answers/6.4.txt
[ -f "$answer" ] || fail "write your answer in $answer first (a line 'whole_up_to: BYTES')"
build chapter06/pipe_atomic
pipe_buf=$(getconf PIPE_BUF /) || fail "getconf PIPE_BUF / fails"
said=$(answer "$answer" whole_up_to | tr -d ' ')
[[ "$said" =~ ^[0-9]+$ ]] || fail "$answer needs a line 'whole_up_to: BYTES' with a number"
[ "$said" -eq "$pipe_buf" ] ||
    fail "you said $said bytes; the promise is PIPE_BUF, $pipe_buf bytes here (getconf PIPE_BUF /)"
"$CHECK_BUILD/chapter06/pipe_atomic" --record "$said" --writers 8 --records 500 >"$CHECK_TMP/out" 2>&1 ||
    fail "pipe_atomic --record $said --writers 8 fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
grep -q 'torn 0,' "$CHECK_TMP/out" ||
    fail "records of $said bytes came out torn: $(grep -m 1 'torn' "$CHECK_TMP/out")"
pass "records up to PIPE_BUF ($pipe_buf bytes) arrive whole: 8 writers, 4000 records, none torn"
