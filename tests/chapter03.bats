#!/usr/bin/env bats
# Chapter 3: the simulated GIL. Invariants read from the traces it emits.

load lib/helpers

SWITCHES=$BUILD/chapter03/gil_switches

# trace GIL THREADS INTERVAL [DURATION]: run CPU-bound threads, trace into $trace.
trace() {
    trace=$BATS_TEST_TMPDIR/trace-$1-$2.tsv
    run "$SWITCHES" --gil "$1" --threads "$2" --intervals "$3" --duration "${4:-300ms}" --trace "$trace"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(provenance holds_lost)" = 0 ]
}

provenance() { sed -n "s/^# $1: //p" "$trace"; }

# The holds sorted by acquire time: thread, acquire, release, reason.
holds() {
    paste <(tsv_column "$trace" thread) <(tsv_column "$trace" acquire_ms) \
          <(tsv_column "$trace" release_ms) <(tsv_column "$trace" reason) | sort -t$'\t' -k2,2g
}

# Overlap: how many holds begin before an earlier-started hold has ended.
overlaps() {
    holds | awk -F'\t' 'NR > 1 && $2 < end { n++ } { if ($3 > end) end = $3 } END { print n + 0 }'
}

@test "new GIL: the trace never shows two threads holding it at once" {
    trace new 2 1ms
    [ "$(holds | wc -l)" -gt 20 ]   # enough hand-offs to check, even on a loaded machine
    [ "$(overlaps)" -eq 0 ]
    trace new 4 1ms
    [ "$(overlaps)" -eq 0 ]
}

@test "old GIL: the trace never shows two threads holding it at once" {
    trace old 2 1ms
    [ "$(holds | wc -l)" -gt 10 ]
    [ "$(overlaps)" -eq 0 ]
    trace old 4 1ms
    [ "$(overlaps)" -eq 0 ]
}

@test "no GIL: with 2 threads on 2 or more cores, holds overlap" {
    [ "$(nproc)" -ge 2 ] || skip "one core: threads cannot run at once"
    trace none 2 1ms
    [ "$(overlaps)" -gt 0 ]
}

@test "new GIL: every hold ended by a drop request lasted at least the interval" {
    for interval in 1ms 5ms; do
        trace new 3 "$interval" 400ms
        interval_ms=$(awk -v us="$(provenance interval_us)" 'BEGIN { print us / 1000 }')
        n=$(holds | awk -F'\t' -v min="$interval_ms" '
            $4 == "drop-request" { n++; if ($3 - $2 < min) { print "short hold: " $0 > "/dev/stderr"; bad = 1 } }
            END { if (bad) exit 1; print n + 0 }')
        [ "$n" -gt 5 ]
    done
}

@test "new and old GIL: switch_number equals the hand-offs in the trace" {
    for gil in new old; do
        trace "$gil" 3 1ms
        handoffs=$(holds | awk -F'\t' 'NR == 1 || $1 != last { n++ } { last = $1 } END { print n }')
        [ "$handoffs" -eq "$(provenance switch_number)" ] ||
            { echo "$gil: trace $handoffs, switch_number $(provenance switch_number)"; return 1; }
    done
}

@test "new GIL: a thread running alone makes no drop requests" {
    trace new 1 1ms
    [ "$(provenance drop_requests)" -eq 0 ]
    [ "$(provenance switch_number)" -eq 1 ]
    [ "$(holds | wc -l)" -eq 1 ]
    [ "$(holds | cut -f4)" = exit ]
}

@test "new GIL: with contention, drop requests happen and the holder yields to them" {
    trace new 2 1ms
    [ "$(provenance drop_requests)" -gt 0 ]
    [ "$(holds | cut -f4 | grep -c drop-request)" -gt 0 ]
}

@test "gil_switches writes a row per configuration; the old GIL has no interval" {
    data=$BATS_TEST_TMPDIR/switches.tsv
    run "$SWITCHES" --gil new,old --threads 2 --intervals 1ms,2ms --duration 50ms --repeat 1 --data "$data"
    [ "$status" -eq 0 ]
    [ "$(paste <(tsv_column "$data" gil) <(tsv_column "$data" interval_us) | tr '\t\n' ' ;')" = "new 1000;new 2000;old -;" ]
}

@test "gil_cpu writes a row for serial, every GIL and thread count, and processes" {
    data=$BATS_TEST_TMPDIR/cpu.tsv
    run "$BUILD/chapter03/gil_cpu" --workers 1,2 --processes 2 --work 200000 --repeat 1 --data "$data"
    [ "$status" -eq 0 ]
    rows=$(paste <(tsv_column "$data" mode) <(tsv_column "$data" gil) <(tsv_column "$data" workers) | tr '\t\n' ' ;')
    [ "$rows" = "serial - 1;threads new 1;threads new 2;threads old 1;threads old 2;threads none 1;threads none 2;processes - 2;" ]
    # The serial row is the yardstick: its speed-up is 1 by definition.
    [ "$(tsv_column "$data" speedup | head -n 1)" = "1.000" ]
}

@test "gil_cpu reaps its worker processes" {
    run "$BUILD/tests/no_orphans" "$BUILD/chapter03/gil_cpu" --gil none --workers 1 --processes 1,2,4 --work 100000 --repeat 1
    [ "$status" -eq 0 ]
    assert_contains "left behind 0"
}

@test "gil_calls reports every thread's calls; without a GIL every thread works" {
    data=$BATS_TEST_TMPDIR/calls.tsv
    run "$BUILD/chapter03/gil_calls" --gil new,none --threads 1,3 --duration 100ms --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" threads | tr '\n' ' ')" = "1 3 3 3 1 3 3 3 " ]
    [ "$(tsv_column "$data" thread | tr '\n' ' ')" = "0 0 1 2 0 0 1 2 " ]
    # Without a GIL nothing stops a thread: each one made calls. Under the GIL
    # some may never get it in 100 ms, but the calls add up to more than none.
    paste <(tsv_column "$data" gil) <(tsv_column "$data" calls) |
        awk -F'\t' '$1 == "none" && $2 <= 0 { print "idle thread without a GIL"; bad = 1 }
                    $1 == "new" { total += $2 } END { exit bad || total <= 0 }'
}

@test "gil_convoy: no operation is shorter than its sleep, and min <= median <= max" {
    data=$BATS_TEST_TMPDIR/convoy.tsv
    run "$BUILD/chapter03/gil_convoy" --gil new,old --cpu-threads 0,1 --intervals 1ms --op 200us --ops 10 --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" gil | tr '\n' ' ')" = "new new old old " ]
    paste <(tsv_column "$data" min_op_ms) <(tsv_column "$data" median_op_ms) <(tsv_column "$data" max_op_ms) |
        awk '!($1 >= 0.2 && $1 <= $2 && $2 <= $3) { print "bad row: " $0; bad = 1 } END { exit bad }'
}

@test "chapter 3 programs: bad arguments exit 2 naming the option" {
    run "$SWITCHES" --intervals 0ms
    assert_usage_error "--intervals: '0ms' is out of range"
    run "$SWITCHES" --intervals -5ms
    assert_usage_error "--intervals: '-5ms' is out of range"
    run "$SWITCHES" --intervals 5
    assert_usage_error "--intervals: '5' needs a unit"
    run "$SWITCHES" --gil fast
    assert_usage_error "--gil: unknown value 'fast' (choose from new, old, none)"
    run "$SWITCHES" --threads 0
    assert_usage_error "--threads: 0 is out of range (1 to 64)"
    run "$SWITCHES" --threads 65
    assert_usage_error "--threads: 65 is out of range (1 to 64)"
    run "$SWITCHES" --gil new,old --trace t.tsv
    assert_usage_error "--trace: needs exactly one --gil"
    run "$BUILD/chapter03/gil_cpu" --interval 0us
    assert_usage_error "--interval: '0us' is out of range"
    run "$BUILD/chapter03/gil_cpu" --workers 2,x
    assert_usage_error "--workers: 'x' is not a whole number"
    run "$BUILD/chapter03/gil_cpu" --processes 0,2
    assert_usage_error "--processes: 0 must stand alone"
    run "$BUILD/chapter03/gil_cpu" --cpus 0
    assert_usage_error "--cpus: 0 is out of range"
    run "$BUILD/chapter03/gil_convoy" --cpu-threads 17
    assert_usage_error "--cpu-threads: 17 is out of range (0 to 16)"
    run "$BUILD/chapter03/gil_convoy" --op 0s
    assert_usage_error "--op: '0s' is out of range"
    run "$BUILD/chapter03/gil_calls" --call-bytecodes 0
    assert_usage_error "--call-bytecodes: 0 is out of range"
}

@test "the CPython companion rejects bad arguments with status 2" {
    command -v python3 >/dev/null || skip "python3 is not installed"
    run python3 chapters/03-simulated-gil/gil_cpython.py switches --intervals 5
    [ "$status" -eq 2 ]
    assert_contains "--intervals"
    run python3 chapters/03-simulated-gil/gil_cpython.py cpu --workers 0
    [ "$status" -eq 2 ]
    assert_contains "--workers"
    run python3 chapters/03-simulated-gil/gil_cpython.py
    [ "$status" -eq 2 ]
    assert_contains "usage:"
    run python3 chapters/03-simulated-gil/gil_cpython.py runs --runs 0
    [ "$status" -eq 2 ]
    assert_contains "--runs"
    run python3 chapters/03-simulated-gil/gil_cpython.py runs --simulation "$BATS_TEST_TMPDIR/none"
    [ "$status" -eq 2 ]
    assert_contains "--simulation"
}

@test "the CPython companion's runs: one row per run, then median, min and max of each column" {
    command -v python3 >/dev/null || skip "python3 is not installed"
    data=$BATS_TEST_TMPDIR/runs.tsv
    run python3 chapters/03-simulated-gil/gil_cpython.py runs --runs 3 --workers 1,2 --work 100000 \
        --repeat 1 --simulation "$BUILD/chapter03/gil_cpu" --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" run | tr '\n' ' ')" = "1 2 3 median min max " ]
    grep -q '^# python: CPython' "$data"
    grep -q '^# loadavg: .' "$data"
    grep -q '^# simulation compiler: .' "$data"
    # The CPython columns and the simulation's, one speed-up per thread count.
    for column in py_serial_s py_speedup_1 py_speedup_2 sim_serial_s sim_speedup_1 sim_speedup_2; do
        sorted=$(tsv_column "$data" "$column" | head -n 3 | sort -g | tr '\n' ' ')
        summary=$(tsv_column "$data" "$column" | tail -n 3 | tr '\n' ' ')
        read -r lo mid hi <<<"$sorted"
        [ "$summary" = "$mid $lo $hi " ] || { echo "$column: runs $sorted, summary $summary"; return 1; }
    done
    # A run's serial median lies between its fastest and slowest repeat.
    paste <(tsv_column "$data" py_serial_min_s) <(tsv_column "$data" py_serial_s) \
          <(tsv_column "$data" py_serial_max_s) |
        awk '!($1 <= $2 && $2 <= $3) { print "bad row: " $0; bad = 1 } END { exit bad }'
    [ -z "$(find "$BATS_TEST_TMPDIR" -name 'runs.tsv.tmp.*')" ]
}

@test "the CPython companion writes data with provenance, atomically" {
    command -v python3 >/dev/null || skip "python3 is not installed"
    data=$BATS_TEST_TMPDIR/py.tsv
    run python3 chapters/03-simulated-gil/gil_cpython.py convoy --cpu-threads 0 --intervals 1ms --ops 3 --data "$data"
    [ "$status" -eq 0 ]
    for key in date cpu cores kernel python command; do
        grep -q "^# $key: ." "$data" || { echo "no '# $key:' line"; return 1; }
    done
    [ "$(tsv_column "$data" cpu_threads)" = 0 ]
    [ -z "$(find "$BATS_TEST_TMPDIR" -name 'py.tsv.tmp.*')" ]
}

@test "gil_cpu stopped by SIGTERM kills and reaps its worker processes" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    out=$BATS_TEST_TMPDIR/out
    "$BUILD/tests/no_orphans" "$BUILD/chapter03/gil_cpu" --gil none --workers 1 --processes 2 \
        --work 40000000 --repeat 20 >"$out" 2>&1 &
    wrapper=$!
    # Wait until gil_cpu (the wrapper's child) has its two workers, then stop it.
    cpu= workers=0
    for _ in $(seq 200); do
        cpu=$(children "$wrapper")
        [ -n "$cpu" ] && workers=$(children "$cpu" | wc -w)
        [ "$workers" -ge 2 ] && break
        sleep 0.05
    done
    [ "$workers" -ge 2 ]
    kill -TERM "$cpu"
    wait "$wrapper" || true
    cat "$out"
    grep -q "^status 143$" "$out"      # 128 + SIGTERM: it did die of the signal
    grep -q "^left behind 0$" "$out"
}

@test "chapter 3 programs take any --repeat up to the shared limit: the samples are allocated for it" {
    # gil_switches kept its samples in arrays of 100 and gil_cpu in arrays of
    # 1000, and refused a --repeat beyond them.
    data=$BATS_TEST_TMPDIR/switches.tsv
    run "$SWITCHES" --gil none --threads 1 --duration 10ms --repeat 101 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" repeats)" = 101 ]
    data=$BATS_TEST_TMPDIR/cpu.tsv
    run "$BUILD/chapter03/gil_cpu" --gil none --workers 1 --processes 0 --work 1000 --repeat 1001 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" repeats | sort -u)" = 1001 ]
}

@test "gil_switches --trace: one run by default, and any other --repeat refused" {
    trace=$BATS_TEST_TMPDIR/trace.tsv
    run "$SWITCHES" --gil new --threads 2 --intervals 1ms --duration 20ms --trace "$trace"
    [ "$status" -eq 0 ]
    [ -s "$trace" ]
    run "$SWITCHES" --gil new --threads 2 --intervals 1ms --duration 20ms --repeat 3 --trace "$trace"
    assert_usage_error "--trace: needs exactly one --gil"
    run "$SWITCHES" --trace "$trace" --gil new --threads 2 --intervals 1ms --duration 20ms --repeat 1
    [ "$status" -eq 0 ]
}
