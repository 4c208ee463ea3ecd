#!/usr/bin/env bats
# Chapter 6: pipes. EOF, pipelines, capacity, SIGPIPE/EPIPE, atomic writes,
# throughput with every byte checked. Behaviour only, never speed.

load lib/helpers

B=$BUILD/chapter06

@test "pipe_eof: EOF arrives once every write end is closed" {
    run "$BUILD/tests/no_orphans" "$B/pipe_eof" --lines 5000
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "child: end-of-file after 5000 lines"
    assert_contains "left behind 0"
}

@test "pipe_eof: a write end left open (by the child or the parent) means no EOF, detected in bounded time" {
    for who in child parent; do
        run timeout 20 "$BUILD/tests/no_orphans" "$B/pipe_eof" --leak "$who" --timeout 300ms
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        assert_contains "hang: no end-of-file"
        assert_contains "open in the $who"
        [[ "$output" != *"child: end-of-file"* ]]
        assert_contains "left behind 0"
    done
}

@test "pipeline: the same output as the shell's pipeline, every status reported" {
    run --separate-stderr "$B/pipeline" 'seq 1 100000' 'grep 7' 'wc -l'
    [ "$status" -eq 0 ]
    [ "$output" = "$(seq 1 100000 | grep 7 | wc -l)" ]
    [[ "$stderr" == *"seq: exit status 0"*"grep: exit status 0"*"wc: exit status 0"* ]]
    run --separate-stderr "$B/pipeline" 'seq 1 5' 'no-such-command-here' 'cat'
    [[ "$stderr" == *"no-such-command-here: exit status 127"* ]] || { echo "$stderr"; return 1; }
    run --separate-stderr "$B/pipeline" 'false'
    [[ "$stderr" == *"false: exit status 1"* ]]
}

@test "pipeline: with the parent holding the write ends, the last command never ends; detected and cleaned up" {
    run --separate-stderr timeout 20 "$BUILD/tests/no_orphans" "$B/pipeline" --leak --timeout 300ms 'seq 1 10' 'cat'
    [[ "$stderr" == *"hang: 1 command(s) still waiting"* ]] || { echo "$stderr"; return 1; }
    [[ "$stderr" == *"cat: killed by signal 9"* ]]
    assert_contains "left behind 0"
}

@test "pipe_limits: capacity as F_GETPIPE_SZ says, resizable, a full pipe blocks, no reader means SIGPIPE or EPIPE" {
    run "$B/pipe_limits" --size 262144 --hold 100ms
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    size=$(echo "$output" | sed -n 's/^capacity: a new pipe took \([0-9]*\) bytes before EAGAIN; F_GETPIPE_SZ says \([0-9]*\)$/\1 \2/p')
    [ -n "$size" ] && [ "${size% *}" = "${size#* }" ] || { echo "$output"; return 1; }
    assert_contains "after F_SETPIPE_SZ 262144 it says 262144, and took 262144 bytes in all"
    assert_contains "the write returned only after the reader started reading: yes"
    assert_contains "SIGPIPE as it comes: the writer was killed by signal 13"
    assert_contains "SIGPIPE ignored: write() failed with EPIPE"
}

@test "pipe_limits: the writer with no reader sees SIGPIPE or EPIPE even when it writes before the parent's next step" {
    # The read end must be closed before the child can write. Had the parent
    # closed its copy after fork(), a child that ran first would write into a
    # pipe whose reader was still open, and the write would succeed. strace
    # (tracing the parent only) makes every close() of the parent 20 ms late,
    # so that the child always runs first.
    command -v strace >/dev/null || skip "strace is not installed"
    strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
    # (LeakSanitizer cannot run under ptrace: off, should $B be a sanitizer build.)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        run strace -o /dev/null -e trace=close -e inject=close:delay_enter=20000 "$B/pipe_limits" --hold 1ms
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "SIGPIPE as it comes: the writer was killed by signal 13"
    assert_contains "SIGPIPE ignored: write() failed with EPIPE"
}

@test "pipe_atomic: records up to PIPE_BUF from several writers are never torn, lost or duplicated" {
    for size in 16 512 4096; do
        run "$B/pipe_atomic" --writers 6 --record "$size" --records 3000
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        assert_contains "sent 18000, read 18000 blocks: intact 18000, torn 0, duplicated 0, missing 0"
    done
}

@test "pipe_atomic: a record written in two pieces around another writer's is detected as torn" {
    # Records up to PIPE_BUF, so that the forced tear is the only one.
    for size in 1024 4096; do
        run "$B/pipe_atomic" --writers 2 --record "$size" --records 20 --force-tear
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        # Writer 0's halves wrap writer 1's record: both blocks are mixed.
        assert_contains "sent 40, read 40 blocks: intact 38, torn 2, duplicated 0, missing 2"
    done
}

@test "pipe_atomic: above PIPE_BUF every block is accounted for, whole or torn" {
    run "$B/pipe_atomic" --writers 4 --record 1048576 --records 20
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    echo "$output" | awk '/^sent/ {
        gsub(/,/, ""); sent = $2; blocks = $4; intact = $7; torn = $9; dup = $11; missing = $13
        exit !(blocks == sent && intact + torn + dup == blocks && missing == sent - intact) }'
}

@test "pipe_throughput: every size and placement measured, every byte checked, columns for the graph" {
    data=$BATS_TEST_TMPDIR/tp.tsv
    run "$B/pipe_throughput" --sizes 4096,65536 --bytes 4194304 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "every byte checked"
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'write_bytes\tplacement\trepeats\tmedian_mib_s\tmin_mib_s\tmax_mib_s\tmedian_bare_mib_s\tmin_bare_mib_s\tmax_bare_mib_s\tswitches_per_mib\tmemcpy_mib_s')" ]
    rows=$(paste -d' ' <(tsv_column "$data" write_bytes) <(tsv_column "$data" placement) | tr '\n' ';')
    if [ "$(nproc)" -ge 2 ]; then
        [ "$rows" = "4096 one-core;65536 one-core;4096 two-cores;65536 two-cores;" ] || { echo "$rows"; return 1; }
    else
        [ "$rows" = "4096 one-core;65536 one-core;" ]
    fi
    # The bare loop ran beside every point.
    tsv_column "$data" median_bare_mib_s | awk '$1 <= 0 { bad = 1 } END { exit bad }'
    # Odd sizes too: the blocks still add up.
    run "$B/pipe_throughput" --sizes 100,12345 --bytes 1048576 --repeat 1 --placement one-core
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "pipe_throughput: on one core the two take turns: at least one switch per pipeful" {
    # Writer and reader on one core cannot both run: each pipeful (64 KiB) the
    # writer puts in, the reader must be switched in to take out, and back.
    data=$BATS_TEST_TMPDIR/switches.tsv
    run "$B/pipe_throughput" --sizes 65536,1048576 --bytes 16777216 --repeat 1 --placement one-core --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # 16 MiB through a 64 KiB pipe: 256 pipefuls, 2 switches each: 32 per MiB at least.
    tsv_column "$data" switches_per_mib | awk '$1 < 31.5 { print "switches per MiB: " $1; bad = 1 } END { exit bad }'
}

@test "pipe_throughput: every repeat is kept, past the 1000 a fixed array of samples once held" {
    data=$BATS_TEST_TMPDIR/repeat.tsv
    run "$B/pipe_throughput" --sizes 1048576 --bytes 1048576 --repeat 1001 --placement one-core --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" repeats)" = 1001 ]
    [ "$(tsv_column "$data" write_bytes)" = 1048576 ]
    run "$B/pipe_throughput" --repeat 10001
    assert_usage_error "--repeat"
}

@test "chapter 6 programs: bad arguments exit 2 with a message naming the argument" {
    run "$B/pipe_eof" --leak nobody
    assert_usage_error "--leak"
    run "$B/pipe_eof" --lines -1
    assert_usage_error "--lines"
    run "$B/pipeline"
    assert_usage_error "no command given"
    run "$B/pipeline" ' '
    assert_usage_error "command 1 is empty"
    run "$B/pipe_limits" --size 0
    assert_usage_error "--size"
    run "$B/pipe_limits" --size 99999999999
    assert_usage_error "--size"
    run "$B/pipe_atomic" --record 0
    assert_usage_error "--record"
    run "$B/pipe_atomic" --writers 1 --force-tear
    assert_usage_error "--force-tear"
    run "$B/pipe_throughput" --sizes 4096,0
    assert_usage_error "--sizes"
    run "$B/pipe_throughput" --placement both
    assert_usage_error "--placement"
    run "$B/pipe_throughput" --bytes 10
    assert_usage_error "--bytes"
}
