#!/usr/bin/env bats
# Chapter 9: races, locks, atomics, memory order, deadlock. Exact totals
# from every fix, a forced schedule that loses exactly what it should, what
# C11 promises of release/acquire and seq_cst (on any machine),
# ThreadSanitizer catching the races, a deadlock always detected in bounded
# time.

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
    [ "$got" -le "$expected" ]
    [ "$((expected - got))" -eq "$lost" ]
}

# The ThreadSanitizer build beside $BUILD (build-tsan for the default
# build/), so that suites run with a BUILD of their own never share one.
TSAN=$BUILD-tsan

# tsan_build PROGRAM: build it with ThreadSanitizer; on failure, print the
# compiler's last words (the reason a test skips).
tsan_build() {
    local log
    log=$(make -s BUILD="$TSAN" OPT="-O1 -g" SAN="-fsanitize=thread" "$TSAN/chapter09/$1" 2>&1 >/dev/null) && return 0
    echo "$log" | grep -v '^make' | tail -n 1
    return 1
}

@test "ThreadSanitizer reports the racy counter as a data race, and none of the fixed ones" {
    command -v "${CC:-cc}" >/dev/null || skip "no compiler"
    why=$(tsan_build lost_updates) || skip "this compiler cannot build with ThreadSanitizer: $why"
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
    [ -n "$racy" ]
    [ -n "$caller" ]
    [[ "$(sed -n "${racy}p" "$src")" == *"s->counter++;"*"racy"* ]] || { echo "line $racy: $(sed -n "${racy}p" "$src")"; return 1; }
    [[ "$(sed -n "${caller}p" "$src")" == *"work("* ]] || { echo "line $caller: $(sed -n "${caller}p" "$src")"; return 1; }
    grep -q "at line $racy, \`s->counter++\`" "$text"
}

# check_rows FILE CONDITION: every data row of FILE passes the awk CONDITION,
# which names the columns as c["name"]; a failing row is printed.
check_rows() {
    awk -F'\t' '
        /^#/ { next }
        !header { for (i = 1; i <= NF; i++) name[i] = $i; header = 1; next }
        {
            for (i = 1; i <= NF; i++) c[name[i]] = $i
            if (!('"$2"')) { print "row fails: " $0; bad = 1 }
        }
        END { exit bad }' "$1"
}

@test "message_passing: release/acquire never gives a stale read; every round is counted once" {
    [ "$(nproc)" -ge 2 ] || skip "message passing needs two cores"
    data=$BATS_TEST_TMPDIR/mp.tsv
    for _ in 1 2 3; do
        run timeout 120 "$B/message_passing" --rounds 200000 --timeout 2s --data "$data"
        [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
        # plain runs last, whatever the order; C11 promises release/acquire
        # on every machine; relaxed may be stale (ARM) but always ends.
        [ "$(tsv_column "$data" variant | tr '\n' ' ')" = "relaxed release-acquire plain " ]
        check_rows "$data" 'c["rounds"] == 200000 && c["fresh"] + c["stale"] + c["missed"] == c["rounds"]'
        check_rows "$data" 'c["variant"] == "plain" || c["missed"] == 0'
        check_rows "$data" 'c["variant"] != "release-acquire" || c["stale"] == 0'
    done
}

@test "message_passing: a plain flag the reader never sees is reported in bounded time, not a hang" {
    [ "$(nproc)" -ge 2 ] || skip "message passing needs two cores"
    data=$BATS_TEST_TMPDIR/plain.tsv
    run timeout 30 "$B/message_passing" --variants plain,release-acquire --rounds 1000 --timeout 100ms --data "$data"
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [ "$(tsv_column "$data" variant | tr '\n' ' ')" = "release-acquire plain " ]
    check_rows "$data" 'c["fresh"] + c["stale"] + c["missed"] == 1000'
    missed=$(awk -F'\t' '$1 == "plain" { print $5 }' "$data")
    # Whether the compiler hoisted the load is its choice; if the reader got
    # stuck, the program says so, and it ended all the same.
    if [ "$missed" -gt 0 ]; then
        assert_contains "never ended: the reader did not see the flag for 0.1 s"
    else
        [[ "$output" != *"never ended"* ]]
    fi
}

@test "store_buffer: seq_cst never gives (0, 0); the outcomes add up to the rounds" {
    [ "$(nproc)" -ge 2 ] || skip "store buffering needs two cores"
    data=$BATS_TEST_TMPDIR/sb.tsv
    run timeout 120 "$B/store_buffer" --rounds 200000 --data "$data"
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [ "$(tsv_column "$data" order | tr '\n' ' ')" = "relaxed release-acquire seq_cst " ]
    check_rows "$data" 'c["rounds"] == 200000 && c["r0_0_r1_0"] + c["r0_0_r1_1"] + c["r0_1_r1_0"] + c["r0_1_r1_1"] == c["rounds"]'
    check_rows "$data" 'c["order"] != "seq_cst" || c["r0_0_r1_0"] == 0'
}

@test "ThreadSanitizer reports the plain message as a data race, and neither atomic one nor store_buffer" {
    command -v "${CC:-cc}" >/dev/null || skip "no compiler"
    [ "$(nproc)" -ge 2 ] || skip "message passing needs two cores"
    why=$(tsan_build message_passing) || skip "this compiler cannot build with ThreadSanitizer: $why"
    why=$(tsan_build store_buffer) || skip "this compiler cannot build with ThreadSanitizer: $why"
    run timeout 60 "$TSAN/chapter09/message_passing" --variants plain --rounds 1000 --timeout 200ms
    [ "$status" -eq 66 ] || { echo "status $status: $output"; return 1; }
    assert_contains "WARNING: ThreadSanitizer: data race"
    assert_contains "message_passing.c"
    run timeout 60 "$TSAN/chapter09/message_passing" --variants relaxed,release-acquire --rounds 10000
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [[ "$output" != *"ThreadSanitizer"* ]]
    run timeout 60 "$TSAN/chapter09/store_buffer" --rounds 10000
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [[ "$output" != *"ThreadSanitizer"* ]]
}

@test "the chapter's ThreadSanitizer report names the lines where they are in message_passing.c" {
    src=chapters/09-races-and-locks/message_passing.c
    text=chapters/09-races-and-locks/README.md
    write=$(sed -n 's/.* send .*message_passing\.c:\([0-9]*\) .*/\1/p' "$text" | sort -u)
    read=$(sed -n 's/.* receive .*message_passing\.c:\([0-9]*\) .*/\1/p' "$text" | sort -u)
    [ -n "$write" ]
    [ -n "$read" ]
    [[ "$(sed -n "${write}p" "$src")" == *"message.flag = r;"* ]] || { echo "line $write: $(sed -n "${write}p" "$src")"; return 1; }
    [[ "$(sed -n "${read}p" "$src")" == *"while (message.flag != r)"* ]] || { echo "line $read: $(sed -n "${read}p" "$src")"; return 1; }
    writer=$(sed -n 's/.* write_rounds .*message_passing\.c:\([0-9]*\) .*/\1/p' "$text" | sort -u)
    reader=$(sed -n 's/.* read_rounds .*message_passing\.c:\([0-9]*\) .*/\1/p' "$text" | sort -u)
    [[ "$(sed -n "${writer}p" "$src")" == *"send("* ]] || { echo "line $writer: $(sed -n "${writer}p" "$src")"; return 1; }
    [[ "$(sed -n "${reader}p" "$src")" == *"receive("* ]] || { echo "line $reader: $(sed -n "${reader}p" "$src")"; return 1; }
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
    [ "$(echo "$output" | grep -cE '^(packed|padded) +(volatile|plain|atomic) ')" -eq 6 ]
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
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'layout\tincrement\trepeats\tmedian_ns_per_op\tmin_ns_per_op\tmax_ns_per_op\tmedian_vs_padded\tmin_vs_padded\tmax_vs_padded')" ]
    # The padded layout is the yardstick of every repeat: exactly 1.
    check_rows "$data" 'c["layout"] != "padded" || (c["median_vs_padded"] == 1 && c["min_vs_padded"] == 1 && c["max_vs_padded"] == 1)'
    [ "$(tsv_column "$data" increment | tr '\n' ' ')" = "volatile volatile plain plain atomic atomic " ]
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
    run "$B/message_passing" --rounds 0
    assert_usage_error "--rounds"
    run "$B/message_passing" --variants plain,seq_cst
    assert_usage_error "--variants"
    run "$B/message_passing" --timeout 5
    assert_usage_error "--timeout"
    run "$B/message_passing" --timeout 1ms
    assert_usage_error "--timeout"
    run "$B/store_buffer" --rounds 0
    assert_usage_error "--rounds"
    run "$B/store_buffer" --orders relaxed,acquire
    assert_usage_error "--orders"
}
