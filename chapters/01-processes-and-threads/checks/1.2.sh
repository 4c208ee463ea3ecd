#!/usr/bin/env bash
# Exercise 1.2 (vfork): creation_cost takes `--methods vfork`, reports a row
# for it, and its children are made by vfork (strace sees CLONE_VFORK or a
# vfork call) and exec'd; the other methods still work. No timing is checked.
. tests/lib/exercise.bash
build chapter01/creation_cost
prog=$CHECK_BUILD/chapter01/creation_cost
data=$CHECK_TMP/vfork.tsv

if ! "$prog" --methods vfork --sizes 0 --repeat 3 --data "$data" >"$CHECK_TMP/out" 2>&1; then
    fail "creation_cost --methods vfork fails: $(head -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
fi
[ "$(column "$data" method | sort -u)" = vfork ] ||
    fail "--methods vfork wrote no row with method 'vfork' (methods: $(column "$data" method | sort -u | tr '\n' ' '))"
column "$data" median_us | awk '!($1 > 0) { bad = 1 } END { exit bad }' ||
    fail "the vfork row's median_us is not a positive time"

command -v strace >/dev/null || fail "strace is needed to see how the children are made (apt-get install strace)"
strace -f -qq -e trace=vfork,clone,clone3,execve -o "$CHECK_TMP/trace" \
    "$prog" --methods vfork --sizes 0 --repeat 1 >/dev/null 2>&1 ||
    fail "creation_cost --methods vfork fails under strace"
grep -qE 'vfork\(|CLONE_VFORK' "$CHECK_TMP/trace" ||
    fail "no child was made by vfork: strace saw no vfork() and no clone(CLONE_VFORK)"
grep -q 'execve("/bin/true"' "$CHECK_TMP/trace" ||
    fail "the vforked child does not exec the --exec program (/bin/true)"

"$prog" --methods fork,thread --sizes 0 --repeat 1 >/dev/null 2>&1 ||
    fail "the other methods no longer run (--methods fork,thread)"
pass "a vfork row; its children are made by vfork and exec /bin/true; the other methods still run"
