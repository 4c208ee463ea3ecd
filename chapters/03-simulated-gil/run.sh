#!/usr/bin/env bash
# Chapter 3: what `make chapter3` (quick) and `make measure-chapter3`
# (measure) run. See common/chapter.sh for the two modes. When python3 is
# installed, the same experiments run in CPython too and are printed beside
# the simulation's; WORKBOOK_SANITIZER (set by make asan/tsan) skips them.
. common/chapter.sh
chapter_setup "$@"
here=chapters/03-simulated-gil
quick=()
[ "$MODE" = quick ] && quick=(--quick)

python=
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    echo "(sanitizer build: the CPython companion is skipped)"
elif command -v python3 >/dev/null 2>&1; then
    python=python3
else
    echo "python3 is not installed: the simulation runs alone, without CPython beside it."
fi
# This machine's graphs must not show CPython figures from an earlier run.
[ -n "$python" ] || [ "$MODE" != quick ] || rm -f "$DATA_DIR"/03-cpython-*.tsv

say "1. CPU-bound work: threads under each GIL, and processes (gil_cpu)"
"$BIN/gil_cpu" "${quick[@]}" --data "$DATA_DIR/03-gil-cpu.tsv"

say "1b. Calls per thread in a fixed time (gil_calls)"
"$BIN/gil_calls" "${quick[@]}" --data "$DATA_DIR/03-gil-calls.tsv"

say "2. Who holds the GIL when: 100 ms traces (gil_switches --trace)"
for run in new:2 new:4 old:2 none:4; do
    gil=${run%:*} threads=${run#*:}
    "$BIN/gil_switches" --gil "$gil" --threads "$threads" --intervals 5ms --duration 100ms \
        --trace "$DATA_DIR/03-timeline-$gil-$threads.tsv"
done

say "3. Hand-offs per second against the switch interval (gil_switches)"
"$BIN/gil_switches" "${quick[@]}" --data "$DATA_DIR/03-gil-switches.tsv"

say "4. The convoy effect (gil_convoy)"
"$BIN/gil_convoy" "${quick[@]}" --data "$DATA_DIR/03-convoy.tsv"

say "5. Old GIL against new GIL on one core (gil_cpu --cpus 1)"
"$BIN/gil_cpu" "${quick[@]}" --gil old,new --processes 0 --cpus 1 \
    --data "$DATA_DIR/03-gil-cpu-1core.tsv"

if [ -n "$python" ]; then
    say "CPython on this machine: the same experiments ($($python --version 2>&1))"
    if [ "$MODE" = quick ]; then
        $python $here/gil_cpython.py cpu --workers 1,2,4 --processes 1,2 --work 8000000 \
            --repeat 3 --data "$DATA_DIR/03-cpython-cpu.tsv"
        $python $here/gil_cpython.py switches --threads 2 --intervals 1ms,5ms --duration 300ms \
            --repeat 1 --data "$DATA_DIR/03-cpython-switches.tsv"
        $python $here/gil_cpython.py convoy --cpu-threads 0,1,2 --intervals 0.5ms,5ms --ops 20 \
            --data "$DATA_DIR/03-cpython-convoy.tsv"
    else
        $python $here/gil_cpython.py cpu --workers 1,2,4,8,16 --processes 1,2,4 --repeat 5 \
            --data "$DATA_DIR/03-cpython-cpu.tsv"
        $python $here/gil_cpython.py switches --threads 2,4 --data "$DATA_DIR/03-cpython-switches.tsv"
        $python $here/gil_cpython.py convoy --data "$DATA_DIR/03-cpython-convoy.tsv"
    fi

    say "Side by side, measured in this one run: CPython, then the simulation"
    echo "-- speed-up over serial (threads under the GIL, and processes)"
    compare_tsv "$DATA_DIR/03-cpython-cpu.tsv" "$DATA_DIR/03-gil-cpu.tsv" mode,gil,workers speedup \
        CPython simulation | grep -v -e ' old ' -e ' none ' || true
    echo "-- hand-offs per second (CPU-bound threads, new GIL)"
    compare_tsv "$DATA_DIR/03-cpython-switches.tsv" "$DATA_DIR/03-gil-switches.tsv" \
        gil,threads,interval_us switches_per_s CPython simulation | grep -v '^old' || true
    echo "-- median slice, ms"
    compare_tsv "$DATA_DIR/03-cpython-switches.tsv" "$DATA_DIR/03-gil-switches.tsv" \
        gil,threads,interval_us median_slice_ms CPython simulation | grep -v '^old' || true
    echo "-- convoy: median time of the blocking operation, ms"
    compare_tsv "$DATA_DIR/03-cpython-convoy.tsv" "$DATA_DIR/03-convoy.tsv" \
        gil,cpu_threads,interval_us median_op_ms CPython simulation | grep -v '^old' || true

    say "CPython's cpu experiment run after run, the simulation's beside each run"
    runs=(--runs 5)
    [ "$MODE" = quick ] && runs=(--runs 3 --work 4000000 --repeat 3)
    $python $here/gil_cpython.py runs "${runs[@]}" --simulation "$BIN/gil_cpu" \
        --data "$DATA_DIR/03-cpython-cpu-repeats.tsv"
fi

say "Graphs"
for graph in 03-gil-cpu 03-gil-calls 03-gil-timeline 03-gil-switches 03-convoy 03-old-vs-new; do
    draw_graph "$graph"
done
