#!/usr/bin/env bats
# Chapter 3: the simulated GIL. Invariants read from the traces it emits.

load lib/helpers
load lib/python

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

@test "old GIL --interpret: one holder at a time, switch_number the trace's hand-offs, the data say so" {
    trace=$BATS_TEST_TMPDIR/trace-interpret.tsv
    run "$SWITCHES" --gil old --interpret --unit 40ns --threads 3 --duration 300ms --trace "$trace"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(provenance holds_lost)" = 0 ]
    [ "$(holds | wc -l)" -gt 10 ]
    [ "$(overlaps)" -eq 0 ]
    handoffs=$(holds | awk -F'\t' 'NR == 1 || $1 != last { n++ } { last = $1 } END { print n }')
    [ "$handoffs" -eq "$(provenance switch_number)" ]
    provenance unit | grep -qE '^40 ns asked, [0-9]+ rounds, [0-9.]+ ns measured; interpret: .*, [0-9]+ rounds, [0-9.]+ ns measured under the old GIL alone$'
    # The other programs run it too, and say so.
    run "$BUILD/chapter03/gil_cpu" --gil old --interpret --workers 2 --processes 0 --work 200000 \
        --repeat 1 --data "$BATS_TEST_TMPDIR/cpu.tsv"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -q '^# interpret: the old GIL' "$BATS_TEST_TMPDIR/cpu.tsv"
    run "$BUILD/chapter03/gil_convoy" --gil old --interpret --cpu-threads 1 --ops 5 \
        --data "$BATS_TEST_TMPDIR/convoy.tsv"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -q '^# interpret: the old GIL' "$BATS_TEST_TMPDIR/convoy.tsv"
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
    ordered "$data" min_op_ms middle_mean_op_ms max_op_ms
    # --between: the data says how long the I/O thread's stretch between calls was made to last.
    run "$BUILD/chapter03/gil_convoy" --gil new --cpu-threads 1 --intervals 1ms --ops 5 --between 30us --data "$data"
    [ "$status" -eq 0 ]
    grep -qx "# between: the I/O thread's 4 units and its C between two calls last 30.00 us in all" "$data"
    run "$BUILD/chapter03/gil_convoy" --gil new --ops 5 --data "$data"
    [ "$status" -eq 0 ]
    ! grep -q "^# between:" "$data"
    ! grep -q "^# hold:" "$data"
    # The I/O thread's hold between calls: timed, so positive; with one call there is none.
    tsv_column "$data" hold_us | awk '!($1 > 0) { print "hold_us " $1; bad = 1 } END { exit bad }'
    run "$BUILD/chapter03/gil_convoy" --gil new --cpu-threads 0 --intervals 1ms --ops 1 --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" hold_us)" = - ]
}

@test "gil_convoy --hold: the I/O thread holds the GIL at least that long between calls, said in the data" {
    data=$BATS_TEST_TMPDIR/convoy.tsv
    run "$BUILD/chapter03/gil_convoy" --gil new,old,none --cpu-threads 0,1 --intervals 1ms --ops 5 --hold 200us --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qx "# hold: the I/O thread holds the GIL 200.00 us in all from taking it back to its next call (its 4 units, then its C)" "$data"
    [ "$(tsv_column "$data" hold_us | wc -l)" -eq 6 ]
    tsv_column "$data" hold_us | awk '!($1 >= 200) { print "hold_us " $1; bad = 1 } END { exit bad }'
}

# A trace from gil_trace.so: TSV after its comments, one event per line.
trace_events() { grep -v '^#' "$1" | tail -n +2; }

@test "gil_trace.so: every condition-variable call and sleep, written at exit (atomically)" {
    local tracer convoy dir=$BATS_TEST_TMPDIR/traced
    tracer=$(realpath "$BUILD/chapter03/gil_trace.so") convoy=$(realpath "$BUILD/chapter03/gil_convoy")
    mkdir "$dir"
    GIL_TRACE=$dir/trace.tsv LD_PRELOAD=$tracer run "$convoy" --gil new \
        --cpu-threads 1 --intervals 1ms --op 200us --ops 5
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(ls "$dir")" = trace.tsv ]            # no temporary file left beside it
    grep -qx "# dropped: 0" "$dir/trace.tsv"
    grep -qx "# unfinished: 0" "$dir/trace.tsv"   # every thread was joined before exit
    [ "$(grep -v '^#' "$dir/trace.tsv" | head -1)" = "$(printf 'ns\ttid\tevent\tobject')" ]
    # The I/O thread's five calls, and nothing else, sleep.
    [ "$(trace_events "$dir/trace.tsv" | awk -F'\t' '$3 == "sleep"' | wc -l)" -eq 5 ]
    trace_events "$dir/trace.tsv" | awk -F'\t' '
        $3 !~ /^(signal|broadcast|wait_begin|wait_end|timedwait_begin|timedwait_ok|timedwait_timeout|sleep)$/ {
            print "unknown event: " $0; bad = 1 }
        $1 < last[$2] { print "time went back in thread " $2; bad = 1 }
        { last[$2] = $1; n[$3]++ }
        # every wait that began ended (the threads were joined before exit), and the GIL was waited for
        END { if (n["timedwait_begin"] != n["timedwait_ok"] + n["timedwait_timeout"] ||
                  n["wait_begin"] != n["wait_end"] || n["timedwait_begin"] < 1 || n["signal"] < 1) {
                  print "waits: " n["timedwait_begin"] " " n["timedwait_ok"] " " n["timedwait_timeout"]; bad = 1 }
              exit bad }'
    # Where it cannot write, it says so, and leaves no temporary file.
    GIL_TRACE=$dir/missing/trace.tsv LD_PRELOAD=$tracer run "$convoy" --gil new --cpu-threads 0 --ops 2
    assert_contains "gil_trace: $dir/missing/trace.tsv.tmp."
}

@test "gil_trace.so: the old GIL's semaphore, every take and every release, thread by thread" {
    local tracer trace=$BATS_TEST_TMPDIR/sem.tsv
    tracer=$(realpath "$BUILD/chapter03/gil_trace.so")
    GIL_TRACE=$trace LD_PRELOAD=$tracer run "$BUILD/chapter03/gil_switches" --gil old --threads 3 \
        --duration 20ms --repeat 1
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qx "# dropped: 0" "$trace"
    # Each thread waits, takes, lets go, in that order, from its first take
    # to its last release; on one semaphore; and more than once.
    trace_events "$trace" | awk -F'\t' '
        $3 !~ /^sem_/ { next }
        { sems[$4] = 1; want = ($2 in next_of) ? next_of[$2] : "sem_wait_begin"
          if ($3 != want) { print "thread " $2 ": " $3 " where " want " was due"; bad = 1 }
          next_of[$2] = $3 == "sem_wait_begin" ? "sem_wait_end" : $3 == "sem_wait_end" ? "sem_post" : "sem_wait_begin"
          n[$3]++ }
        END { for (t in next_of) if (next_of[t] != "sem_wait_begin") { print "thread " t " ended holding"; bad = 1 }
              k = 0; for (s in sems) k++
              if (k != 1 || length(next_of) != 3 || n["sem_post"] < 6) {
                  print k " semaphores, " length(next_of) " threads, " n["sem_post"] " releases"; bad = 1 }
              exit bad }'
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
    run "$BUILD/chapter03/gil_convoy" --between 2ms
    assert_usage_error "--between: '2ms' is out of range"
    run "$BUILD/chapter03/gil_convoy" --hold 2ms
    assert_usage_error "--hold: '2ms' is out of range"
    run "$BUILD/chapter03/gil_convoy" --hold 0us
    assert_usage_error "--hold: '0us' is out of range"
    run "$BUILD/chapter03/gil_convoy" --hold 20us --between 0us
    assert_usage_error "--hold: not with --between"
    run "$BUILD/chapter03/gil_calls" --call-bytecodes 0
    assert_usage_error "--call-bytecodes: 0 is out of range"
    # --interpret stands for 2.7's eval loop: with the old GIL alone
    for program in gil_switches gil_cpu gil_convoy; do
        run "$BUILD/chapter03/$program" --interpret
        assert_usage_error "--interpret: only with --gil old"
        run "$BUILD/chapter03/$program" --gil old,none --interpret
        assert_usage_error "--interpret: only with --gil old"
    done
}

# ---- the real interpreters (gil_cpython.py under each one present) ------------------------

COMPANION=chapters/03-simulated-gil/gil_cpython.py
INTERPRETERS=${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}/bin

arrival_rows() {
    local data=$BATS_TEST_TMPDIR/arrival.tsv
    run python3 chapters/03-simulated-gil/side_by_side.py arrival --simulation "$BUILD/chapter03" \
        --interpreter "$py" --rounds 2 --threads 2,3 --duration 50ms --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    local want="" r n s
    local sources="interpreter sim sim_interpret interpreter_timed"
    for r in 1 2; do for n in 2 3; do for s in $sources; do want+="$r $n $s;"; done; done; done
    for n in 2 3; do for s in $sources; do for r in median min max; do want+="$r $n $s;"; done; done; done
    [ "$(rows "$data" round threads source)" = "$want" ] || { rows "$data" round threads source; return 1; }
    awk -F'\t' "$QUOTIENT"'/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        $1 ~ /^[0-9]+$/ {
            if ($c["unit"] !~ /^[0-9]+ns$/) { print "unit: " $0; bad = 1 }
            # its own slice: none in the counting run, one in every other
            if (($c["source"] == "interpreter") != ($c["own_slice_us"] == "-") ||
                ($c["own_slice_us"] != "-" && !($c["own_slice_us"] > 0))) { print "own slice: " $0; bad = 1 }
            if (!quotient($c["handoffs"], $c["holds"], $c["handoff_share"])) { print "counts: " $0; bad = 1 }
            # a figure is "-" only where the run had nothing to take it from
            # (2.7 on several cores can hand over a few times only in 50 ms)
            h = $c["handoffs"]; again = $c["holds"] - h
            if (($c["hold_first_us"] == "-") != (h == 0) || ($c["hold_again_us"] == "-") != (again == 0) ||
                ($c["retake_us"] == "-") != (again == 0) || ($c["slice_us"] == "-") != (h < 2) ||
                ($c["arrival_us"] == "-") != (h == 0 || again == 0)) { print "dashes: " $0; bad = 1 }
            if (($c["hold_first_us"] != "-" && !($c["hold_first_us"] > 0)) ||
                ($c["hold_again_us"] != "-" && !($c["hold_again_us"] > 0)) ||
                ($c["retake_us"] != "-" && !($c["retake_us"] > 0)) ||
                ($c["slice_us"] != "-" && !($c["slice_us"] > 0)) ||
                ($c["arrival_us"] != "-" &&
                 ($c["hold_first_us"] - $c["hold_again_us"] - $c["arrival_us"]) ^ 2 > 1e-5)) { print "times: " $0; bad = 1 }
        }
        $1 == "min" { low = $0 } $1 == "max" { n = split(low, l, "\t"); split($0, m, "\t")
            for (i = 6; i <= n; i++) if (l[i] + 0 > m[i] + 0) { print "min above max: " low; bad = 1 } }
        END { exit bad }' "$data"
}

@test "side_by_side.py arrival: refuses an interpreter without the old GIL, and under each 2.7 present, the holds traced round by round" {
    python_or_skip python3
    old_gil_experiment arrival arrival_rows --rounds 1 --duration 50ms
}

# python_or_skip NAME: the interpreter NAME that runs here, from the
# workbook's folder (make interpreters) or PATH, into $py; else skip the test.
python_or_skip() {
    local name=$1 path
    for path in "$INTERPRETERS/$name" "$(command -v "$name" 2>/dev/null || true)"; do
        if [ -n "$path" ] && [ -x "$path" ] && "$path" -c 'import sys' 2>/dev/null; then
            py=$path
            return 0
        fi
    done
    case "$name" in
        python3) skip "python3 not found (install your distribution's python3)" ;;
        python3.14t) skip "python3.14t not found (a distribution's free-threaded package)" ;;
        *) skip "$name not found (make interpreters)" ;;
    esac
}

# ordered FILE LOW MID HIGH: LOW <= MID <= HIGH in every row.
ordered() {
    paste <(tsv_column "$1" "$2") <(tsv_column "$1" "$3") <(tsv_column "$1" "$4") |
        awk '!($1 <= $2 && $2 <= $3) { print "not in order: " $0; bad = 1 } END { exit bad }'
}

# companion_holds: the output shape and the invariants of every experiment
# under $py (no timing): rows labelled as the interpreter says it is, the
# old GIL's interval "-", positive speed-ups, min <= median <= max.
companion_holds() {
    local about label gil data=$BATS_TEST_TMPDIR/py.tsv cores
    about=$(reported)
    label=${about% *} gil=${about#* }
    cores=$(nproc)
    run "$py" "$COMPANION" about
    [ "$status" -eq 0 ] && [ "$output" = "$about" ] || { echo "about: '$output', the interpreter says '$about'"; return 1; }

    run "$py" "$COMPANION" cpu --workers 1,2 --processes 2 --work 100000 --repeat 3 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(rows "$data" mode gil workers interpreter cpus)" = \
      "serial - 1 $label $cores;threads $gil 1 $label $cores;threads $gil 2 $label $cores;processes - 2 $label $cores;" ]
    [ "$(tsv_column "$data" speedup | head -n 1)" = "1.000" ]
    tsv_column "$data" speedup | awk '!($1 > 0) { print "speed-up " $1; bad = 1 } END { exit bad }'
    ordered "$data" min_s median_s max_s
    for key in date cpu cores kernel python loadavg command; do
        grep -q "^# $key: ." "$data" || { echo "no '# $key:' line"; return 1; }
    done
    [ -z "$(find "$BATS_TEST_TMPDIR" -name 'py.tsv.tmp.*')" ]
    if [ "$cores" -gt 1 ]; then          # --cpus 1: the kernel says it ran on one core
        run "$py" "$COMPANION" cpu --workers 2 --processes 0 --work 100000 --repeat 1 --cpus 1 --data "$data"
        [ "$status" -eq 0 ]
        [ "$(tsv_column "$data" cpus | sort -u)" = 1 ]
    fi

    run "$py" "$COMPANION" switches --threads 2 --intervals 1ms,2ms --duration 50ms --repeat 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    case "$gil" in
        new) [ "$(rows "$data" gil threads interval_us interpreter)" = "new 2 1000 $label;new 2 2000 $label;" ] ;;
        old) [ "$(rows "$data" gil threads interval_us interpreter)" = "old 2 - $label;" ] ;;
        none)
            [ -z "$(rows "$data" gil)" ]
            grep -q '^# no GIL: nothing is handed over' "$data"
            ;;
    esac
    if [ "$gil" != none ]; then
        ordered "$data" min_switches_per_s switches_per_s max_switches_per_s
        ordered "$data" min_slice_ms median_slice_ms max_slice_ms
        for column in switches_per_s timed_switches_per_s min_turn_ns; do
            tsv_column "$data" $column | awk -v c=$column '!($1 > 0) { print c ": " $1; bad = 1 } END { exit bad }'
        done
        # A turn timed on the cores around a thread count's runs: one figure for all its rows.
        ordered "$data" min_turn_ns turn_ns max_turn_ns
        [ "$(tsv_column "$data" turn_ns | sort -u | wc -l)" -eq 1 ]
        # Only counting: no timed run, so no slices, and the rates still there.
        run "$py" "$COMPANION" switches --threads 2 --intervals 1ms --duration 50ms --repeat 1 --count-only --data "$data"
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        [ "$(rows "$data" median_slice_ms min_slice_ms max_slice_ms timed_switches_per_s)" = "- - - -;" ]
        tsv_column "$data" switches_per_s | awk '!($1 > 0) { bad = 1 } END { exit bad }'
    fi

    # The gate: no thread passes it (the window opens) before every thread runs.
    run "$py" -c 'import sys; sys.path.insert(0, "chapters/03-simulated-gil"); import gil_cpython as g
def seen(me, last, go, ready, stop, out):
    g.gate(me, last, go, ready)
    out.append(len(ready))
    while not stop[0]:
        pass
outs, start, end = g.run_threads(seen, 3, 0.02)
print(" ".join(str(o[0]) for o in outs))'
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$output" = "3 3 3" ]

    # turn: a row for every allowed core, every repeat, in order; the times positive.
    local allowed expected=""
    allowed=$(python3 -c 'import os; print(" ".join(str(c) for c in sorted(os.sched_getaffinity(0))))')
    run "$py" "$COMPANION" turn --repeat 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    for r in 1 2 median min max; do for c in $allowed; do expected+="$r $c $label;"; done; done
    [ "$(rows "$data" repeat cpu interpreter)" = "$expected" ] || { echo "turn rows: $(rows "$data" repeat cpu interpreter)"; return 1; }
    tsv_column "$data" turn_ns | awk '!($1 > 0) { print "turn_ns " $1; bad = 1 } END { exit bad }'
    # Each repeat's fastest core is 1.000 over itself, and no core is faster.
    [ "$(awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ { print $1, $4 }' "$data" | sort -k1,1 -k2,2g |
         awk '$1 != r { print $2; r = $1 }' | sort -u)" = 1.000 ]
    run "$py" "$COMPANION" turn --cpus 1 --data "$data"
    [ "$status" -eq 0 ]
    [ "$(rows "$data" repeat cpu over_fastest)" = "1 ${allowed%% *} 1.000;median ${allowed%% *} 1.000;min ${allowed%% *} 1.000;max ${allowed%% *} 1.000;" ]

    # place: a row per round, then median, min and max; every core one this
    # process may use; each ratio the quotient of its times.
    run "$py" "$COMPANION" place --rounds 2 --work 100000 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(rows "$data" round interpreter)" = "1 $label;2 $label;median $label;min $label;max $label;" ]
    awk -F'\t' -v allowed=" $allowed " "$QUOTIENT"'/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        $1 ~ /^[0-9]+$/ {
            for (k = 0; k < 3; k++) {
                col = k == 0 ? "serial" : k == 1 ? "thread" : "again"
                n = split($c[col "_cpu"], on, ">")
                for (j = 1; j <= n; j++) if (index(allowed, " " on[j] " ") == 0) { print col " core: " $0; bad = 1 }
            }
            if (!quotient($c["thread_s"], $c["serial_s"], $c["thread_over_serial"]) ||
                !quotient($c["again_s"], $c["serial_s"], $c["again_over_serial"])) { print "ratio: " $0; bad = 1 }
            split($c["thread_cpu"], t, ">"); split($c["serial_cpu"], s, ">")
            if ($c["thread_elsewhere"] != (t[1] != s[1])) { print "elsewhere: " $0; bad = 1 }
        }
        END { exit bad }' "$data"

    run "$py" "$COMPANION" convoy --cpu-threads 0,1 --intervals 1ms --op 200us --ops 5 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    local interval=1000
    [ "$gil" = new ] || interval=-
    [ "$(rows "$data" gil cpu_threads interval_us interpreter)" = "$gil 0 $interval $label;$gil 1 $interval $label;" ]
    tsv_column "$data" min_op_ms | awk '!($1 >= 0.2) { print "shorter than its sleep: " $1; bad = 1 } END { exit bad }'
    ordered "$data" min_op_ms median_op_ms max_op_ms
    ordered "$data" min_op_ms middle_mean_op_ms max_op_ms
    # The Python between two calls: timed, so positive; with one call there is no gap.
    tsv_column "$data" between_us | awk '!($1 > 0) { print "between_us " $1; bad = 1 } END { exit bad }'
    run "$py" "$COMPANION" convoy --cpu-threads 0 --intervals 1ms --ops 1 --data "$data"
    [ "$status" -eq 0 ]
    [ "$(tsv_column "$data" between_us)" = - ]

    run "$py" "$COMPANION" ticks --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    if [ "$gil" = old ]; then
        # The simulation's GIL_TICKS_PER_UNIT is what the interpreter's own ticker says.
        [ "$(tsv_column "$data" ticks_per_turn)" = "$(sed -n 's/^#define GIL_TICKS_PER_UNIT \([0-9]*\).*/\1.00/p' common/gil.h)" ]
    else
        [ "$(tsv_column "$data" ticks_per_turn)" = - ]
    fi

    run "$py" "$COMPANION" switches --intervals 5
    [ "$status" -eq 2 ]
    assert_contains "--intervals"
    assert_contains "usage:"
    run "$py" "$COMPANION" cpu --cpus 0
    [ "$status" -eq 2 ]
    assert_contains "--cpus"
    run "$py" "$COMPANION" place --rounds 0
    [ "$status" -eq 2 ]
    assert_contains "--rounds"
    assert_contains "usage:"
}

@test "the companion under python3 (always in CI): rows as the interpreter reports itself, invariants hold" {
    python_or_skip python3
    companion_holds
}

# Every other interpreter find_pythons.sh finds (make interpreters, or a
# distribution's package): the same checks under each. Which ran, and which
# were not there, goes into the TAP output as comments.
@test "the companion under every other interpreter present (2.7, 3.13, 3.13t, 3.14t): the same invariants" {
    not_python3() { [ "$(reported)" != "$(py=$(command -v python3) reported)" ]; }
    each_python companion_holds not_python3 "none but python3"
    grep 'not found' "$BATS_TEST_TMPDIR/found" | sed 's/^ */# /' >&3 || true
}

@test "the CPython companion rejects bad arguments with status 2" {
    python_or_skip python3
    run "$py" "$COMPANION" cpu --workers 0
    [ "$status" -eq 2 ]
    assert_contains "--workers"
    run "$py" "$COMPANION"
    [ "$status" -eq 2 ]
    assert_contains "usage:"
    run "$py" "$COMPANION" runs --runs 0
    [ "$status" -eq 2 ]
    assert_contains "--runs"
    run "$py" "$COMPANION" runs --simulation "$BATS_TEST_TMPDIR/none"
    [ "$status" -eq 2 ]
    assert_contains "--simulation"
    run "$py" "$COMPANION" ticks --turns 31
    [ "$status" -eq 2 ]
    assert_contains "--turns"
    run "$py" "$COMPANION" turn --repeat 0
    [ "$status" -eq 2 ]
    assert_contains "--repeat"
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

@test "find_pythons.sh lists what runs, says what does not and how to get what is missing" {
    bin=$BATS_TEST_TMPDIR/bin
    mkdir -p "$bin" "$BATS_TEST_TMPDIR/empty"
    printf '#!/bin/sh\nexit 1\n' >"$bin/python2.7"      # found, but does not run
    chmod +x "$bin/python2.7"
    run --separate-stderr env WORKBOOK_INTERPRETERS="$BATS_TEST_TMPDIR/empty" PATH="$bin:/usr/bin:/bin" \
        chapters/03-simulated-gil/find_pythons.sh
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"python2.7    $bin/python2.7 does not run here: skipped"* ]] || { echo "$stderr"; return 1; }
    [[ "$stderr" == *"python2.7    not found: make interpreters"* ]]
    [[ "$stderr" == *"python3.13t  not found: make interpreters"* ]]
    [[ "$stderr" == *"(no old GIL among them"* ]]
    # Every path on stdout runs the companion, and no version is listed twice.
    for path in $output; do "$path" "$COMPANION" about >/dev/null; done
    [ "$(for path in $output; do "$path" "$COMPANION" about; done | cut -d' ' -f1 | sort | uniq -d)" = "" ]
}

# fidelity_rows: side_by_side.py fidelity under $py, a short run: a row per
# quantity and thread count, each ratio the quotient of its round's pair,
# the simulation's unit the interpreter's turn (the convoy's with its hold
# or its Python between calls), or its own when asked.
fidelity_rows() {
    local data=$BATS_TEST_TMPDIR/fidelity.tsv rounds=$BATS_TEST_TMPDIR/rounds.tsv gil
    run python3 chapters/03-simulated-gil/side_by_side.py fidelity --simulation "$BUILD/chapter03" \
        --interpreter "$py" --rounds 2 --cpus 1 --threads 2 --convoy-threads 0,1 --work 100000 --repeat 1 \
        --duration 50ms --ops 3 --data "$data" --rounds-data "$rounds"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    gil=$(reported | cut -d' ' -f2)
    expected="speedup 1;speedup 2;over_one_thread 2;handoffs_per_s 2;median_slice_ms 2;convoy_op_ms 0;convoy_op_ms 1;"
    [ "$gil" = none ] && expected="speedup 1;speedup 2;over_one_thread 2;convoy_op_ms 0;convoy_op_ms 1;"
    [ "$(rows "$data" quantity threads)" = "$expected" ] || return 1
    [ "$(tsv_column "$data" rounds | sort -u)" = 2 ] || return 1
    [ "$(tsv_column "$data" cpus | sort -u)" = 1 ] || return 1
    [ "$(tsv_column "$data" gil | sort -u)" = "$gil" ] || return 1
    ordered "$data" ratio_min ratio ratio_max || return 1
    tsv_column "$data" within_15pct | grep -vqxE 'yes|no' && return 1
    # The rounds file: each quantity once per round, the ratio sim / real.
    [ "$(tsv_column "$rounds" round | sort | uniq -c | awk '{ print $1 }' | sort -u)" = "$(tsv_column "$data" quantity | wc -l)" ] || return 1
    paste <(tsv_column "$rounds" sim) <(tsv_column "$rounds" real) <(tsv_column "$rounds" ratio) |
        awk "$QUOTIENT"'{ if ($2 <= 0 || !quotient_g4($1, $2, $3)) { print "bad ratio: " $0; bad = 1 } } END { exit bad }' || return 1
    # Beside the speed-ups (from the fastest runs) and the convoy (its middle mean), the same
    # from the medians, a quotient too; '-' for the quantities that have no other.
    awk -F'\t' "$QUOTIENT"'/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        { other = $c["quantity"] ~ /^(speedup|over_one_thread|convoy_op_ms)$/
          if (other && !quotient_g4($c["sim_by_medians"], $c["real_by_medians"], $c["ratio_by_medians"])) { print "bad: " $0; bad = 1 }
          if (!other && $c["sim_by_medians"] $c["real_by_medians"] $c["ratio_by_medians"] != "---") { print "not -: " $0; bad = 1 } }
        END { exit bad }' "$rounds" || return 1
    ordered "$data" by_medians_min ratio_by_medians by_medians_max || return 1
    # The time the hypervisor took, a share of the whole (where /proc/stat tells), one per
    # interpreter and cores in a round: every quantity of a round has the same.
    tsv_column "$rounds" steal_pct | awk '!/^-$/ && !(/^[0-9]+\.[0-9]$/ && $1 <= 100) { print "bad steal_pct: " $0; bad = 1 }
        END { exit bad }' || return 1
    [ "$(awk -F'\t' '!/^#/ && $1 != "round" { print $1, $NF }' "$rounds" | sort -u | wc -l)" -eq 2 ] || return 1
    # The simulation ran with a unit as long as the interpreter's turn, in each round ...
    tsv_column "$rounds" unit | grep -vqxE '[0-9]+ns(/(hold)?[0-9.]+us)?' && { tsv_column "$rounds" unit; return 1; }
    # ... and the convoy's I/O thread between its calls as long as the interpreter's: its Python
    # alone, or, beside a CPU-bound thread under the new GIL, its whole hold from a trace.
    [ "$(awk -F'\t' '$4 == "convoy_op_ms" { print $3 }' "$rounds" | grep -cvE '^[0-9]+ns/(hold)?[0-9.]+us$')" -eq 0 ] || return 1
    [ "$(awk -F'\t' '$4 == "convoy_op_ms" && $7 == 0 { print $3 }' "$rounds" | grep -c /hold)" -eq 0 ] || return 1
    if [ "$gil" = new ]; then
        [ "$(awk -F'\t' '$4 == "convoy_op_ms" && $7 == 1 { print $3 }' "$rounds" | grep -c /hold)" -eq 2 ] || return 1
    fi
    # ... or with its own, asked for.
    run python3 chapters/03-simulated-gil/side_by_side.py fidelity --simulation "$BUILD/chapter03" \
        --interpreter "$py" --rounds 1 --cpus 1 --threads 2 --convoy-threads 0 --work 100000 --repeat 1 \
        --duration 50ms --ops 3 --own-unit --rounds-data "$rounds"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$rounds" unit | sort -u)" = own ] || return 1
    # The old GIL's slices are read at the lock, in traced runs, and the data says so: only there.
    if [ "$gil" = old ]; then
        grep -q '^# handoffs_per_s, median_slice_ms: .*read at the lock by' "$data" || return 1
    else
        ! grep -q 'read at the lock' "$data" || return 1
    fi
}

@test "side_by_side.py fidelity: a ratio per quantity, GIL and thread count, with its spread over the rounds" {
    python_or_skip python3
    fidelity_rows
}

@test "side_by_side.py fidelity under each 2.7 present: the old GIL's slices read at the lock" {
    each_python fidelity_rows old_gil "no interpreter with the old GIL here (make interpreters)"
}

# old_gil, not_old_gil: does $py report the old GIL (or not)? For each_python.
old_gil() { [ "$(reported | cut -d' ' -f2)" = old ]; }
not_old_gil() { ! old_gil; }

# old_gil_experiment EXPERIMENT CHECK OPTION...: side_by_side.py EXPERIMENT,
# run once with OPTION..., refuses every interpreter present without the old
# GIL before anything runs (a free-threaded one, whose switches run has no
# rows, too), saying which experiment needs it; CHECK passes under every one
# with the old GIL.
old_gil_experiment() {
    local experiment=$1 check=$2
    local -a once=("${@:3}")
    refused() {
        run python3 chapters/03-simulated-gil/side_by_side.py "$experiment" --simulation "$BUILD/chapter03" \
            --interpreter "$py" "${once[@]}"
        [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
        assert_contains "$experiment needs an interpreter with the old GIL"
    }
    each_python refused not_old_gil "no interpreter without the old GIL here"
    each_python "$check" old_gil "no interpreter with the old GIL here (make interpreters)"
}

# race_holds: side_by_side.py race under $py (an old GIL): a row per run and
# thread count, then median, min and max; every ratio the quotient of its pair.
race_holds() {
    local data=$BATS_TEST_TMPDIR/race.tsv
    run python3 chapters/03-simulated-gil/side_by_side.py race --simulation "$BUILD/chapter03" \
        --interpreter "$py" --runs 3 --threads 2,3 --duration 50ms --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(rows "$data" run threads)" = "1 2;1 3;2 2;2 3;3 2;3 3;median 2;min 2;max 2;median 3;min 3;max 3;" ]
    tsv_column "$data" unit | grep -vqxE '[0-9]+ns|-' && return 1
    awk -F'\t' "$QUOTIENT"'/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        $1 ~ /^[0-9]+$/ {
            if ($c["sim_ctxsw_per_s"] <= 0 || $c["real_ctxsw_per_s"] <= 0) { print "no context switches: " $0; bad = 1 }
            if (!quotient($c["sim_handoffs_per_s"], $c["real_handoffs_per_s"], $c["handoffs_ratio"]) ||
                !quotient($c["sim_handoffs_per_ctxsw"], $c["real_handoffs_per_ctxsw"], $c["per_ctxsw_ratio"])) {
                print "bad ratio: " $0; bad = 1 }
        }
        $1 == "min" { low = $0 } $1 == "max" { n = split(low, l, "\t"); split($0, m, "\t")
            for (i = 5; i <= n; i++) if (l[i] + 0 > m[i] + 0) { print "min above max: " low; bad = 1 } }
        END { exit bad }' "$data"
}

@test "side_by_side.py race: refuses an interpreter without the old GIL, and under each 2.7 present, a row per run" {
    python_or_skip python3
    old_gil_experiment race race_holds --runs 1 --duration 50ms
}

@test "side_by_side.py cores: each core's turn and unit, round by round, the fastest 1.000, then median, min and max" {
    python_or_skip python3
    data=$BATS_TEST_TMPDIR/cores.tsv
    run python3 chapters/03-simulated-gil/side_by_side.py cores --simulation "$BUILD/chapter03" \
        --interpreter "$py" --rounds 2 --work 100000 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    local allowed label expected=""
    allowed=$(python3 -c 'import os; print(" ".join(str(c) for c in sorted(os.sched_getaffinity(0))))')
    label=$(reported | cut -d' ' -f1)
    for r in 1 2; do for c in $allowed; do expected+="$r $label $c;"; done; done
    for c in $allowed; do for r in median min max; do expected+="$r $label $c;"; done; done
    [ "$(rows "$data" round interpreter cpu)" = "$expected" ] || { rows "$data" round interpreter cpu; return 1; }
    for column in turn_ns unit_ns; do
        tsv_column "$data" $column | awk -v c=$column '!($1 > 0) { print c ": " $1; bad = 1 } END { exit bad }'
    done
    # In every round the fastest core is 1.000 over itself and none is below it.
    for column in turn_over_fastest unit_over_fastest; do
        [ "$(paste <(tsv_column "$data" round) <(tsv_column "$data" $column) | grep -E '^[0-9]+'$'\t' |
             sort -k1,1n -k2,2g | awk '$1 != r { print $2; r = $1 }' | sort -u)" = 1.000 ] ||
            { echo "$column"; return 1; }
    done
}

@test "side_by_side.py hold: the interpreter, the simulation with --between and with --hold, traced, round by round" {
    python_or_skip python3
    data=$BATS_TEST_TMPDIR/hold.tsv
    hold() {
        run python3 chapters/03-simulated-gil/side_by_side.py hold --simulation "$BUILD/chapter03" \
            --interpreter "$py" --rounds 2 --cpu-threads 1 --cpus 1 --ops 6 --data "$data"
    }
    refused() {
        hold
        [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
        assert_contains "hold needs an interpreter with the new GIL"
    }
    holds() {
        hold
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        local label expected="" r source
        label=$(reported | cut -d' ' -f1)
        for r in 1 2; do
            for source in interpreter sim_between sim_hold; do expected+="$r $label $source;"; done
        done
        for source in interpreter sim_between sim_hold; do
            for r in median min max; do expected+="$r $label $source;"; done
        done
        [ "$(rows "$data" round interpreter source)" = "$expected" ] || { rows "$data" round interpreter source; return 1; }
        awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
            $1 ~ /^[0-9]+$/ {
                # every call after the first of the run beside CPU-bound threads, once
                if ($c["calls"] != 5) { print "calls: " $0; bad = 1 }
                if (!($c["median_hold_us"] > 0 && $c["median_op_ms"] > 0.2)) { print "times: " $0; bad = 1 }
                if ($c["median_return_us"] != "-" && !($c["median_return_us"] > 0)) { print "return: " $0; bad = 1 }
                if ($c["source"] == "interpreter") held[$1] = $c["median_hold_us"]
                # the simulation was given the interpreter hold of its round, and held at least that long
                if ($c["source"] == "sim_hold" &&
                    ($c["option"] != held[$1] "us" || $c["median_hold_us"] + 0 < held[$1] + 0)) {
                    print "hold: " $0; bad = 1 }
            }
            END { exit bad }' "$data"
    }
    new_gil() { [ "$(reported | cut -d' ' -f2)" = new ]; }
    not_new_gil() { ! new_gil; }
    each_python holds new_gil "no interpreter with the new GIL here"
    each_python refused not_new_gil "no interpreter without the new GIL here"
}

@test "side_by_side.py single: one thread's time under two builds, round by round, then median, min and max" {
    python_or_skip python3
    data=$BATS_TEST_TMPDIR/single.tsv
    run python3 chapters/03-simulated-gil/side_by_side.py single --simulation "$BUILD/chapter03" \
        --gil-build "$py" --free-threaded "$py" --rounds 3 --work 100000 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" run | tr '\n' ' ')" = "1 2 3 median min max " ]
    for column in gil_s nogil_s nogil_over_gil sim_new_s sim_none_s sim_none_over_new; do
        tsv_column "$data" "$column" | awk '!($1 > 0) { bad = 1 } END { exit bad }' || { echo "$column"; return 1; }
        sorted=$(tsv_column "$data" "$column" | head -n 3 | sort -g | tr '\n' ' ')
        read -r lo mid hi <<<"$sorted"
        [ "$(tsv_column "$data" "$column" | tail -n 3 | tr '\n' ' ')" = "$mid $lo $hi " ]
    done
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

@test "side_by_side.py stopped by SIGTERM stops and reaps the program it runs and removes its scratch folder" {
    [ -e "/proc/$$/task/$$/children" ] || skip "this kernel does not list children in /proc"
    python_or_skip python3
    out=$BATS_TEST_TMPDIR/out scratch=$BATS_TEST_TMPDIR/scratch
    mkdir "$scratch"
    # The interpreter itself, not a launcher (pyenv's shim runs helpers of its own
    # that a signal to its process group leaves for the subreaper to reap).
    py=$("$py" -c 'import sys; print(sys.executable)')
    TMPDIR=$scratch "$BUILD/tests/no_orphans" "$py" chapters/03-simulated-gil/side_by_side.py fidelity \
        --simulation "$BUILD/chapter03" --interpreter "$py" --rounds 1 --cpus 1 --threads 2 \
        --work 400000000 --repeat 3 >"$out" 2>&1 &
    wrapper=$!
    # Wait until side_by_side.py (the wrapper's child) runs a program (given --data,
    # as every program it runs is), then stop it.
    driver= program= running=
    for _ in $(seq 200); do
        driver=$(children "$wrapper")
        [ -n "$driver" ] && program=$(children "$driver")
        [ -n "$program" ] && running=$(tr '\0' ' ' <"/proc/$program/cmdline" 2>/dev/null || true)
        [[ "$running" == *" --data "* ]] && break
        sleep 0.05
    done
    [[ "$running" == *" --data "* ]] || { echo "no program seen: '$running'"; return 1; }
    kill -TERM "$driver"
    wait "$wrapper" || true
    cat "$out"
    grep -q "^status 143$" "$out"      # 128 + SIGTERM, as the program's own exit status
    grep -q "^left behind 0$" "$out"
    [ -z "$(ls -A "$scratch")" ]       # no side_by_side.* folder left
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

@test "gil_switches: a slice runs from one hand-off to the next, as gil_cpython.py sees it" {
    data=$BATS_TEST_TMPDIR/slice.tsv
    trace=$BATS_TEST_TMPDIR/slice-trace.tsv
    run "$SWITCHES" --gil old --threads 3 --duration 50ms --repeat 1 --trace "$trace" --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # The takes in time order; a hand-off is a take by another thread than the
    # one before; the first slice and the last are left out.
    want=$(paste <(tsv_column "$trace" acquire_ms) <(tsv_column "$trace" thread) | sort -g |
        awk -F'\t' 'NR == 1 || $2 != last { if (n++ >= 2) print $1 - prev; prev = $1; last = $2 }' | sort -g |
        awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    got=$(tsv_column "$data" median_slice_ms)
    awk -v got="$got" -v want="$want" 'BEGIN { d = got - want; if (d < 0) d = -d; exit !(d <= 0.0001) }' ||
        { echo "median_slice_ms $got, hand-off to hand-off $want"; return 1; }
}

@test "gil_cpu, gil_switches, gil_convoy --unit: a unit of about the time asked, said in the data; a bad one refused" {
    for program in gil_cpu gil_switches gil_convoy; do
        for bad in 2ns 2us 5 x; do
            run "$BUILD/chapter03/$program" --unit "$bad"
            [ "$status" -eq 2 ] || { echo "$program --unit $bad: status $status"; return 1; }
            assert_contains "--unit"
            assert_contains "usage:"
        done
    done
    # rounds_for D: the rounds of multiply-add gil_switches settled on for a unit of D.
    rounds_for() {
        "$SWITCHES" --gil old --threads 2 --duration 20ms --repeat 1 --unit "$1" --data "$BATS_TEST_TMPDIR/u.tsv" >/dev/null &&
            sed -n 's/^# unit: \([0-9]*\) ns asked, \([0-9]*\) rounds, [0-9.]* ns measured$/\1 \2/p' "$BATS_TEST_TMPDIR/u.tsv"
    }
    small=$(rounds_for 20ns) large=$(rounds_for 400ns)
    [ "${small%% *}" = 20 ] && [ "${large%% *}" = 400 ] || { echo "provenance: '$small' '$large'"; return 1; }
    # Twenty times the time: many times the rounds (the clock's noise cannot undo a factor of 20).
    [ "${large#* }" -ge $((5 * ${small#* })) ] || { echo "rounds: ${small#* } for 20ns, ${large#* } for 400ns"; return 1; }
    # Without --unit, the data say nothing of one.
    "$SWITCHES" --gil old --threads 2 --duration 20ms --repeat 1 --data "$BATS_TEST_TMPDIR/u.tsv" >/dev/null
    ! grep -q '^# unit:' "$BATS_TEST_TMPDIR/u.tsv"
}

@test "side_by_side.py sched reads the kernel's record: hand-offs, slices, and how long the thread the GIL left waited for the core" {
    # A record made up to the letter of perf script's sched_switch lines:
    # threads 11 and 12 take turns, each hand-off leaving the former holder
    # runnable (R, R+); it gets the core back at a tick 2.9 ms later, or
    # 6.9 ms in every third cycle, and goes to sleep at once (S). Thread 10
    # (the main thread) switches with them twice: not a pair that hands over.
    run python3 - <<'PY'
import sys
sys.path.insert(0, "chapters/03-simulated-gil")
import side_by_side as s
lines, t, holder, other = [], 1000.0, 11, 12
def sw(t, a, state, b):
    lines.append("%8d %.6f: sched:sched_switch: prev_comm=python3 prev_pid=%d prev_prio=120 "
                 "prev_state=%s ==> next_comm=python3 next_pid=%d next_prio=120" % (a, t, a, state, b))
sw(t - 0.5, 10, "S", holder)
for k in range(9):
    back = 0.0069 if k % 3 == 2 else 0.0029
    sw(t, holder, "R+" if k % 2 else "R", other)           # the hand-off: other holds now
    sw(t + back, other, "R", holder)                       # a tick: the former holder runs
    sw(t + back + 0.00001, holder, "S", other)             # and sleeps, to wait 5 ms
    t += back + 0.0051
    holder, other = other, holder
sw(t + 0.1, holder, "S", 10)
pairs = s.sched_handoffs("\n".join(lines) + "\n", 0.005)
assert len(pairs) == 1, pairs
h = pairs[0]
# 9 hand-offs; slices of 8 ms, and 12 ms where the wait was 6.9 ms (k = 2, 5, 8: two slices of 8)
assert h["handoffs"] == 9, h
assert abs(h["slice_ms"] - 8.0) < 1e-6, h
assert abs(h["long_share"] - 2.0 / 8) < 1e-9, h
assert abs(h["back_ms"] - 2.9) < 1e-6, h
assert abs(h["back_long_share"] - 3.0 / 9) < 1e-9, h
print("ok")
PY
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$output" = ok ]
}
