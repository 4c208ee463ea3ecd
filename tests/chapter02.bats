#!/usr/bin/env bats
# Chapter 2: concurrency vs parallelism.

load lib/helpers

PAR=$BUILD/chapter02/parallelism

@test "parallelism writes one row per thread count and core count" {
    data=$BATS_TEST_TMPDIR/par.tsv
    run "$PAR" --threads 1,2 --work 200000 --repeat 2 --data "$data"
    [ "$status" -eq 0 ]
    cores=$(nproc)
    expected=$(printf '1\t1\n2\t1\n' ; [ "$cores" -gt 1 ] && printf '1\t%s\n2\t%s\n' "$cores" "$cores")
    [ "$(paste <(tsv_column "$data" threads) <(tsv_column "$data" cpus))" = "$expected" ]
}

@test "parallelism takes any --repeat up to the shared limit (no fixed array of samples)" {
    data=$BATS_TEST_TMPDIR/par.tsv
    run "$PAR" --threads 1 --work 1000 --repeat 150 --cpus 1 --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" repeats)" = 150 ]
    run "$PAR" --repeat 10001
    assert_usage_error "--repeat: 10001 is out of range (1 to 10000)"
}

@test "on one core the CPU time never exceeds the wall time" {
    data=$BATS_TEST_TMPDIR/par.tsv
    run "$PAR" --threads 1,2,4 --work 400000 --repeat 2 --cpus 1 --data "$data"
    [ "$status" -eq 0 ]
    # parallelism = CPU time / wall time: at most 1 on one core (5% for clock granularity).
    tsv_column "$data" parallelism | awk '$1 > 1.05 { print "parallelism " $1 " on one core"; bad = 1 } END { exit bad }'
}

@test "on any cores the parallelism never exceeds the core count" {
    data=$BATS_TEST_TMPDIR/par.tsv
    run "$PAR" --threads 4 --work 400000 --repeat 2 --cpus "$(nproc)" --data "$data"
    [ "$status" -eq 0 ]
    tsv_column "$data" parallelism | awk -v cores="$(nproc)" '$1 > cores * 1.05 { bad = 1 } END { exit bad }'
}

@test "the one-core timeline never has two threads running at once (beyond the gap it cannot see)" {
    data=$BATS_TEST_TMPDIR/one.tsv
    run "$PAR" --threads 3 --cpus 1 --duration 40ms --timeline "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" thread | sort -u | tr '\n' ' ')" = "0 1 2 " ]
    # Total running time over all threads is at most the duration (one core).
    paste <(tsv_column "$data" start_ms) <(tsv_column "$data" end_ms) |
        awk '{ busy += $2 - $1 } END { if (busy > 40 * 1.05) { print "busy " busy " ms"; exit 1 } }'
}

@test "every span of the timeline starts before it ends, inside the run" {
    # Logic, not speed: a thread looks at the clock after every chunk of
    # work and stops at the first look past the deadline (20 ms); a look more
    # than a gap (gap_us, 50) after the one before closes a span and opens
    # the next, and one the loop leaves open is kept only if it began before
    # the deadline. So every span starts at or after 0 and ends less than a
    # gap after the deadline, however long the machine stalls a thread (CI
    # once saw a span [48.6, 48.6] of a thread kept off the CPU past the end).
    data=$BATS_TEST_TMPDIR/all.tsv
    run "$PAR" --threads 2 --cpus "$(nproc)" --duration 20ms --timeline "$data"
    [ "$status" -eq 0 ]
    gap=$(sed -n 's/^# gap_us: //p' "$data")
    [ "$gap" = 50 ]
    paste <(tsv_column "$data" start_ms) <(tsv_column "$data" end_ms) |
        awk -v gap="$gap" '!($1 >= 0 && $1 <= $2 && $2 < 20 + gap / 1000 + 0.0001) { print "bad span " $0; bad = 1 } END { exit bad }'
}

@test "parallelism: bad arguments exit 2 naming the option" {
    run "$PAR" --threads 0
    assert_usage_error "--threads: 0 is out of range (1 to 64)"
    run "$PAR" --threads 65
    assert_usage_error "--threads: 65 is out of range"
    run "$PAR" --cpus 0
    assert_usage_error "--cpus: 0 is out of range"
    run "$PAR" --cpus 999
    assert_usage_error "--cpus: 999 is out of range"
    run "$PAR" --work 10
    assert_usage_error "--work: 10 is out of range"
    run "$PAR" --duration 5ms
    assert_usage_error "--duration: only with --timeline"
    run "$PAR" --timeline x.tsv --threads 1,2 --cpus 1
    assert_usage_error "--timeline: needs one --threads value and --cpus"
    run "$PAR" --timeline x.tsv --threads 2 --cpus 1 --duration 0ms
    assert_usage_error "--duration: '0ms' is out of range"
}
