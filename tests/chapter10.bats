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
    # 9 rows per user count: serial, threads x 2 GILs, per-user, pool, hybrid x 2, the two loops.
    [ "$(col users | grep -c '^12$')" -eq 9 ] && [ "$(col users | grep -c '^30$')" -eq 9 ]
    # The same failures and the same number of calls, whichever way.
    for n in 12 30; do
        [ "$(paste <(col users) <(col failed) <(col calls) | awk -v n=$n '$1 == n' | sort -u | wc -l)" -eq 1 ]
    done
}

@test "case_study: with every attempt failing, every user is reported failed after exactly 1 + retries calls" {
    data=$BATS_TEST_TMPDIR/fail.tsv
    run timeout 120 "$B/case_study" "${fast[@]}" --users 5 --retries 2 --fail-rate 100 --slow-rate 0 \
        --methods serial,threads,process-pool,event-loop,event-loop-pool --gil none --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col method | wc -l)" -eq 5 ]
    [ "$(col failed | sort -u)" = 5 ]
    [ "$(col calls | sort -u)" = 15 ]
    for u in 0 1 2 3 4; do
        assert_contains "user $u failed after 3 attempts"
    done
}

@test "case_study: with every answer too slow, the event loop times out each attempt as the others do" {
    data=$BATS_TEST_TMPDIR/slow.tsv
    # Every answer takes 1 s; the timeout is 100 ms: 1 + 2 retries, all timed out.
    run timeout 120 "$B/case_study" "${fast[@]}" --users 4 --retries 2 --fail-rate 0 --slow-rate 100 \
        --methods serial,event-loop,event-loop-pool --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col failed | sort -u)" = 4 ] && [ "$(col calls | sort -u)" = 12 ]
    for u in 0 1 2 3; do
        assert_contains "user $u failed after 3 attempts"
    done
}

@test "case_study: the event loop makes the same users as serial at 100 and 1000 users, all calls at once" {
    data=$BATS_TEST_TMPDIR/loop.tsv
    # A 500 ms timeout: a slow answer (1 s) is well past it, a busy machine's normal one well within.
    run timeout 300 "$BUILD/tests/no_orphans" "$B/case_study" "${fast[@]}" --timeout 500ms --users 100,1000 \
        --fail-rate 10 --slow-rate 2 --methods serial,event-loop,event-loop-pool --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "every way made the same users, and reported the same failed ones"
    assert_contains "left behind 0"
    rows=$(paste -d' ' <(col method) <(col users) <(col in_flight) <(col processes) <(col threads) | tr '\n' ';')
    [ "$rows" = "serial 100 1 0 0;event-loop 100 100 0 0;event-loop-pool 100 100 $(nproc) 0;serial 1000 1 0 0;event-loop 1000 1000 0 0;event-loop-pool 1000 1000 $(nproc) 0;" ] || { echo "$rows"; return 1; }
    for n in 100 1000; do     # the same failures and calls, and some retries to make them
        [ "$(paste <(col users) <(col failed) <(col calls) | awk -v n=$n '$1 == n' | sort -u | wc -l)" -eq 1 ]
        [ "$(paste <(col users) <(col calls) | awk -v n=$n '$1 == n && $2 > n' | wc -l)" -eq 3 ]
    done
    # Only the loops have a stall figure.
    [ "$(paste <(col method) <(col stall_ms) | awk '($1 ~ /^event-loop/) != ($2 != "-")' | wc -l)" -eq 0 ]
}

@test "case_study: the descriptor limit is raised to the hard limit, and said so; the calls at once stay below it" {
    hard=$(ulimit -Hn)
    [ "$hard" -gt 300 ] || skip "the hard descriptor limit here is only $hard"
    run bash -c "ulimit -Sn 256 && exec $B/case_study ${fast[*]} --users 3 --methods event-loop"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "descriptors: soft limit raised from 256 to $hard (the hard limit)"
    data=$BATS_TEST_TMPDIR/fd.tsv
    run bash -c "ulimit -n 200 && exec $B/case_study ${fast[*]} --users 300 --methods serial,event-loop --data $data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "descriptors: soft limit 200, already the hard limit"
    assert_contains "descriptors: at most 136 calls in flight at once, not 10000"
    assert_contains "every way made the same users"
    [ "$(paste -d' ' <(col method) <(col in_flight) | tr '\n' ';')" = "serial 1;event-loop 136;" ]
}

@test "case_study: with no failures, one call per user; processes and threads counted" {
    data=$BATS_TEST_TMPDIR/ok.tsv
    run timeout 120 "$B/case_study" "${fast[@]}" --users 10 --fail-rate 0 --slow-rate 0 --workers 3 --gil new --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col failed | sort -u)" = 0 ]
    [ "$(col calls | sort -u)" = 10 ]
    rows=$(paste -d' ' <(col method) <(col processes) <(col threads) | tr '\n' ';')
    [ "$rows" = "serial 0 0;threads 0 3;process-per-user 10 0;process-pool 3 0;hybrid $(nproc) 3;event-loop 0 0;event-loop-pool $(nproc) 0;" ] || { echo "$rows"; return 1; }
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

@test "case_study: interrupted in the event loop, it leaves no server and no CPU worker" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    for sig in INT TERM; do
        out=$BATS_TEST_TMPDIR/loop-$sig
        "$BUILD/tests/no_orphans" "$B/case_study" --users 2000 --methods event-loop-pool --latency 500ms \
            --repeat 5 >"$out" 2>&1 &
        wrapper=$!
        program=$(wait_for_children "$wrapper" 1)
        wait_for_children "$program" $((1 + $(nproc))) >/dev/null     # the server and the CPU workers
        sleep 0.3                                                      # the calls in flight
        kill -"$sig" "$program"
        wait_bounded "$wrapper" 30 || true
        grep -q "^left behind 0$" "$out" || { cat "$out"; return 1; }
    done
}

@test "case_study --serve: the API alone, on the port it prints, until stdin closes" {
    command -v curl >/dev/null || skip "curl is not installed"
    fifo=$BATS_TEST_TMPDIR/in
    mkfifo "$fifo"
    out=$BATS_TEST_TMPDIR/serve.out
    "$B/case_study" --serve --latency 1ms --fail-rate 0 --slow-rate 0 <"$fifo" >"$out" 2>&1 &
    pid=$!
    exec 8>"$fifo"
    for _ in $(seq 100); do grep -q "port" "$out" && break; sleep 0.05; done
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out")
    [ -n "$port" ] || { cat "$out"; exec 8>&-; return 1; }
    run curl -s "http://127.0.0.1:$port/item/3?attempt=1"
    [[ "$output" == '{"id": 3, "attempt": 1, "value": '* ]] || { echo "$output"; exec 8>&-; return 1; }
    exec 8>&-                       # end-of-file: the server stops, and so does case_study
    wait_bounded "$pid" 10
    ! curl -s -m 2 "http://127.0.0.1:$port/item/3" >/dev/null
}

# ---- the asyncio companion -----------------------------------------------------------------

COMPANION=chapters/10-choosing-a-model/case_study_asyncio.py

@test "case_study_asyncio.py: threads, asyncio and asyncio-pool rows; the same users, failures and calls as case_study's" {
    command -v python3 >/dev/null || skip "python3 not found (install your distribution's python3)"
    data=$BATS_TEST_TMPDIR/py.tsv
    # No slow answers and a long timeout: no timeout can fire, however busy a loop is.
    api=(--latency 2ms --sd 1ms --timeout 5000ms --fail-rate 10 --slow-rate 0 --cpu 2001 --repeat 1 --users 30,200)
    run timeout 200 "$BUILD/tests/no_orphans" python3 "$COMPANION" --case-study "$B/case_study" "${api[@]}" --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "left behind 0"
    assert_contains "every way made the same users"
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'interpreter\tmethod\tusers\trepeats\tmedian_s\tmin_s\tmax_s\tcpu_s\tpeak_mib\tprocesses\tthreads\tfailed\tcalls\tin_flight\tstall_ms\tdiffer')" ]
    grep -q "^# python: CPython $(python3 -c 'import platform; print(platform.python_version())')" "$data"
    rows=$(paste -d' ' <(col method) <(col users) <(col processes) <(col threads) <(col in_flight) <(col differ) | tr '\n' ';')
    [ "$rows" = "threads 30 0 8 8 0;asyncio 30 0 0 30 0;asyncio-pool 30 $(nproc) 0 30 0;threads 200 0 8 8 0;asyncio 200 0 0 100 0;asyncio-pool 200 $(nproc) 0 100 0;" ] || { echo "$rows"; return 1; }
    # The same API in C: the same failed users and calls as case_study's.
    cdata=$BATS_TEST_TMPDIR/c.tsv
    run timeout 200 "$B/case_study" "${api[@]//5000ms/5s}" --methods threads,event-loop --gil none --data "$cdata"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    py=$(paste <(col method) <(col users) <(col failed) <(col calls) | awk '$1 != "asyncio-pool" { print $2, $3, $4 }')
    c=$(data=$cdata; paste <(col users) <(col failed) <(col calls) | tr '\t' ' ')
    [ "$py" = "$c" ] || { echo "python: $py; C: $c"; return 1; }
    [ "$(col calls | sort -u | wc -l)" -eq 2 ] && [ "$(col calls | sort -u | head -n 1)" -gt 200 ]   # retries made
}

@test "case_study_asyncio.py: with every answer too slow, each way times out every attempt" {
    command -v python3 >/dev/null || skip "python3 not found (install your distribution's python3)"
    data=$BATS_TEST_TMPDIR/py.tsv
    run timeout 200 python3 "$COMPANION" --case-study "$B/case_study" --latency 2ms --sd 1ms --timeout 100ms \
        --fail-rate 0 --slow-rate 100 --retries 1 --cpu 2001 --repeat 1 --users 5 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(col method | wc -l)" -eq 3 ] && [ "$(col failed | sort -u)" = 5 ] && [ "$(col calls | sort -u)" = 10 ]
}

@test "case_study_asyncio.py: bad arguments exit 2 with a message naming the argument" {
    command -v python3 >/dev/null || skip "python3 not found (install your distribution's python3)"
    run python3 "$COMPANION" --case-study "$B/case_study" --users 0
    assert_usage_error "--users"
    run python3 "$COMPANION" --case-study "$B/case_study" --methods threads,fibers
    assert_usage_error "--methods"
    run python3 "$COMPANION" --case-study "$B/case_study" --timeout 5s
    assert_usage_error "--timeout"
    run python3 "$COMPANION" --case-study "$B/case_study" --fail-rate 80 --slow-rate 30
    assert_usage_error "--fail-rate"
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
    run "$B/case_study" --in-flight 0
    assert_usage_error "--in-flight"
    run "$B/case_study" --users 10001
    assert_usage_error "--users"
    run "$B/case_study" --methods event-loop,event-loops
    assert_usage_error "--methods"
    run "$B/pitfalls" --pitfalls big-tasks
    assert_usage_error "--pitfalls"
    run "$B/pitfalls" --task-us 0
    assert_usage_error "--task-us"
    run "$B/oversubscription" --threads 0
    assert_usage_error "--threads"
    run "$B/oversubscription" --work 10
    assert_usage_error "--work"
}
