#!/usr/bin/env bats
# Chapter 9: races, locks, atomics, deadlock. Exact totals from every fix,
# a forced schedule that loses exactly what it should, ThreadSanitizer
# catching the race, a deadlock always detected in bounded time.

load lib/helpers

B=$BUILD/chapter09

# The numbers of a lost_updates line: "expected E, got G: L updates lost".
counts() { echo "$output" | sed -n 's/.*expected \([0-9]*\), got \([0-9]*\): \([0-9]*\) updates lost.*/\1 \2 \3/p'; }

@test "every fix gives the exact total, threads and processes, on every run" {
    for run in 1 2 3; do
        for fix in mutex spin atomic local; do
            run "$B/lost_updates" --workers 4 --increments 200000 --fix "$fix"
            [ "$status" -eq 0 ]
            [ "$(counts)" = "800000 800000 0" ] || { echo "$fix: $output"; return 1; }
        done
        for fix in mutex semaphore atomic; do
            run "$BUILD/tests/no_orphans" "$B/lost_updates" --kind processes --workers 3 --increments 200000 --fix "$fix"
            [ "$status" -eq 0 ] || { echo "$output"; return 1; }
            [ "$(counts)" = "600000 600000 0" ] || { echo "$fix: $output"; return 1; }
            assert_contains "left behind 0"
        done
    done
    [ -z "$(find /dev/shm -maxdepth 1 -name 'sem.workbook-counter-*')" ]
}

@test "the forced schedule loses exactly the updates it steals, threads and processes" {
    for kind in threads processes; do
        for steal in 1 5 37; do
            run "$B/lost_updates" --mode forced --kind "$kind" --steal "$steal"
            [ "$status" -eq 0 ]
            [ "$(counts)" = "$((steal + 1)) 1 $steal" ] || { echo "$output"; return 1; }
            assert_contains "A: writes 0 + 1 = 1"
        done
    done
}

@test "the forced schedule under a mutex loses nothing: B waits for A's write" {
    run "$B/lost_updates" --mode forced --fix mutex --steal 5
    [ "$status" -eq 0 ]
    [ "$(counts)" = "6 6 0" ]
    # A's write comes before any of B's increments.
    [ "$(echo "$output" | grep -E '^(A: writes|B:)' | head -n 1)" = "A: writes 0 + 1 = 1" ]
}

@test "free-running without a fix never counts more than the increments made" {
    run "$B/lost_updates" --workers 2 --increments 2000000
    [ "$status" -eq 0 ]
    read -r expected got lost <<<"$(counts)"
    [ "$got" -le "$expected" ] && [ "$((expected - got))" -eq "$lost" ]
}

# The ThreadSanitizer build beside $BUILD (build-tsan for the default
# build/), so that suites run with a BUILD of their own never share one.
TSAN=$BUILD-tsan

tsan_build() {
    make -s BUILD="$TSAN" OPT="-O1 -g" SAN="-fsanitize=thread" "$TSAN/chapter09/$1" >/dev/null
}

@test "ThreadSanitizer reports the racy counter as a data race, and none of the fixed ones" {
    command -v "${CC:-cc}" >/dev/null || skip "no compiler"
    tsan_build lost_updates || skip "this compiler cannot build with ThreadSanitizer"
    run "$TSAN/chapter09/lost_updates" --increments 10000
    [ "$status" -eq 66 ] || { echo "status $status"; return 1; }   # TSan's exit status on a report
    assert_contains "WARNING: ThreadSanitizer: data race"
    assert_contains "lost_updates.c"
    for fix in mutex spin atomic local; do
        run "$TSAN/chapter09/lost_updates" --increments 10000 --fix "$fix"
        [ "$status" -eq 0 ] || { echo "$fix: $output"; return 1; }
        [[ "$output" != *"ThreadSanitizer"* ]]
    done
}

@test "the chapter's ThreadSanitizer report names the lines where they are in lost_updates.c" {
    src=chapters/09-races-and-locks/lost_updates.c
    text=chapters/09-races-and-locks/README.md
    racy=$(sed -n 's/.* work .*lost_updates\.c:\([0-9]*\) .*/\1/p' "$text" | sort -u)
    caller=$(sed -n 's/.* thread_main .*lost_updates\.c:\([0-9]*\) .*/\1/p' "$text" | sort -u)
    [ -n "$racy" ] && [ -n "$caller" ]
    [[ "$(sed -n "${racy}p" "$src")" == *"s->counter++;"*"racy"* ]] || { echo "line $racy: $(sed -n "${racy}p" "$src")"; return 1; }
    [[ "$(sed -n "${caller}p" "$src")" == *"work("* ]] || { echo "line $caller: $(sed -n "${caller}p" "$src")"; return 1; }
    grep -q "at line $racy, \`s->counter++\`" "$text"
}

@test "deadlock: opposite orders always end, in bounded time, with status 3 and who waits for whom" {
    for _ in 1 2 3; do
        run timeout 20 "$B/deadlock" --timeout 200ms
        [ "$status" -eq 3 ] || { echo "status $status: $output"; return 1; }
        assert_contains "thread 1 holds A and waited 0.2 s for B, held by thread 2"
        assert_contains "thread 2 holds B and waited 0.2 s for A, held by thread 1"
    done
}

@test "deadlock: one lock order, or trylock with back-off, always completes" {
    run timeout 30 "$B/deadlock" --order same --rounds 20
    [ "$status" -eq 0 ]
    assert_contains "done: 20 rounds each"
    run timeout 30 "$B/deadlock" --order trylock --rounds 20
    [ "$status" -eq 0 ]
    assert_contains "done: 20 rounds each"
    assert_contains "backing off"
}

@test "lost_wakeup: no predicate loses the signal, if goes on with nothing, while is right" {
    run timeout 20 "$B/lost_wakeup" --timeout 200ms
    [ "$status" -eq 0 ]
    assert_contains "consumer 1: waited in vain: the wakeup was lost"
    [ "$(echo "$output" | sed -n '/^if:/,/^while:/p' | grep -c 'took the item')" -eq 1 ]
    [ "$(echo "$output" | sed -n '/^if:/,/^while:/p' | grep -c 'went on with no item')" -eq 1 ]
    [ "$(echo "$output" | sed -n '/^while:/,$p' | grep -c 'took the item')" -eq 1 ]
    [ "$(echo "$output" | sed -n '/^while:/,$p' | grep -c 'waited, correctly')" -eq 1 ]
}

@test "lock_cost and false_sharing check their totals and write the graph's columns" {
    data=$BATS_TEST_TMPDIR/cost.tsv
    run "$B/lock_cost" --threads 1,3 --increments 10000 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'method\tthreads\trepeats\tmedian_ns_per_op\tmin_ns_per_op\tmax_ns_per_op')" ]
    [ "$(tsv_column "$data" method | tr '\n' ' ')" = "mutex mutex spin spin atomic atomic local local " ]
    [ "$(nproc)" -ge 2 ] || skip "false sharing needs two cores"
    run "$B/false_sharing" --increments 100000 --repeat 1
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(echo "$output" | grep -cE '^(packed|padded) +(plain|atomic) ')" -eq 4 ]
}

@test "lock_cost's progress bar counts the points it measures, not every method's" {
    run --separate-stderr "$B/lock_cost" --methods atomic --threads 1,2 --increments 1000 --repeat 1 --progress
    [ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
    [[ "$stderr" == *"locks 2/2 "* ]] || { echo "$stderr" | tr '\r' '\n'; return 1; }
}

@test "lock_cost and false_sharing keep every repeat, however many (no fixed-size array)" {
    data=$BATS_TEST_TMPDIR/many.tsv
    run "$B/lock_cost" --methods local --threads 1 --increments 1000 --repeat 1001 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" repeats)" = 1001 ]
    [ "$(nproc)" -ge 2 ] || skip "false sharing needs two cores"
    run "$B/false_sharing" --increments 1000 --repeat 1001 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" repeats | sort -u)" = 1001 ]
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'layout\tincrement\trepeats\tmedian_ns_per_op\tmin_ns_per_op\tmax_ns_per_op')" ]
}

@test "chapter 9 programs: bad arguments exit 2 with a message naming the argument" {
    run "$B/lost_updates" --workers 1
    assert_usage_error "--workers"
    run "$B/lost_updates" --fix semaphore
    assert_usage_error "--fix semaphore"
    run "$B/lost_updates" --kind processes --fix spin
    assert_usage_error "--fix spin"
    run "$B/lost_updates" --mode forced --fix atomic
    assert_usage_error "--mode forced"
    run "$B/lost_updates" --mode forced --workers 3
    assert_usage_error "--mode forced"
    run "$B/deadlock" --order random
    assert_usage_error "--order"
    run "$B/deadlock" --timeout 1ms
    assert_usage_error "--timeout"
    run "$B/lost_wakeup" --variant maybe
    assert_usage_error "--variant"
    run "$B/lock_cost" --methods mutex,semaphore
    assert_usage_error "--methods"
    run "$B/false_sharing" --increments 10
    assert_usage_error "--increments"
}
