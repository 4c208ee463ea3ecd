#!/usr/bin/env bats
# Chapter 1: processes and threads.

load lib/helpers

ISOLATION=$BUILD/chapter01/isolation
COST=$BUILD/chapter01/creation_cost

# ---- isolation -------------------------------------------------------------------

# field ROLE KEY: the value of KEY=... on the output line starting with ROLE.
field() {
    grep "^$1" <<<"$output" | head -n 1 | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

@test "isolation: the child's write is not seen by the parent" {
    run "$ISOLATION"
    [ "$status" -eq 0 ]
    [ "$(field 'child:' value)" = 42 ]
    assert_contains "main:   after waitpid, value=0 (the child changed its own copy)"
}

@test "isolation: the thread's write is seen by the main thread" {
    run "$ISOLATION" --value 7
    [ "$status" -eq 0 ]
    [ "$(field 'thread:' value)" = 7 ]
    assert_contains "main:   after pthread_join, value=7 (the thread changed our memory)"
}

@test "isolation: the child is another process, the thread is the same process" {
    run "$ISOLATION"
    main_pid=$(field 'main:' pid)
    main_tid=$(field 'main:' tid)
    [ -n "$main_pid" ]
    [ "$main_pid" = "$main_tid" ]
    # The child: its own process (pid), not ours.
    [ "$(field 'child:' pid)" != "$main_pid" ]
    # The thread: our process, its own thread id.
    [ "$(field 'thread:' pid)" = "$main_pid" ]
    [ "$(field 'thread:' tid)" != "$main_tid" ]
}

@test "isolation: the child's copy sits at the same virtual address" {
    run "$ISOLATION"
    main_at=$(grep '^main:.*(before)' <<<"$output" | sed 's/.* at \(0x[0-9a-f]*\).*/\1/')
    child_at=$(grep '^child:' <<<"$output" | sed 's/.* at \(0x[0-9a-f]*\).*/\1/')
    [ -n "$main_at" ]
    [ "$main_at" = "$child_at" ]
}

@test "isolation: output is complete and in order when piped (no doubled buffer)" {
    run "$ISOLATION"
    [ "${#lines[@]}" -eq 5 ]
    [ "$(grep -c '^child:' <<<"$output")" -eq 1 ]
    [[ "${lines[0]}" == "main:"*"(before)" ]]
    [[ "${lines[4]}" == "main:   after pthread_join"* ]]
}

@test "isolation: bad arguments exit 2 naming the option" {
    run "$ISOLATION" --value 0
    assert_usage_error "--value: 0 is out of range"
    run "$ISOLATION" --value x
    assert_usage_error "--value: 'x' is not a whole number"
    run "$ISOLATION" stray
    assert_usage_error "unexpected argument 'stray'"
}

# ---- creation_cost -------------------------------------------------------------------

@test "creation_cost writes well-formed data for every method and size" {
    data=$BATS_TEST_TMPDIR/cost.tsv
    run "$COST" --sizes 0,16 --repeat 3 --data "$data"
    [ "$status" -eq 0 ]
    for key in date cpu cores kernel compiler cflags command pages; do
        grep -q "^# $key: ." "$data" || { echo "no '# $key:' line"; return 1; }
    done
    header=$(grep -v '^#' "$data" | head -n 1)
    for column in method rss_mib median_us min_us max_us measured_rss_mib page_tables_kib repeats; do
        [[ "	$header	" == *"	$column	"* ]] || { echo "no column $column"; return 1; }
    done
    # One row per method and size, each exactly once.
    rows=$(paste <(tsv_column "$data" method) <(tsv_column "$data" rss_mib) | sort)
    expected=$(for m in fork fork-exec posix-spawn thread; do printf '%s\t0\n%s\t16\n' $m $m; done | sort)
    [ "$rows" = "$expected" ]
    # Times are positive numbers with min <= median <= max; repeats as asked.
    paste <(tsv_column "$data" min_us) <(tsv_column "$data" median_us) \
          <(tsv_column "$data" max_us) <(tsv_column "$data" repeats) |
        awk -F'\t' '!($1 > 0 && $1 <= $2 && $2 <= $3 && $4 == 3) { print "bad row: " $0; bad = 1 }
                    END { exit bad }'
}

@test "creation_cost really makes the parent resident and reports page tables" {
    data=$BATS_TEST_TMPDIR/cost.tsv
    run "$COST" --sizes 0,32 --repeat 1 --methods thread --data "$data"
    [ "$status" -eq 0 ]
    # 32 MiB touched: at least 32 MiB resident, and more page tables than at 0.
    paste <(tsv_column "$data" rss_mib) <(tsv_column "$data" measured_rss_mib) \
          <(tsv_column "$data" page_tables_kib) |
        awk -F'\t' '$1 == 0 { pt0 = $3 } $1 == 32 { rss = $2; pt = $3 }
                    END { exit !(rss >= 32 && pt > pt0) }'
}

@test "creation_cost runs only the methods asked for" {
    data=$BATS_TEST_TMPDIR/cost.tsv
    run "$COST" --sizes 0 --repeat 2 --methods thread,posix-spawn --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" method | sort | tr '\n' ' ')" = "posix-spawn thread " ]
}

@test "creation_cost reaps every child: nothing is left behind" {
    run "$BUILD/tests/no_orphans" "$COST" --sizes 0,8 --repeat 5
    [ "$status" -eq 0 ]
    assert_contains "status 0"
    assert_contains "left behind 0"
}

@test "the orphan check itself catches a child left unreaped" {
    # exec replaces the shell, so nobody waits for the background sleep.
    run "$BUILD/tests/no_orphans" sh -c 'sleep 0 & exec sleep 0.2'
    [ "$status" -eq 1 ]
    assert_contains "left behind 1"
}

@test "creation_cost interrupted by SIGINT leaves the old data file whole" {
    data=$BATS_TEST_TMPDIR/cost.tsv
    echo "old data" >"$data"
    "$COST" --sizes 0 --repeat 10000 --methods fork --data "$data" >/dev/null &
    pid=$!
    # Wait until it is writing (its temporary file exists), then interrupt it.
    for _ in $(seq 100); do
        [ -z "$(find "$BATS_TEST_TMPDIR" -name 'cost.tsv.tmp.*')" ] || break
        sleep 0.1
    done
    [ -n "$(find "$BATS_TEST_TMPDIR" -name 'cost.tsv.tmp.*')" ]
    kill -INT "$pid"
    # Not `run wait`: run's subshell cannot wait for this shell's child.
    status=0
    wait "$pid" || status=$?
    [ "$status" -eq 130 ] || { echo "status $status"; return 1; } # died of SIGINT, as a shell reports it
    [ "$(cat "$data")" = "old data" ]
    [ -z "$(find "$BATS_TEST_TMPDIR" -name 'cost.tsv.tmp.*')" ]
}

@test "creation_cost: each kind of bad argument exits 2 naming the option" {
    run "$COST" --repeat ""
    assert_usage_error "--repeat: empty value"
    run "$COST" --repeat many
    assert_usage_error "--repeat: 'many' is not a whole number"
    run "$COST" --repeat 5x
    assert_usage_error "--repeat: '5x' has trailing characters"
    run "$COST" --repeat 99999999999999999999
    assert_usage_error "--repeat: '99999999999999999999' is too large"
    run "$COST" --repeat 0
    assert_usage_error "--repeat: 0 is out of range"
    run "$COST" --repeat 10001
    assert_usage_error "--repeat: 10001 is out of range (1 to 10000)"
    run "$COST" --sizes 0,-64
    assert_usage_error "--sizes: -64 is out of range"
    run "$COST" --sizes 20000
    assert_usage_error "--sizes: 20000 is out of range"
    run "$COST" --methods fork,clone
    assert_usage_error "--methods: unknown value 'clone'"
    run "$COST" --pages giant
    assert_usage_error "--pages: unknown value 'giant'"
    run "$COST" --exec /no/such/program
    assert_usage_error "--exec: '/no/such/program' is not an executable file"
    run "$COST" --data ""
    assert_usage_error "--data: empty value"
    run "$COST" --repeat
    assert_usage_error "option '--repeat' needs a value"
    run "$COST" --frobnicate
    assert_usage_error "unknown option '--frobnicate'"
    run "$COST" 12
    assert_usage_error "unexpected argument '12'"
}

@test "creation_cost refuses sizes beyond half of this machine's memory" {
    run "$COST" --sizes 16384 --methods thread
    total_mib=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
    if [ "$total_mib" -ge 32768 ]; then skip "this machine has room for 16 GiB"; fi
    assert_usage_error "--sizes: 16384 MiB is more than half of this machine's"
}
