#!/usr/bin/env bats
# Chapter 4: the waiting workloads in one thread's event loop (event_loop).
# Every result checked, every wait in flight at once, one thread.

load lib/helpers

B=$BUILD/chapter04

# column NAME of the rows of $data
col() { tsv_column "$data" "$1"; }

@test "event_loop: sleeps, calls and both mixed, every result right, all in flight at once in one thread" {
    data=$BATS_TEST_TMPDIR/loop.tsv
    run timeout 120 "$BUILD/tests/no_orphans" "$B/event_loop" --tasks 5,300 --sleep 5ms --latency 5ms --repeat 2 \
        --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "every task's result was right; one thread waited for them all"
    assert_contains "left behind 0"
    rows=$(paste -d' ' <(col workload) <(col tasks) <(col repeats) <(col threads) <(col in_flight) | tr '\n' ';')
    [ "$rows" = "sleep 5 2 1 5;sleep 300 2 1 300;api 5 2 1 5;api 300 2 1 300;mixed 5 2 1 5;mixed 300 2 1 300;" ] \
        || { echo "$rows"; return 1; }
    # Each task waited at least its 5 ms: the sum of the waits is at least tasks x 5 ms.
    paste <(col tasks) <(col waited_s) <(col overlap) <(col min_s) <(col median_s) <(col max_s) | awk '
        !($2 >= $1 * 0.005) { print "waited too little: " $0; bad = 1 }
        !($3 > 0 && $4 <= $5 && $5 <= $6) { print "bad spread or overlap: " $0; bad = 1 }
        END { exit bad }'
    grep -qx '# sleep_ns: 5000000' "$data" && grep -qx '# latency_ns: 5000000' "$data"
}

@test "event_loop: the process runs one thread, whatever the number of waits" {
    out=$BATS_TEST_TMPDIR/out
    "$B/event_loop" --tasks 2000 --workloads sleep --sleep 2s --repeat 1 >"$out" 2>&1 &
    pid=$!
    wait_for_children "$pid" 1 >/dev/null      # the server: the batch starts now
    sleep 0.5
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
    wait "$pid"
    [ "$threads" = 1 ] || { echo "threads: $threads"; cat "$out"; return 1; }
}

@test "event_loop: the descriptor limit is raised to the hard limit and said so; too many calls for it is an error" {
    hard=$(ulimit -Hn)
    [ "$hard" -gt 300 ] || skip "the hard descriptor limit here is only $hard"
    run bash -c "ulimit -Sn 256 && exec $B/event_loop --tasks 3 --sleep 1ms --latency 1ms --repeat 1"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "descriptors: soft limit raised from 256 to $hard (the hard limit)"
    run bash -c "ulimit -n 200 && exec $B/event_loop --tasks 500 --workloads api --latency 1ms --repeat 1"
    [ "$status" -eq 1 ]
    assert_contains "500 calls at once need more descriptors than the limit, 200"
}

@test "event_loop: bad arguments exit 2 with a message naming the argument" {
    run "$B/event_loop" --tasks 0
    assert_usage_error "--tasks"
    run "$B/event_loop" --workloads sleep,naps
    assert_usage_error "--workloads"
    run "$B/event_loop" --sleep 0ms
    assert_usage_error "--sleep"
    run "$B/event_loop" --latency 2h
    assert_usage_error "--latency"
    run "$B/event_loop" extra
    assert_usage_error "extra"
}
