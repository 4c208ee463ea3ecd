#!/usr/bin/env bash
# Exercise 9.4 (padding): struct padded_atomic in false_sharing.c puts its
# two counters 32 bytes apart (alignas(32)), and the cache line named in
# chapters/09-races-and-locks/answers/9.4.txt (a line `cache_line_bytes N`)
# is the one this machine reports (sysfs, or getconf). The time per
# increment is not checked: it is speed.
. tests/lib/exercise.bash
src=chapters/09-races-and-locks/false_sharing.c
answer=chapters/09-races-and-locks/answers/9.4.txt

# The distance between the counters, as the compiler lays the struct out:
# false_sharing.c compiled inside a probe that prints offsetof.
build libworkbook.a
cat >"$CHECK_TMP/probe.c" <<PROBE
#define main false_sharing_main
#include "$(pwd)/$src"
#undef main
#include <stddef.h>
int main(void)
{
    printf("%zu\n", offsetof(struct padded_atomic, b) - offsetof(struct padded_atomic, a));
    return 0;
}
PROBE
"${CC:-cc}" -std=c11 -pthread -Icommon -o "$CHECK_TMP/probe" "$CHECK_TMP/probe.c" "$CHECK_BUILD/libworkbook.a" -lm -lrt \
    >"$CHECK_TMP/probe.log" 2>&1 || { tail -n 5 "$CHECK_TMP/probe.log" >&2; fail "$src does not compile inside the layout probe (messages above)"; }
distance=$("$CHECK_TMP/probe")
[ "$distance" = 32 ] ||
    fail "struct padded_atomic's counters are $distance bytes apart; alignas(32) puts them 32 apart"

[ -f "$answer" ] || fail "no $answer: write this machine's cache line there as a line 'cache_line_bytes N'"
predicted=$(awk '$1 == "cache_line_bytes" { print $2; exit }' "$answer")
[[ "$predicted" =~ ^[0-9]+$ ]] || fail "$answer has no line 'cache_line_bytes N' with a whole number N"
line=$(cat /sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size 2>/dev/null || getconf LEVEL1_DCACHE_LINESIZE 2>/dev/null || echo 0)
[ "$line" -gt 0 ] || fail "this machine does not say its cache line (no sysfs cache entry, getconf says 0): cannot check your answer"
[ "$predicted" = "$line" ] || fail "you wrote a cache line of $predicted bytes; this machine reports $line"
pass "the atomic counters are 32 bytes apart, on one $line-byte line again, and $line bytes is this machine's cache line"
