#!/usr/bin/env bash
# Exercise 6.2 (yes | head -1): chapters/06-pipes/answers/6.2.txt says how
# `yes` ends (a line `yes: ...` naming the signal, by name or number) and
# what a Python program sees when it writes to a pipe with no reader (a line
# `python: ...` naming the exception). The checker runs the pipeline and a
# Python write to a pipe whose read end is closed, and compares.
. tests/lib/exercise.bash
answer=chapters/06-pipes/answers/6.2.txt
[ -f "$answer" ] || fail "write your answers in $answer first (lines 'yes: ...' and 'python: ...')"
build chapter06/pipeline
command -v python3 >/dev/null || fail "python3 is needed to see what Python does"

status=0
timeout 20 "$CHECK_BUILD/chapter06/pipeline" yes 'head -1' >"$CHECK_TMP/out" 2>&1 || status=$?
[ "$status" -ne 124 ] ||
    fail "pipeline yes 'head -1' did not end in 20 s: is the loop that closes the children's pipe ends back (Exercise 6.1)?"
[ "$status" -eq 0 ] || fail "pipeline yes 'head -1' fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
line=$(grep '^yes:' "$CHECK_TMP/out" || true)
number=$(sed -n 's/.*killed by signal \([0-9]*\).*/\1/p' <<<"$line")
[ -n "$number" ] || fail "pipeline does not report yes killed by a signal: '$line'"
name=SIG$(kill -l "$number")
exception=$(python3 -c '
import os
r, w = os.pipe()
os.close(r)
try:
    os.write(w, b"x")
    print("nothing")
except OSError as e:
    print(type(e).__name__)')

yes_said=$(answer "$answer" yes)
python_said=$(answer "$answer" python)
if [ -z "$yes_said" ] || [ -z "$python_said" ]; then
    fail "$answer needs a line 'yes: ...' and a line 'python: ...'"
fi
upper=$(tr '[:lower:]' '[:upper:]' <<<"$yes_said")
if [[ ! "$upper" =~ (^|[^A-Z])(SIG)?${name#SIG}([^A-Z]|$) ]] && [[ ! "$yes_said" =~ (^|[^0-9])$number([^0-9]|$) ]]; then
    fail "yes: you said '$yes_said'; pipeline reports yes killed by signal $number ($name)"
fi
[[ "$python_said" == *"$exception"* ]] ||
    fail "python: you said '$python_said'; a write to a pipe with no reader raises $exception here"
pass "yes is killed by $name (signal $number), Python raises $exception: as you said"
