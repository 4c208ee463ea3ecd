#!/usr/bin/env bash
# Exercise 9.10 (volatile is not atomic): with `data` and `flag` volatile,
# the plain reader sees every flag: all rounds finish, none missed. Whether
# a round read stale data is not checked: x86 never shows one, other
# processors may.
. tests/lib/exercise.bash
[ "$(nproc)" -ge 2 ] || fail "message_passing needs two cores to pin its two threads"
build chapter09/message_passing
data=$CHECK_TMP/mp.tsv
timeout 120 "$CHECK_BUILD/chapter09/message_passing" --variants plain --rounds 20000 --timeout 2s --data "$data" \
    >"$CHECK_TMP/out" 2>&1 || fail "message_passing --variants plain fails: $(tail -n 1 "$CHECK_TMP/out")"
row=$(rows_where "$data" variant plain)
[ -n "$row" ] || fail "message_passing wrote no row for the plain way"
missed=$(column "$data" missed)
fresh=$(column "$data" fresh)
stale=$(column "$data" stale)
[ "$missed" -eq 0 ] ||
    fail "the plain reader missed $missed of 20000 rounds: it still does not see the flag (the compiler loads it once)"
[ $((fresh + stale)) -eq 20000 ] || fail "fresh $fresh + stale $stale is not the 20000 rounds"
pass "with volatile the plain reader saw all 20000 flags ($fresh fresh, $stale stale): the load happens every time round, the race is still there"
