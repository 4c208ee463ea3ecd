#!/usr/bin/env bash
# Exercise 2.1 (measure the slice): at the end of a --timeline run,
# parallelism prints `slices: N, median M ms`, computed from the same
# stretches it writes to the timeline file, merged as the chapter's awk
# line merges them (sorted by start, empty stretches dropped, neighbours of
# one thread joined). The checker runs the awk line on the file the same run
# wrote and compares: the count exactly, the median to 0.002 ms (the file
# rounds each time to 0.0001 ms). No timing is checked.
. tests/lib/exercise.bash
build chapter02/parallelism
prog=$CHECK_BUILD/chapter02/parallelism
data=$CHECK_TMP/one-core.tsv
"$prog" --threads 4 --cpus 1 --duration 60ms --timeline "$data" >"$CHECK_TMP/out" 2>&1 ||
    fail "parallelism --timeline fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
line=$(grep '^slices:' "$CHECK_TMP/out" || true)
[ -n "$line" ] || fail "a --timeline run prints no line 'slices: N, median M ms'"
said_n=$(sed -n 's/^slices: *\([0-9]*\),.*/\1/p' <<<"$line")
said_median=$(sed -n 's/.*median *\([0-9.]*\) *ms.*/\1/p' <<<"$line")
[[ -n "$said_n" && -n "$said_median" ]] || fail "cannot read N and M in '$line' (expected 'slices: N, median M ms')"

# The chapter's line, on the file the run wrote; then the median of the lengths.
lengths=$(grep -v '^#' "$data" | tail -n +2 | sort -k2,2g | awk '
    $3 == $2 { next }
    n && $1 == thread { end = $3; next }
    n { print end - start }
    { thread = $1; start = $2; end = $3; n++ }
    END { if (n) print end - start }' | sort -g)
n=$(grep -c . <<<"$lengths" || true)
median=$(awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' <<<"$lengths")
[ "$said_n" -eq "$n" ] || fail "the program says $said_n slices; its own timeline file has $n (merged as the chapter's line)"
awk -v a="$said_median" -v b="$median" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.002) }' ||
    fail "the program says a median slice of $said_median ms; its timeline file gives $median ms"
pass "$said_n slices, median $said_median ms: as the chapter's line finds in the same run's timeline"
