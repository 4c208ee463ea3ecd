#!/usr/bin/env bats
# Chapter 4: I/O-bound and CPU-bound work; common/workloads.c and the local server.

load lib/helpers

SCALING=$BUILD/chapter04/scaling
SERVER=$BUILD/chapter04/api_server
REWRITE=$BUILD/chapter04/rewrite

# A small run of every workload: every way of running them, checked against serial.
small=(--io-tasks 4 --cpu-tasks 3 --sleep 5ms --latency 5ms --factorize-base 200001
       --compute 100000 --file-writes 2 --io-workers 1,3 --cpu-workers 1,2 --repeat 1)

@test "scaling: every workload gives the serial results however it is run" {
    data=$BATS_TEST_TMPDIR/scaling.tsv
    run "$SCALING" "${small[@]}" --gil new,old,none --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "every run's results were identical to the serial run's"
    # 5 workloads x (serial + 3 GILs x 2 counts + processes x 2 counts) rows.
    [ "$(tsv_column "$data" workload | wc -l)" -eq 45 ]
    for w in sleep api file factorize compute; do
        [ "$(tsv_column "$data" workload | grep -c "^$w$")" -eq 9 ] || { echo "rows of $w"; return 1; }
    done
    # The serial rows are the yardstick: speed-up 1 by definition.
    paste <(tsv_column "$data" mode) <(tsv_column "$data" speedup) | awk -F'\t' '
        $1 == "serial" && $2 != "1.000" { print "serial speed-up " $2; bad = 1 } END { exit bad }'
    # The sum of the task times is never zero for a workload that does something.
    tsv_column "$data" task_sum_s | awk '$1 <= 0 { bad = 1 } END { exit bad }'
}

@test "scaling: the data file has the columns the graphs read" {
    data=$BATS_TEST_TMPDIR/scaling.tsv
    run "$SCALING" "${small[@]}" --workloads sleep --modes threads --gil new --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    header=$(grep -v '^#' "$data" | head -n 1)
    for col in workload kind mode gil workers tasks median_s min_s max_s task_sum_s cpu_s speedup; do
        [[ $'\t'"$header"$'\t' == *$'\t'"$col"$'\t'* ]] || { echo "no column $col: $header"; return 1; }
    done
    grep -q '^# io_tasks: 4$' "$data"
}

@test "workloads: the same task gives the same result serially, in threads and in processes" {
    # Checked inside scaling for every task; here: a factorization whose answer is known.
    # 200001 + 0 = 3 x 163 x 409, so its largest factor below itself is 66667.
    run "$BUILD/tests/pool_check" map threads 1 1 1
    [ "$status" -eq 0 ]
    run "$SCALING" --workloads factorize --factorize-base 200001 --cpu-tasks 1 --cpu-workers 1 --repeat 1
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "identical"
}

@test "api_server answers HTTP requests on 127.0.0.1 and stops on SIGTERM" {
    command -v curl >/dev/null || skip "curl is not installed"
    out=$BATS_TEST_TMPDIR/server.out
    "$SERVER" --latency 1ms >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q "listening" "$out" && break; sleep 0.05; done
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out" | head -n 1)
    [ -n "$port" ] || { cat "$out"; kill "$pid"; return 1; }
    run curl -s "http://127.0.0.1:$port/item/17"
    [[ "$output" == '{"id": 17, "attempt": 0, "value": '* ]] || { echo "$output"; kill "$pid"; return 1; }
    run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing"
    [ "$output" = 404 ]
    kill -TERM "$pid"
    wait "$pid" || true
    ! kill -0 "$pid" 2>/dev/null
}

@test "the local server is stopped when the experiment fails" {
    # The server starts first; then the file workload cannot make its directory.
    TMPDIR=/nonexistent run "$BUILD/tests/no_orphans" "$SCALING" --workloads api,file --quick
    assert_contains "mkdtemp /nonexistent"
    assert_contains "status 1"
    assert_contains "left behind 0"
}

@test "the local server and the pool's workers are stopped when the experiment is interrupted" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    for sig in INT TERM; do
        out=$BATS_TEST_TMPDIR/out-$sig
        "$BUILD/tests/no_orphans" "$SCALING" --workloads api --modes processes --io-workers 4 \
            --latency 200ms --repeat 50 >"$out" 2>&1 &
        wrapper=$!
        experiment=$(wait_for_children "$wrapper" 1)
        # The server, then the pool's 4 workers.
        wait_for_children "$experiment" 5 >/dev/null
        kill -"$sig" "$experiment"
        wait "$wrapper" || true
        grep -q "^left behind 0$" "$out" || { cat "$out"; return 1; }
    done
}

@test "the local server does not outlive an experiment killed outright (SIGKILL)" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    "$SCALING" --workloads api --modes threads --io-workers 1 --latency 200ms --repeat 50 \
        >"$BATS_TEST_TMPDIR/out" 2>&1 &
    experiment=$!
    server=$(wait_for_children "$experiment" 1)
    kill -KILL "$experiment"
    wait "$experiment" || true
    # Nobody could stop the server: the kernel sends it SIGTERM when its parent
    # dies (PR_SET_PDEATHSIG). It must be gone (or dead, awaiting its reaper) soon.
    for _ in $(seq 100); do
        state=$(awk '{ print $3 }' "/proc/$server/stat" 2>/dev/null || echo gone)
        [ "$state" = gone ] || [ "$state" = Z ] && break
        sleep 0.05
    done
    [ "$state" = gone ] || [ "$state" = Z ] || { echo "server $server is still $state"; kill "$server"; return 1; }
}

@test "scaling: bad arguments exit 2 with a message naming the argument" {
    run "$SCALING" --io-workers 0
    assert_usage_error "--io-workers"
    run "$SCALING" --cpu-workers 65
    assert_usage_error "--cpu-workers"
    run "$SCALING" --workloads sleep,disk
    assert_usage_error "--workloads"
    run "$SCALING" --modes threads,fibers
    assert_usage_error "--modes"
    run "$SCALING" --io-tasks 0
    assert_usage_error "--io-tasks"
    run "$SCALING" --sleep 100
    assert_usage_error "--sleep"
    run "$SCALING" --factorize-base -5
    assert_usage_error "--factorize-base"
    run "$SCALING" --repeat 1x
    assert_usage_error "--repeat"
}

@test "scaling: a zero sleep and a zero latency are taken as given, not as 'not given'" {
    data=$BATS_TEST_TMPDIR/zero.tsv
    run "$SCALING" --quick --workloads sleep,api --modes threads --gil none --io-workers 2 \
        --repeat 1 --sleep 0ms --latency 0ms --data "$data"
    [ "$status" -eq 0 ]
    grep -qx '# sleep_ns: 0' "$data"
    grep -qx '# latency_ns: 0' "$data"
}

@test "rewrite: one row per directory and way, the bytes accounted for, nothing left behind" {
    data=$BATS_TEST_TMPDIR/rewrite.tsv
    dir=$BATS_TEST_TMPDIR/files
    mkdir "$dir"
    dirs=(--dir "$dir")
    [ -d /dev/shm ] && [ -w /dev/shm ] && dirs+=(--dir /dev/shm)
    run "$REWRITE" "${dirs[@]}" --files 3 --writes 4 --repeat 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    header=$(grep -v '^#' "$data" | head -n 1)
    for col in dir fs way files writes repeats median_s min_s max_s cpu_s open_s write_s close_s sleeps disk_mib cancelled_mib; do
        [[ $'\t'"$header"$'\t' == *$'\t'"$col"$'\t'* ]] || { echo "no column $col: $header"; return 1; }
    done
    rows=$(paste -d' ' <(tsv_column "$data" dir) <(tsv_column "$data" way) | tr '\n' ';')
    want="$dir truncate;$dir in-place;$dir new;"
    [ ${#dirs[@]} -eq 4 ] && want+="/dev/shm truncate;/dev/shm in-place;/dev/shm new;"
    [ "$rows" = "$want" ] || { echo "$rows"; return 1; }
    # The time inside open, write and close is part of the wall time.
    paste <(tsv_column "$data" median_s) <(tsv_column "$data" open_s) <(tsv_column "$data" write_s) \
        <(tsv_column "$data" close_s) | awk '$2 + $3 + $4 > $1 * 1.01 + 0.001 { bad = 1 } END { exit bad }'
    # tmpfs has no block device: nothing to count there.
    if [ ${#dirs[@]} -eq 4 ]; then
        [ "$(paste <(tsv_column "$data" fs) <(tsv_column "$data" disk_mib) | awk '$1 == "tmpfs"' | cut -f2 | sort -u)" = "-" ]
    fi
    # Every file and directory it made is gone.
    [ -z "$(ls -A "$dir")" ] || { ls -A "$dir"; return 1; }
}

@test "rewrite: a new file each time throws the old one's unwritten bytes away" {
    # Unlinking a file whose bytes are still only in memory cancels them: the
    # kernel counts them (cancelled_write_bytes) where it counts at all.
    [ -r /proc/self/io ] || skip "this kernel does not count a process's I/O"
    data=$BATS_TEST_TMPDIR/new.tsv
    dir=$BATS_TEST_TMPDIR/files
    mkdir "$dir"
    [ "$(stat -f -c %T "$dir")" != tmpfs ] || skip "tmpfs does not count dirty bytes"
    run "$REWRITE" --dir "$dir" --ways new --files 2 --writes 5 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # 2 files x 4 replaced versions x 256 KiB = 2 MiB, unless the flusher wrote some first.
    cancelled=$(tsv_column "$data" cancelled_mib)
    awk -v c="$cancelled" 'BEGIN { exit !(c >= 0 && c <= 2.0) }' || { echo "cancelled $cancelled"; return 1; }
}

@test "rewrite: interrupted, it leaves no file or directory behind" {
    dir=$BATS_TEST_TMPDIR/files
    mkdir "$dir"
    "$REWRITE" --dir "$dir" --files 50 --writes 10000 --repeat 1 >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do [ -n "$(ls -A "$dir")" ] && break; sleep 0.05; done
    kill -TERM "$pid"
    wait "$pid" || true
    [ -z "$(ls -A "$dir")" ] || { ls -AR "$dir"; return 1; }
}

@test "rewrite: bad arguments exit 2 with a message naming the argument" {
    run "$REWRITE" --dir /nonexistent
    assert_usage_error "--dir"
    run "$REWRITE" --dir ""
    assert_usage_error "--dir"
    run "$REWRITE" --ways truncate,append
    assert_usage_error "--ways"
    run "$REWRITE" --files 0
    assert_usage_error "--files"
    run "$REWRITE" --writes 10001
    assert_usage_error "--writes"
    run "$REWRITE" --repeat 0
    assert_usage_error "--repeat"
    run "$REWRITE" extra
    assert_usage_error "extra"
}
