#!/usr/bin/env bats
# Chapter 5: pools. The programs' behaviour; the pool itself is tested in pool.bats.

load lib/helpers

ORDER=$BUILD/chapter05/completion_order
OVERHEAD=$BUILD/chapter05/overhead
ERRORS=$BUILD/chapter05/pool_errors

@test "completion_order: map hands results over in input order, as_completed each exactly once" {
    for pool in threads processes; do
        data=$BATS_TEST_TMPDIR/order-$pool.tsv
        run "$ORDER" --pool "$pool" --workers 3 --tasks 10 --mean 10ms --sd 8ms --data "$data"
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        rows() { paste <(tsv_column "$data" method) <(tsv_column "$data" index) <(tsv_column "$data" available_s); }
        # map: indexes 0..9 in order, and times that never go down.
        [ "$(rows | awk -F'\t' '$1 == "map" { print $2 }' | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 8 9 " ]
        rows | awk -F'\t' '$1 == "map" { if ($3 < last) bad = 1; last = $3 } END { exit bad }'
        # as_completed: every index once, in the order the results arrived.
        [ "$(rows | awk -F'\t' '$1 == "as_completed" { print $2 }' | sort -n | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 8 9 " ]
        rows | awk -F'\t' '$1 == "as_completed" { if ($3 < last) bad = 1; last = $3 } END { exit bad }'
        # A result of map is never usable sooner than the same result of as_completed
        # would have been had it finished at the same time: the first map result
        # waits for task 0, which as_completed may overtake.
        assert_contains "first result usable after"
    done
}

@test "completion_order: --mean and --sd override --quick's defaults wherever --quick stands, 0 included" {
    data=$BATS_TEST_TMPDIR/order.tsv
    given() {
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        assert_contains "durations 5 +- 0 ms"
        grep -qx '# mean_ns: 5000000' "$data"
        grep -qx '# sd_ns: 0' "$data"
    }
    run "$ORDER" --quick --mean 5ms --sd 0ms --tasks 3 --data "$data"
    given
    run "$ORDER" --mean 5ms --sd 0ms --tasks 3 --data "$data" --quick
    given
    run "$ORDER" --quick --tasks 1
    assert_contains "durations 40 +- 20 ms"
}

@test "overhead: every pool and chunk size measured, with the columns the graph reads" {
    data=$BATS_TEST_TMPDIR/overhead.tsv
    run "$OVERHEAD" --tasks 500 --chunks 1,7,100 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    header=$(grep -v '^#' "$data" | head -n 1)
    [ "$header" = "$(printf 'pool\tmethod\tchunk_size\trepeats\tper_task_us\tmin_us\tmax_us\tbytes_per_task')" ]
    rows=$(paste -d' ' <(tsv_column "$data" pool) <(tsv_column "$data" method) <(tsv_column "$data" chunk_size) | tr '\n' ';')
    [ "$rows" = "c-threads map 1;c-threads map 7;c-threads map 100;c-threads submit 1;c-processes map 1;c-processes map 7;c-processes map 100;c-processes submit 1;" ]
    # Threads pass pointers: no bytes. Processes send every task's 8 bytes and
    # framing, fewer bytes per task as the chunks grow.
    paste <(tsv_column "$data" pool) <(tsv_column "$data" bytes_per_task) | awk -F'\t' '
        $1 == "c-threads" && $2 != 0 { bad = 1 }
        $1 == "c-processes" && $2 < 16 { bad = 1 }
        END { exit bad }'
    [ "$(paste <(tsv_column "$data" pool) <(tsv_column "$data" bytes_per_task) | awk -F'\t' '$1 == "c-processes" { print $2 }' | head -n 3 | sort -rn | tr '\n' ' ')" = \
      "$(paste <(tsv_column "$data" pool) <(tsv_column "$data" bytes_per_task) | awk -F'\t' '$1 == "c-processes" { print $2 }' | head -n 3 | tr '\n' ' ')" ]
}

@test "overhead: options given override --quick's defaults wherever --quick stands" {
    data=$BATS_TEST_TMPDIR/overhead.tsv
    run "$OVERHEAD" --tasks 300 --repeat 2 --quick --pools threads --chunks 100 --workers 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qx '# tasks: 300' "$data"
    [ "$(tsv_column "$data" repeats | sort -u)" = 2 ]
    assert_contains "300 empty tasks, 2 workers"
    [[ "$output" =~ "starting and stopping an idle pool of 2: threads "[0-9]+" us"$ ]] || { echo "$output"; return 1; }
    run "$OVERHEAD" --pools processes --chunks 100 --tasks 100 --repeat 1 --workers 2
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "$output" =~ "starting and stopping an idle pool of 2: processes "[0-9]+" us"$ ]] || { echo "$output"; return 1; }
}

@test "overhead: more than 1000 repeats are measured (the samples are not a fixed array)" {
    data=$BATS_TEST_TMPDIR/overhead.tsv
    run "$OVERHEAD" --pools threads --chunks 100 --tasks 100 --workers 1 --repeat 1001 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" repeats | sort -u)" = 1001 ]
    [ "$(tsv_column "$data" method | tr '\n' ' ')" = "map submit " ]
}

@test "merge_tsv joins the C and the Python rows, keeping both provenances" {
    a=$BATS_TEST_TMPDIR/a.tsv b=$BATS_TEST_TMPDIR/b.tsv out=$BATS_TEST_TMPDIR/out.tsv
    printf '# cpu: X\nk\tv\nc\t1\n' >"$a"
    printf '# python: 3\nk\tv\npy\t2\n' >"$b"
    run bash -c ". common/chapter.sh; merge_tsv '$out' '$a' '$b'"
    [ "$status" -eq 0 ]
    [ "$(cat "$out")" = "$(printf '# cpu: X\n# companion python: 3\nk\tv\nc\t1\npy\t2')" ]
    printf 'other\tcolumns\n' >"$b"
    run bash -c ". common/chapter.sh; merge_tsv '$out' '$a' '$b'"
    [ "$status" -ne 0 ]
}

@test "pool_errors: stop names the failed input, cancels the rest, leaves nothing" {
    for pool in threads processes; do
        run "$BUILD/tests/no_orphans" "$ERRORS" --pool "$pool" --tasks 12 --fail 3 --task-time 20ms
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        assert_contains "input  3: failed    input 3 is not allowed"
        assert_contains "the pool stopped"
        assert_contains "left behind 0"
        [ "$(echo "$output" | grep -c ': failed ')" -eq 1 ]
        echo "$output" | grep -q ': cancelled ' || { echo "nothing cancelled: $output"; return 1; }
        [ "$(echo "$output" | grep -cE '^input +[0-9]+: (done|failed|cancelled)')" -eq 12 ]
    done
}

@test "pool_errors: continue returns every other result" {
    for pool in threads processes; do
        run "$ERRORS" --pool "$pool" --tasks 12 --fail 3,7 --policy continue --task-time 5ms --chunk 3
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        [ "$(echo "$output" | grep -c ': done ')" -eq 10 ]
        assert_contains "input  7: failed    input 7 is not allowed"
        assert_contains "the pool went on"
        # done values are the squares
        echo "$output" | awk '/: done / { split($2, a, ":"); if ($4 != a[1] * a[1]) bad = 1 } END { exit bad }'
    done
}

@test "pool_errors: a worker that kills itself is reported with its input and replaced" {
    run timeout 60 "$BUILD/tests/no_orphans" "$ERRORS" --pool processes --crash 4 --policy continue --task-time 5ms
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "$output" =~ "input  4: failed    worker process "[0-9]+" killed by signal 9" ]] || { echo "$output"; return 1; }
    [ "$(echo "$output" | grep -c ': done ')" -eq 9 ]
    assert_contains "workers started 3, lost 1"
    assert_contains "left behind 0"
}

@test "pool_errors: a worker killed from outside (SIGKILL) mid-task is reported, within bounded time" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    out=$BATS_TEST_TMPDIR/out
    "$BUILD/tests/no_orphans" "$ERRORS" --pool processes --workers 2 --tasks 6 \
        --policy continue --task-time 500ms >"$out" 2>&1 &
    wrapper=$!
    program=$(wait_for_children "$wrapper" 1)
    workers=$(wait_for_children "$program" 2)
    sleep 0.2   # both workers are inside their first task
    victim=${workers%% *}
    kill -KILL "$victim"
    wait_bounded "$wrapper" 30
    cat "$out"
    grep -qE "^input +[0-9]+: failed +worker process $victim killed by signal 9" "$out"
    [ "$(grep -c ': done ' "$out")" -eq 5 ]
    grep -q "lost 1" "$out"
    grep -q "^left behind 0$" "$out"
}

@test "pool_errors --progress draws the pool's bar on stderr" {
    run --separate-stderr "$ERRORS" --tasks 4 --task-time 1ms --progress
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"tasks 4/4"*"100%"* ]] || { echo "stderr: $stderr"; return 1; }
    [[ "$output" != *"tasks 4/4"* ]]
}

@test "chapter 5 programs: bad arguments exit 2 with a message naming the argument" {
    run "$OVERHEAD" --chunks 0
    assert_usage_error "--chunks"
    run "$OVERHEAD" --chunks 1,100001
    assert_usage_error "--chunks"
    run "$OVERHEAD" --workers 0
    assert_usage_error "--workers"
    run "$OVERHEAD" --workers 100000
    assert_usage_error "--workers"
    run "$OVERHEAD" --pools threads,fibers
    assert_usage_error "--pools"
    run "$ORDER" --pool greenlets
    assert_usage_error "--pool"
    run "$ORDER" --tasks -3
    assert_usage_error "--tasks"
    run "$ORDER" --mean 5
    assert_usage_error "--mean"
    run "$ERRORS" --chunk 0
    assert_usage_error "--chunk"
    run "$ERRORS" --policy ignore
    assert_usage_error "--policy"
    run "$ERRORS" --crash 2
    assert_usage_error "--crash needs --pool processes"
    run "$ERRORS" --fail 10 --tasks 10
    assert_usage_error "--fail"
}
