#!/usr/bin/env bats
# common/: argument parsing, statistics, data files, progress bar.

load lib/helpers

check() { "$BUILD/tests/common_check" "$@"; }

# ---- arg_int: every kind of bad value exits 2 and names the option ---------

@test "arg_int accepts a value in range" {
    run check int --threads 8 1 64
    [ "$status" -eq 0 ]
    [ "$output" = 8 ]
}

@test "arg_int rejects an empty value" {
    run check int --threads "" 1 64
    assert_usage_error "--threads: empty value"
}

@test "arg_int rejects a non-number" {
    run check int --threads abc 1 64
    assert_usage_error "--threads: 'abc' is not a whole number"
}

@test "arg_int rejects leading blanks and plus signs" {
    run check int --threads " 8" 1 64
    assert_usage_error "--threads"
    run check int --threads +8 1 64
    assert_usage_error "--threads"
}

@test "arg_int rejects trailing junk" {
    run check int --threads 8x 1 64
    assert_usage_error "--threads: '8x' has trailing characters 'x'"
    run check int --threads 1e3 1 64
    assert_usage_error "--threads: '1e3' has trailing characters 'e3'"
    run check int --threads 4.0 1 64
    assert_usage_error "--threads"
}

@test "arg_int rejects overflow, both ways" {
    run check int --threads 99999999999999999999 1 64
    assert_usage_error "--threads: '99999999999999999999' is too large"
    run check int --threads -99999999999999999999 1 64
    assert_usage_error "is too small"
}

@test "arg_int rejects values out of range and says the range" {
    run check int --threads 0 1 64
    assert_usage_error "--threads: 0 is out of range (1 to 64)"
    run check int --threads 65 1 64
    assert_usage_error "--threads: 65 is out of range (1 to 64)"
    run check int --threads -3 1 64
    assert_usage_error "--threads: -3 is out of range (1 to 64)"
}

@test "arg_int accepts both ends of the range" {
    run check int --n 1 1 64
    [ "$output" = 1 ]
    run check int --n 64 1 64
    [ "$output" = 64 ]
}

# ---- arg_duration_ns ---------------------------------------------------------

@test "durations take ns, us, ms and s, with fractions" {
    run check duration --interval 5ms 1 10000000000
    [ "$output" = 5000000 ]
    run check duration --interval 0.5ms 1 10000000000
    [ "$output" = 500000 ]
    run check duration --interval 250us 1 10000000000
    [ "$output" = 250000 ]
    run check duration --interval 2s 1 10000000000
    [ "$output" = 2000000000 ]
    run check duration --interval 7ns 1 10000000000
    [ "$output" = 7 ]
}

@test "a duration without a unit is rejected" {
    run check duration --interval 5 1 10000000000
    assert_usage_error "--interval: '5' needs a unit"
}

@test "a duration with an unknown unit is rejected" {
    run check duration --interval 5min 1 10000000000
    assert_usage_error "--interval: '5min' has an unknown unit 'min'"
}

@test "empty, non-numeric and malformed durations are rejected" {
    run check duration --interval "" 1 10000000000
    assert_usage_error "--interval: empty value"
    run check duration --interval ms 1 10000000000
    assert_usage_error "--interval: 'ms' is not a duration"
    run check duration --interval 5.ms 1 10000000000
    assert_usage_error "--interval: '5.ms' is not a duration"
}

@test "zero, negative and too long durations are out of range" {
    run check duration --interval 0ms 1 10000000000
    assert_usage_error "--interval: '0ms' is out of range (1ns to 10s)"
    run check duration --interval -5ms 1 10000000000
    assert_usage_error "--interval: '-5ms' is out of range"
    run check duration --interval 11s 1 10000000000
    assert_usage_error "--interval: '11s' is out of range"
    run check duration --interval 99999999999999999999s 1 10000000000
    assert_usage_error "--interval: '99999999999999999999s' is too large"
}

# ---- arg_int_list --------------------------------------------------------------

@test "a list of numbers is parsed in order" {
    run check list --sizes 0,64,256 0 1024
    [ "$status" -eq 0 ]
    [ "$output" = "0 64 256" ]
}

@test "a list with an empty or bad item is rejected, naming the option" {
    run check list --sizes 0,,256 0 1024
    assert_usage_error "--sizes: empty item"
    run check list --sizes 0,64, 0 1024
    assert_usage_error "--sizes: empty item"
    run check list --sizes 0,x 0 1024
    assert_usage_error "--sizes: 'x' is not a whole number"
    run check list --sizes 0,2048 0 1024
    assert_usage_error "--sizes: 2048 is out of range (0 to 1024)"
    run check list --sizes 1,2,3,4,5,6,7,8,9 0 1024
    assert_usage_error "--sizes: more than 8 values"
}

# ---- statistics -------------------------------------------------------------------

@test "median, min and max of an odd count, unsorted" {
    run check stats 5 1 4 2 3
    [ "$output" = "n=5 median=3 min=1 max=5 middle=3" ]
}

@test "the median of an even count is the mean of the middle two" {
    run check stats 10 40 20 30
    [ "$output" = "n=4 median=25 min=10 max=40 middle=25" ]
}

@test "one value is its own median, min and max" {
    run check stats 7.5
    [ "$output" = "n=1 median=7.5 min=7.5 max=7.5 middle=7.5" ]
}

@test "an outlier moves the max, not the median" {
    run check stats 100 101 99 100 5000
    [ "$output" = "n=5 median=100 min=99 max=5000 middle=100.333" ]
}

@test "negative values and ties" {
    run check stats -2 -2 3 -7
    [ "$output" = "n=4 median=-2 min=-7 max=3 middle=-2" ]
}

@test "in two clusters the median jumps on one value, the middle mean moves with the mix" {
    # Nine calls that waited one interval (5) or two (10): one more two-interval call
    # takes the median from one cluster to the other; the mean of the middle half
    # (the two smallest and the two largest left out) moves by a fifth of the step.
    run check stats 5 10 5 10 5 10 5 10 5
    [ "$output" = "n=9 median=5 min=5 max=10 middle=7" ]
    run check stats 5 10 5 10 5 10 5 10 10
    [ "$output" = "n=9 median=10 min=5 max=10 middle=8" ]
}

@test "workbook.py's middle_mean is stats.c's" {
    local values="3.5 0.25 9 1 1 7.75 2 4 100 6 5"
    run check stats $values
    [ "$status" -eq 0 ]
    c=${output##*middle=}
    py=$(python3 -c 'import sys; sys.path.insert(0, "common"); from workbook import middle_mean
print("%g" % middle_mean(float(v) for v in sys.argv[1:]))' $values)
    [ "$c" = "$py" ] || { echo "C $c, Python $py"; return 1; }
    [ "$c" = 4.17857 ]   # 11 // 4 = 2 off each end: the mean of 1 2 3.5 4 5 6 7.75
}

# ---- data files ---------------------------------------------------------------------

@test "a data file carries provenance, one header line, then its rows" {
    file=$BATS_TEST_TMPDIR/out.tsv
    run check datafile "$file" 4
    [ "$status" -eq 0 ]
    for key in date cpu cores kernel compiler cflags loadavg command rows; do
        grep -q "^# $key: ." "$file" || { echo "no '# $key:' line"; return 1; }
    done
    grep -q "^# command: .*common_check datafile .*out.tsv 4$" "$file"
    [ "$(grep -vc '^#' "$file")" -eq 5 ]
    [ "$(grep -v '^#' "$file" | head -n 1)" = "$(printf 'index\tsquare')" ]
    [ "$(tsv_column "$file" square | tr '\n' ' ')" = "0 1 4 9 " ]
    # Provenance comes first: no '#' line after the header.
    [ -z "$(awk '!/^#/ { seen = 1 } seen && /^#/' "$file")" ]
}

@test "no temporary file is left after a data file is written" {
    run check datafile "$BATS_TEST_TMPDIR/out.tsv" 3
    [ "$status" -eq 0 ]
    [ "$(ls "$BATS_TEST_TMPDIR")" = out.tsv ]
}

@test "a data file interrupted by any signal that ends a program is never half-written" {
    # Every catchable signal whose default action ends the process (cleanup.c).
    for sig in TERM INT HUP QUIT USR1 USR2 ALRM PIPE VTALRM PROF XCPU XFSZ; do
        file=$BATS_TEST_TMPDIR/data-$sig.tsv
        echo "the old, complete file" >"$file"
        fifo=$BATS_TEST_TMPDIR/fifo-$sig
        mkfifo "$fifo"
        "$BUILD/tests/common_check" datafile "$file" 100 stall >"$fifo" &
        pid=$!
        read -r line <"$fifo"
        [ "$line" = stalled ]
        kill -s "$sig" "$pid"
        status=0
        wait "$pid" || status=$?
        # It died of that very signal (the shell reports 128 + its number)...
        [ "$status" -eq $((128 + $(kill -l "$sig"))) ] || { echo "SIG$sig: status $status"; return 1; }
        # ...and the old file is untouched and no temporary file is left beside it.
        [ "$(cat "$file")" = "the old, complete file" ]
        [ -z "$(find "$BATS_TEST_TMPDIR" -name "data-$sig.tsv.tmp.*")" ]
        rm -f "$fifo"
    done
}

@test "a data file in a missing folder is a runtime error naming the file" {
    run check datafile "$BATS_TEST_TMPDIR/no/such/dir/out.tsv" 2
    [ "$status" -eq 1 ]
    assert_contains "cannot create data file $BATS_TEST_TMPDIR/no/such/dir/out.tsv"
}

# ---- progress bar ----------------------------------------------------------------------

@test "the progress bar stays off when stderr is not a terminal" {
    run --separate-stderr check progress 3 1
    [ "$status" -eq 0 ]
    [ "$output" = "done 3" ]
    [ -z "$stderr" ]
}

@test "a forced progress bar shows count, percentage, rate and ETA" {
    run --separate-stderr check progress 8 40 force
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"checking 0/8 ["* ]]
    [[ "$stderr" =~ checking\ [1-7]/8\ \[#*\.*\]\ +[0-9]+%\ [0-9.]+/s\ ETA\ 0:0[0-9] ]]
    [[ "$stderr" =~ checking\ 8/8\ \[#+\]\ 100%\ [0-9.]+/s\ in\ 0:0[0-9] ]]
}

@test "the progress bar appears by itself on a terminal" {
    command -v script >/dev/null || skip "script(1) is not installed"
    run script -qec "$BUILD/tests/common_check progress 2 1" /dev/null
    [ "$status" -eq 0 ]
    assert_contains "checking 2/2 ["
}

@test "workloads: long_factorize finds the largest factor below n" {
    [ "$(check workload factorize 200001)" = 66667 ]   # 3 x 163 x 409
    [ "$(check workload factorize 13)" = 1 ]           # a prime
    [ "$(check workload factorize 1024)" = 512 ]
}

@test "workloads: delayed_return returns its value; compute_intensive sums cos(i/1000)/1000" {
    [ "$(check workload sleep 7)" = 7 ]
    # 1000 steps of width 1/1000 under cos: close to sin(1) = 0.841471
    check workload compute 1000 | awk '{ d = $1 - 0.841471; exit !(d < 0.001 && d > -0.001) }'
}

@test "workloads: Gaussian delays are reproducible, never negative, and have the asked mean" {
    [ "$(check gaussian 1 5 100000000 20000000)" = "$(check gaussian 1 5 100000000 20000000)" ]
    [ "$(check gaussian 1 5 100000000 20000000)" != "$(check gaussian 2 5 100000000 20000000)" ]
    [ "$(check gaussian 1 5 100000000 0)" = 100000000 ]
    # 400 draws, mean 1 ms and sd 1 ms: none below 0, their mean within 0.2 ms of 1 ms.
    for i in $(seq 400); do check gaussian 3 "$i" 1000000 1000000; done |
        awk '$1 < 0 { bad = 1 } { s += $1 } END { m = s / NR; exit bad || m < 800000 || m > 1200000 }'
}

# ---- how common/ hangs together --------------------------------------------------------

@test "common/ has no include cycle; the server knows nothing of the GIL; random depends on nothing" {
    # One line "A B" for each module A whose files include B's header (a
    # module's private header, X_internal.h, is module X's own); tsort
    # fails on a cycle and names it.
    pairs=$(for f in common/*.c common/*.h; do
        m=$(basename "${f%.*}")
        m=${m%_internal}
        sed -n 's/^#include "\(.*\)\.h".*/\1/p' "$f" | while read -r d; do
            d=${d%_internal}
            [ "$d" = "$m" ] || echo "$m $d"
        done
    done)
    run tsort <<<"$pairs"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ -z "$(grep -E '#include "(gil|interp|workloads|pool)\.h"' common/server.c common/server.h)" ]
    [ -z "$(grep -h '#include "' common/random.c common/random.h | grep -v '"random.h"')" ]
}
