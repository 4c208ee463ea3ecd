#!/usr/bin/env bats
# common/pool*.c: thread pools and process pools, driven by tests/helpers/pool_check.c.
# Behaviour only: order, exactly-once, error policies, dead workers, nothing left behind.

load lib/helpers

check() { "$BUILD/tests/pool_check" "$@"; }

# Every "INDEX done VALUE" line of $output has VALUE = INDEX^2 + 1.
values_right() {
    echo "$output" | awk '$2 == "done" && $3 != $1 * $1 + 1 { print "wrong: " $0; bad = 1 } END { exit bad }'
}

# Nothing left: no child process, no thread but the main one.
nothing_left() {
    assert_contains "children 0"
    assert_contains "threads 1"
}

@test "map returns every result in input order, whatever the kind, workers and chunk size" {
    for kind in threads processes; do
        for shape in "1 1 5" "3 1 20" "3 4 20" "4 7 33" "8 100 30" "2 1 0"; do
            read -r workers chunk n <<<"$shape"
            run check map "$kind" "$workers" "$chunk" "$n"
            [ "$status" -eq 0 ] || { echo "$output"; return 1; }
            # Line k of the results is index k, done, with the right value.
            echo "$output" | awk -v n="$n" '
                NR <= n && ($1 != NR - 1 || $2 != "done") { print "line " NR ": " $0; bad = 1 }
                END { exit bad }' || { echo "$kind $shape"; return 1; }
            values_right
            assert_contains "not-done 0"
            nothing_left
        done
    done
}

@test "submit + next_completed returns each result exactly once" {
    for kind in threads processes; do
        run check submit "$kind" 4 40
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        indexes=$(echo "$output" | awk '$2 == "done" { print $1 }' | sort -n)
        [ "$indexes" = "$(seq 0 39)" ] || { echo "$kind: $indexes"; return 1; }
        values_right
        nothing_left
    done
}

@test "as_completed hands over fast results before a slow one submitted first" {
    for kind in threads processes; do
        run check slow-first "$kind" 2 6
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        # Task 0 sleeps a second, the others not at all: it comes back last.
        [ "$(echo "$output" | awk '$2 == "done"' | tail -n 1 | cut -d' ' -f1)" = 0 ] || { echo "$output"; return 1; }
    done
}

@test "stop at the first failure: the failed input is named, the rest cancelled or done, workers reaped" {
    for kind in threads processes; do
        for chunk in 1 3; do
            run check fail "$kind" 2 "$chunk" 20 5 stop
            [ "$status" -eq 0 ] || { echo "$output"; return 1; }
            assert_contains "5 failed task 5 failed on purpose"
            assert_contains "stopped yes"
            values_right
            # Every input is accounted for once: done, failed (only 5) or cancelled.
            [ "$(echo "$output" | grep -cE '^[0-9]+ (done|failed|cancelled)')" -eq 20 ]
            [ "$(echo "$output" | grep -cE '^[0-9]+ failed ')" -eq 1 ]
            echo "$output" | grep -qE '^[0-9]+ cancelled ' || { echo "nothing cancelled: $output"; return 1; }
            # ... and every cancelled task says why, in the pool's one message.
            [ -z "$(echo "$output" | grep -E '^[0-9]+ cancelled ' | grep -v ' cancelled not run: the pool stopped at a failure$')" ] ||
                { echo "$output"; return 1; }
            nothing_left
        done
    done
}

@test "record failures and go on: every other input is done" {
    for kind in threads processes; do
        run check fail "$kind" 3 2 20 5 continue
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        assert_contains "5 failed task 5 failed on purpose"
        [ "$(echo "$output" | grep -cE '^[0-9]+ done ')" -eq 19 ]
        assert_contains "not-done 1"
        assert_contains "stopped no"
        values_right
        nothing_left
    done
}

@test "a worker process killed mid-task: its input is reported, a new worker replaces it" {
    for chunk in 1 3; do
        run timeout 60 "$BUILD/tests/pool_check" crash processes 2 "$chunk" 12 4 continue
        [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
        [[ "$output" =~ "4 failed worker process "[0-9]+" killed by signal 9" ]] || { echo "$output"; return 1; }
        [ "$(echo "$output" | grep -cE '^[0-9]+ done ')" -eq 11 ]
        values_right
        assert_contains "started 3 lost 1"
        nothing_left
    done
}

@test "a worker process killed mid-task under stop: reported, the pool stops, nothing left" {
    run timeout 60 "$BUILD/tests/pool_check" crash processes 2 3 12 4 stop
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [[ "$output" =~ "4 failed worker process "[0-9]+" killed by signal 9" ]] || { echo "$output"; return 1; }
    assert_contains "stopped yes"
    [ "$(echo "$output" | grep -cE '^[0-9]+ (done|failed|cancelled)')" -eq 12 ]
    # A cancelled task either never ran, or ran in the dead worker and lost its result.
    [ -z "$(echo "$output" | grep -E '^[0-9]+ cancelled ' |
        grep -vE ' cancelled (not run: the pool stopped at a failure|ran, but its result died with worker process [0-9]+)$')" ] ||
        { echo "$output"; return 1; }
    nothing_left
}

@test "inputs and results larger than a pipe's capacity arrive intact" {
    for kind in processes threads; do
        run check big "$kind" 3 2 12 1000000
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        assert_contains "intact 12 of 12"
        nothing_left
    done
}
