#!/usr/bin/env bats
# Chapter 4's Python companion (io_cpu_python.py): the source documents'
# batches in real CPython. Output shape and invariants only, never timing:
# every row labelled as the interpreter reports itself, every point measured,
# results equal to serial (the companion stops otherwise), the sum of the
# sleeps' own times at least their planned total, the server stopped however
# the run ends, bad arguments rejected with status 2.

load lib/helpers
load lib/python

COMPANION=chapters/04-io-vs-cpu/io_cpu_python.py
SERVER=$BUILD/chapter04/api_server

setup() {
    command -v python3 >/dev/null || skip "python3 is not installed (CI installs it)"
    py=$(command -v python3)
}

# server_running LATENCY: an api_server started with that (unusual) latency is
# alive, by the command lines in /proc (no procps on a minimal system). The
# bracket keeps grep from finding its own command line.
server_running() {
    local f
    for f in /proc/[0-9]*/cmdline; do
        tr '\0' ' ' <"$f" 2>/dev/null | grep -q -- "api_serve[r] --latency $1" && return 0
    done
    return 1
}

# scaling_holds: the scaling experiment's shape and invariants under $py.
scaling_holds() {
    local about label gil data=$BATS_TEST_TMPDIR/scaling.tsv
    about=$(reported)
    label=${about% *} gil=${about#* }
    run "$py" "$COMPANION" scaling --workloads sleep,api,factorize,compute --io-tasks 6 --cpu-tasks 4 \
        --io-workers 1,3 --cpu-workers 2 --delay 20ms --factorize-base 20001 --compute-n 2000 \
        --repeat 2 --server "$SERVER" --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'workload\tkind\tmode\tinterpreter\tgil\tworkers\ttasks\trepeats\tmedian_s\tmin_s\tmax_s\ttask_sum_s\tcpu_s\tparallelism\tspeedup')" ]
    expected=""
    for w in sleep api; do
        expected+="$w io serial 1 6 $label $gil;$w io threads 1 6 $label $gil;$w io threads 3 6 $label $gil;"
        expected+="$w io processes 1 6 $label $gil;$w io processes 3 6 $label $gil;"
    done
    for w in factorize compute; do
        expected+="$w cpu serial 1 4 $label $gil;$w cpu threads 2 4 $label $gil;$w cpu processes 2 4 $label $gil;"
    done
    [ "$(rows "$data" workload kind mode workers tasks interpreter gil)" = "$expected" ] ||
        { echo "rows: $(rows "$data" workload kind mode workers tasks interpreter gil)"; return 1; }
    # Each row's serial point is its own reference: speed-up 1.000.
    [ "$(rows "$data" mode speedup | tr ';' '\n' | awk '$1 == "serial" { print $2 }' | sort -u)" = 1.000 ]
    # min <= median <= max; the six sleeps of 20 ms sum to at least 120 ms, however they ran.
    paste <(tsv_column "$data" min_s) <(tsv_column "$data" median_s) <(tsv_column "$data" max_s) |
        awk '!($1 <= $2 && $2 <= $3) { print "not in order: " $0; bad = 1 } END { exit bad }'
    paste <(tsv_column "$data" workload) <(tsv_column "$data" task_sum_s) |
        awk '$1 == "sleep" && $2 < 0.12 { print "task sum " $2; bad = 1 } END { exit bad }'
    for key in date cpu cores kernel python command io_tasks cpu_tasks start_method interpreter gil; do
        grep -q "^# $key: ." "$data" || { echo "no '# $key:' line"; return 1; }
    done
    [ -z "$(find "$BATS_TEST_TMPDIR" -name 'scaling.tsv.tmp.*')" ]
}

@test "io_cpu_python.py scaling under python3: every point, rows as the interpreter reports itself" {
    scaling_holds
}

@test "io_cpu_python.py scaling: the factorizations are long_factorize's, the same through every pool" {
    run "$py" -c 'import sys; sys.path.insert(0, "chapters/04-io-vs-cpu"); import io_cpu_python as m
print(m.long_factorize(0, 15), m.long_factorize(2, 15), m.long_factorize(0, 101))'
    [ "$status" -eq 0 ]
    # 15 = 3 x 5: the guess counts down from 7 to 5; 17 is prime: (17, 1, 17); 101 is prime.
    [ "$output" = "(15, 5, 3) (17, 1, 17) (101, 1, 101)" ]
}

@test "io_cpu_python.py scaling: the local server is stopped at the end, and when the run is interrupted" {
    run "$py" "$COMPANION" scaling --workloads api --modes threads --io-tasks 2 --io-workers 2 \
        --delay 23457us --repeat 1 --server "$SERVER"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    ! server_running 23457us
    "$py" "$COMPANION" scaling --workloads api --modes serial --io-tasks 200 --delay 23458us \
        --repeat 1 --server "$SERVER" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do server_running 23458us && break; sleep 0.05; done
    server_running 23458us
    sleep 0.2
    kill -INT "$pid"
    wait "$pid" || true
    for _ in $(seq 40); do server_running 23458us || break; sleep 0.05; done
    ! server_running 23458us
}

@test "io_cpu_python.py scaling: no server where it is looked for is a clear error, not a hang" {
    run "$py" "$COMPANION" scaling --workloads api --server /nonexistent/api_server --repeat 1
    [ "$status" -eq 1 ]
    assert_contains "no server at /nonexistent/api_server"
}

@test "io_cpu_python.py display: every task once, the sum of the task times beside the wall time" {
    for pool in threads processes; do
        run "$py" "$COMPANION" display --tasks 6 --workers 3 --pool "$pool" --delay 20ms --sd 5ms
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        [ "$(grep -c '^  result' <<<"$output")" -eq 6 ]
        [ "$(grep '^  result' <<<"$output" | awk '{ print $2 }' | sort -n | tr '\n' ' ')" = "0 1 2 3 4 5 " ]
        assert_contains "every task exactly once: yes"
        assert_contains "sum of the task times (the serial cost):"
        assert_contains "wall time (the parallel cost):"
    done
}

@test "io_cpu_python.py calls: one row per worker, threads and Pool processes, counts that add up" {
    data=$BATS_TEST_TMPDIR/calls.tsv
    run "$py" "$COMPANION" calls --workers 1,3 --duration 50ms --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    about=$(reported)
    label=${about% *} gil=${about#* }
    [ "$(rows "$data" mode workers worker interpreter gil)" = \
      "threads 1 0 $label $gil;threads 3 0 $label $gil;threads 3 1 $label $gil;threads 3 2 $label $gil;processes 1 0 $label $gil;processes 3 0 $label $gil;processes 3 1 $label $gil;processes 3 2 $label $gil;" ]
    tsv_column "$data" calls | awk '!($1 > 0 && $1 % 100 == 0) { print "calls " $1; bad = 1 } END { exit bad }'
    # The printed totals are the sums of the rows.
    for mode in threads processes; do
        for n in 1 3; do
            sum=$(rows "$data" mode workers calls | tr ';' '\n' | awk -v m=$mode -v n=$n '$1 == m && $2 == n { s += $3 } END { print s }')
            grep -Eq "^$mode +$n +$sum " <<<"$output" || { echo "no total $sum for $mode $n in: $output"; return 1; }
            [ "$(rows "$data" mode workers total_calls | tr ';' '\n' | awk -v m=$mode -v n=$n '$1 == m && $2 == n { print $3 }' | sort -u)" = "$sum" ]
        done
    done
    grep -qx '# duration_s: 0.05' "$data"
}

@test "io_cpu_python.py: bad arguments exit 2, naming the argument, with the usage line" {
    run "$py" "$COMPANION" scaling --workloads sleep,nap
    assert_usage_error "nap"
    run "$py" "$COMPANION" scaling --repeat 0
    assert_usage_error "--repeat"
    run "$py" "$COMPANION" scaling --io-workers 0,2
    assert_usage_error "--io-workers"
    run "$py" "$COMPANION" scaling --delay 10
    assert_usage_error "--delay"
    run "$py" "$COMPANION" scaling --modes threads,fibers
    assert_usage_error "fibers"
    run "$py" "$COMPANION" calls --duration -1s
    assert_usage_error "--duration"
    run "$py" "$COMPANION" display --pool greenlets
    assert_usage_error "greenlets"
    run "$py" "$COMPANION" nothing
    assert_usage_error "nothing"
    run "$py" "$COMPANION"
    [ "$status" -eq 2 ]
}

# Every other Python 3 that chapter 3's find_pythons.sh finds (make
# interpreters: 3.13, 3.13t; a distribution's 3.14t): the same checks.
@test "io_cpu_python.py under every other Python 3 present (3.13, 3.13t, 3.14t): the same invariants" {
    each_python scaling_holds other_python3 "none but python3 (make interpreters builds 3.13 and 3.13t)"
}
