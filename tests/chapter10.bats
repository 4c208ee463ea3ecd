#!/usr/bin/env bats
# Chapter 10: the case study and the pitfalls. Identical users every way,
# failures reported and retries bounded, nothing left behind.

load lib/helpers

B=$BUILD/chapter10
fast=(--latency 2ms --sd 1ms --timeout 100ms --cpu 20001 --repeat 1)

# column NAME of the rows of $data
col() { tsv_column "$data" "$1"; }

@test "case_study: every way makes the same users, and counts the same calls" {
    data=$BATS_TEST_TMPDIR/users.tsv
    run timeout 120 "$BUILD/tests/no_orphans" "$B/case_study" "${fast[@]}" --users 12,30 --workers 4 \
        --fail-rate 20 --slow-rate 5 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "every way made the same users, and reported the same failed ones"
    assert_contains "left behind 0"
    # 7 rows per user count: serial, threads x 2 GILs, per-user, pool, hybrid x 2.
    [ "$(col users | grep -c '^12$')" -eq 7 ] && [ "$(col users | grep -c '^30$')" -eq 7 ]
    # The same failures and the same number of calls, whichever way.
    for n in 12 30; do
        [ "$(paste <(col users) <(col failed) <(col calls) | awk -v n=$n '$1 == n' | sort -u | wc -l)" -eq 1 ]
    done
}

@test "case_study: with every attempt failing, every user is reported failed after exactly 1 + retries calls" {
    data=$BATS_TEST_TMPDIR/fail.tsv
    run timeout 120 "$B/case_study" "${fast[@]}" --users 5 --retries 2 --fail-rate 100 --slow-rate 0 \
        --methods serial,threads,process-pool --gil none --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col failed | sort -u)" = 5 ]
    [ "$(col calls | sort -u)" = 15 ]
    for u in 0 1 2 3 4; do
        assert_contains "user $u failed after 3 attempts"
    done
}

@test "case_study: with no failures, one call per user; processes and threads counted" {
    data=$BATS_TEST_TMPDIR/ok.tsv
    run timeout 120 "$B/case_study" "${fast[@]}" --users 10 --fail-rate 0 --slow-rate 0 --workers 3 --gil new --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col failed | sort -u)" = 0 ]
    [ "$(col calls | sort -u)" = 10 ]
    rows=$(paste -d' ' <(col method) <(col processes) <(col threads) | tr '\n' ';')
    [ "$rows" = "serial 0 0;threads 0 3;process-per-user 10 0;process-pool 3 0;hybrid $(nproc) 3;" ] || { echo "$rows"; return 1; }
}

@test "case_study: peak memory from the kernel's high-water marks: the largest process below the sum, every row" {
    data=$BATS_TEST_TMPDIR/peaks.tsv
    run timeout 120 "$B/case_study" "${fast[@]}" --users 6 --workers 3 --gil none --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qx '# user_bytes: 32' "$data"
    rows=$(paste <(col method) <(col peak_sum_mib) <(col peak_largest_mib) <(col processes))
    # Every way: 0 < largest <= sum; one process (serial, threads): the two
    # are the same figure; more processes: the sum holds them all, so more.
    echo "$rows" | awk -F'\t' '
        !($3 > 0 && $3 <= $2) { print "bad bounds: " $0; bad = 1 }
        $4 == 0 && $2 != $3 { print "one process, two figures: " $0; bad = 1 }
        $4 > 0 && !($2 > $3) { print "children not counted: " $0; bad = 1 }
        END { exit bad }' || { echo "$rows"; return 1; }
}

@test "case_study: interrupted, it leaves no server, no user process, no worker" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    for sig in INT TERM; do
        out=$BATS_TEST_TMPDIR/out-$sig
        "$BUILD/tests/no_orphans" "$B/case_study" --users 200 --methods process-per-user --latency 500ms \
            --repeat 5 >"$out" 2>&1 &
        wrapper=$!
        program=$(wait_for_children "$wrapper" 1)
        wait_for_children "$program" 20 >/dev/null     # the server and the user processes
        kill -"$sig" "$program"
        wait_bounded "$wrapper" 30 || true
        grep -q "^left behind 0$" "$out" || { cat "$out"; return 1; }
    done
}

@test "case_study: the progress bar counts the runs of the ways asked for, not all seven" {
    run --separate-stderr timeout 120 "$B/case_study" "${fast[@]}" --users 3,4 --methods serial,hybrid --gil none \
        --repeat 2 --progress
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    # 2 user counts x 2 ways (serial, hybrid without the GIL) x 2 repeats.
    [[ "$stderr" == *"users 8/8 ["* ]] || { echo "$stderr"; return 1; }
}

@test "chapter 10 programs: more than 100 repeats are kept, each in its own sample" {
    data=$BATS_TEST_TMPDIR/cs.tsv
    run timeout 120 "$B/case_study" "${fast[@]}" --users 1 --methods serial --repeat 150 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col repeats)" = 150 ]
    data=$BATS_TEST_TMPDIR/pit.tsv
    run timeout 120 "$B/pitfalls" --pitfalls small-tasks --task-us 1000 --work 2ms --repeat 120 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col repeats | sort -u)" = 120 ] && [ "$(col method | wc -l)" -eq 3 ]
    data=$BATS_TEST_TMPDIR/omp.tsv
    run timeout 120 "$B/oversubscription" --processes 1 --threads 1 --work 100000 --regions 1 --repeat 150 \
        --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col repeats)" = 150 ]
}

@test "chapter 10 programs: an option given wins over --quick's default, wherever --quick stands" {
    data=$BATS_TEST_TMPDIR/cs.tsv
    run timeout 120 "$B/case_study" --latency 2ms --quick --sd 0ms --users 2 --methods serial --cpu 20001 \
        --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -q '^# api: latency 2 ms sd 0 ms,' "$data"
    [ "$(col repeats)" = 1 ]    # --quick's
    data=$BATS_TEST_TMPDIR/pit.tsv
    run timeout 120 "$B/pitfalls" --work 2ms --quick --pitfalls small-tasks --task-us 1000 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qx '# work_ns: 2000000' "$data"
    data=$BATS_TEST_TMPDIR/omp.tsv
    run timeout 120 "$B/oversubscription" --regions 10 --quick --processes 1 --threads 1 --work 100000 \
        --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qx '# regions: 10' "$data" && grep -qx '# work: 100000' "$data"
    [ "$(col repeats)" = 3 ]    # --quick's
}

@test "pitfalls: every result checked against serial; rows for each size and way" {
    data=$BATS_TEST_TMPDIR/pit.tsv
    run timeout 120 "$B/pitfalls" --task-us 10,1000 --arg-bytes 1000,300000 --work 10ms --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(paste -d' ' <(col pitfall) <(col x) <(col method) | tr '\n' ';')" = \
      "small-tasks 10 serial;small-tasks 10 process-pool;small-tasks 10 threads-no-gil;small-tasks 1000 serial;small-tasks 1000 process-pool;small-tasks 1000 threads-no-gil;big-args 1000 serial;big-args 1000 process-pool;big-args 1000 threads-no-gil;big-args 300000 serial;big-args 300000 process-pool;big-args 300000 threads-no-gil;" ]
}

@test "pitfalls: each speed-up is the median of per-repeat ratios, between their min and max; task length measured" {
    data=$BATS_TEST_TMPDIR/pit.tsv
    run timeout 120 "$B/pitfalls" --task-us 10,1000 --arg-bytes 4096 --work 5ms --repeat 3 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    rows=$(paste <(col pitfall) <(col x) <(col method) <(col speedup_min) <(col speedup) <(col speedup_max) \
                 <(col task_us) <(col iterations))
    echo "$rows" | awk -F'\t' '
        !($4 <= $5 && $5 <= $6) { print "speed-up outside its own min and max: " $0; bad = 1 }
        $3 == "serial" && !($4 == 1 && $5 == 1 && $6 == 1) { print "serial is not 1: " $0; bad = 1 }
        !($7 > 0 && $8 >= 1) { print "no measured task length or no work: " $0; bad = 1 }
        { key = $1 " " $2; if (key in task && task[key] != $7) { print "two task lengths for " key; bad = 1 } task[key] = $7 }
        END { exit bad }' || { echo "$rows"; return 1; }
}

@test "oversubscription: the data file names the OpenMP runtime the program is linked with" {
    data=$BATS_TEST_TMPDIR/omp.tsv
    run timeout 120 "$B/oversubscription" --processes 1 --threads 2 --work 100000 --regions 1 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    runtime=$(sed -n 's/^# openmp_runtime: //p' "$data")
    [[ "$runtime" == libgomp || "$runtime" == libomp ]] || { echo "runtime: '$runtime'"; return 1; }
    ldd "$B/oversubscription" | grep -q "$runtime\.so" || { ldd "$B/oversubscription"; return 1; }
    grep -q "^# openmp_library: /.*$runtime\.so" "$data"
    assert_contains "OpenMP runtime $runtime"
}

@test "oversubscription: one row per processes x threads, every process reaped" {
    data=$BATS_TEST_TMPDIR/omp.tsv
    run timeout 120 "$BUILD/tests/no_orphans" "$B/oversubscription" --processes 1,2 --threads 1,2 --work 200000 \
        --regions 10 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "left behind 0"
    [ "$(paste -d' ' <(col processes) <(col threads) <(col workers) | tr '\n' ';')" = "1 1 1;1 2 2;2 1 2;2 2 4;" ]
}

@test "chapter 10 programs: bad arguments exit 2 with a message naming the argument" {
    run "$B/case_study" --users 0
    assert_usage_error "--users"
    run "$B/case_study" --methods serial,fibers
    assert_usage_error "--methods"
    run "$B/case_study" --fail-rate 80 --slow-rate 30
    assert_usage_error "--fail-rate"
    run "$B/case_study" --retries 11
    assert_usage_error "--retries"
    run "$B/case_study" --gil old
    assert_usage_error "--gil"
    run "$B/pitfalls" --pitfalls big-tasks
    assert_usage_error "--pitfalls"
    run "$B/pitfalls" --task-us 0
    assert_usage_error "--task-us"
    run "$B/oversubscription" --threads 0
    assert_usage_error "--threads"
    run "$B/oversubscription" --work 10
    assert_usage_error "--work"
}
