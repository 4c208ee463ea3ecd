#!/usr/bin/env bash
# Chapter 3: what `make chapter3` (quick) and `make measure-chapter3`
# (measure) run. See common/chapter.sh for the two modes.
#
# Beside the simulation, the same experiments run in every real CPython
# found (gil_cpython.py): on PATH (python2.7, python3, python3.13t,
# python3.14t) and in ${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}/bin,
# where `make interpreters` puts python2.7, python3.13 and python3.13t
# (find_pythons.sh says which it found). Each simulated GIL is then held
# against the interpreter it stands for (side_by_side.py). WORKBOOK_SANITIZER
# (set by make asan/tsan) skips them.
#
# shellcheck disable=SC2054 # commas join one option's values (--workers 1,2,4)
. common/chapter.sh
chapter_setup "$@"
here=chapters/03-simulated-gil
folder=${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}/bin
quick=()
[ "$MODE" = quick ] && quick=(--quick)
one_core=()
[ "$(nproc)" -gt 1 ] && one_core=(1)    # the 1-core runs, where there is more than one core

interpreters=()
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    echo "(sanitizer build: the real interpreters are skipped)"
else
    mapfile -t interpreters < <("$here/find_pythons.sh")
fi
# This machine's graphs must not show CPython figures from an earlier run.
[ "$MODE" != quick ] || rm -f "$DATA_DIR"/03-cpython-*.tsv "$DATA_DIR"/03-fidelity*.tsv "$DATA_DIR"/03-old-gil-race.tsv \
    "$DATA_DIR"/03-cores.tsv "$DATA_DIR"/03-convoy-hold.tsv "$DATA_DIR"/03-old-gil-arrival.tsv \
    "$DATA_DIR"/03-new-gil-sched.tsv
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# both NAME COMMAND...: COMMAND --data on all cores into $scratch/NAME-a.tsv
# and, where there are more, again with --cpus 1 (and the options in
# `cpus_1`) into $scratch/NAME-b.tsv.
both() {
    local name=$1
    shift
    "$@" --data "$scratch/$name-a.tsv"
    if [ ${#one_core[@]} -gt 0 ]; then
        "$@" "${cpus_1[@]}" --cpus 1 --data "$scratch/$name-b.tsv"
    fi
}

# merge NAME: the files both wrote for NAME (NAME-*.tsv, in name order) as one
# data file, $DATA_DIR/NAME.tsv: the first one's provenance, then each other
# one's as "# companion" lines (merge_tsv).
merge() {
    local files=("$scratch/$1"-*.tsv)
    merge_tsv "$DATA_DIR/$1.tsv" "${files[@]}"
    rm -f "${files[@]}"
}

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

say "3. Hand-offs per second against the switch interval (gil_switches), and on one core"
threads=(--threads 2,3,4)
[ "$MODE" = quick ] && threads=()
cpus_1=(--intervals 5ms)
both 03-gil-switches "$BIN/gil_switches" "${quick[@]}" "${threads[@]}"
merge 03-gil-switches

say "4. The convoy effect (gil_convoy), and on one core"
cpus_1=(--intervals 5ms)
both 03-convoy "$BIN/gil_convoy" "${quick[@]}" --gil new,old,none
merge 03-convoy

if [ ${#one_core[@]} -gt 0 ]; then
    say "5. Every GIL on one core (gil_cpu --cpus 1)"
    "$BIN/gil_cpu" "${quick[@]}" --gil old,new,none --processes 0 --cpus 1 \
        --data "$DATA_DIR/03-gil-cpu-1core.tsv"
fi

if [ ${#interpreters[@]} -gt 0 ] && ! command -v python3 >/dev/null; then
    echo "(python3 is not installed: side_by_side.py, which runs the others, needs it)"
    interpreters=()
fi
if [ ${#interpreters[@]} -gt 0 ]; then
    say "6. The same experiments in every real interpreter found"
    if [ "$MODE" = quick ]; then
        cpu=(cpu --workers 1,2,4 --processes 1,2 --work 4000000 --repeat 3)
        switches=(switches --threads 2 --intervals 1ms,5ms --duration 300ms --repeat 1)
        convoy=(convoy --intervals 0.5ms,5ms --ops 20)
        turn=(--repeat 2)
        place=(--rounds 2 --work 2000000)
    else
        cpu=(cpu --workers 1,2,4,8,16 --processes 1,2,4 --work 20000000 --repeat 5)
        switches=(switches --threads 2,3,4 --repeat 3)
        convoy=(convoy)
        turn=(--repeat 20)
        place=(--rounds 12)
    fi
    i=0
    for python in "${interpreters[@]}"; do
        echo "-- CPython $("$python" "$here/gil_cpython.py" about) ($python)"
        cpus_1=(--workers 1,2,4 --processes 0)
        both "03-cpython-cpu-$i" "$python" "$here/gil_cpython.py" "${cpu[@]}"
        cpus_1=(--intervals 5ms)
        both "03-cpython-switches-$i" "$python" "$here/gil_cpython.py" "${switches[@]}"
        both "03-cpython-convoy-$i" "$python" "$here/gil_cpython.py" "${convoy[@]}"
        "$python" "$here/gil_cpython.py" ticks --data "$scratch/03-cpython-ticks-$i.tsv"
        "$python" "$here/gil_cpython.py" turn "${turn[@]}" --data "$scratch/03-cpython-turn-$i.tsv"
        "$python" "$here/gil_cpython.py" place "${place[@]}" --data "$scratch/03-cpython-place-$i.tsv"
        i=$((i + 1))
    done
    # One file per experiment, every interpreter's rows in it (and the rows
    # for all cores and for one core): the graphs and the chapter compare
    # interpreters row by row, and each run's provenance is kept.
    for experiment in cpu switches convoy ticks turn place; do
        merge "03-cpython-$experiment"
    done

    with=()
    for python in "${interpreters[@]}"; do with+=(--interpreter "$python"); done
    say "6b. How fast each core runs a turn, in every interpreter and in the simulation (side_by_side.py cores)"
    rounds=(--rounds 10)
    [ "$MODE" = quick ] && rounds=(--rounds 2)
    python3 "$here/side_by_side.py" cores --simulation "$BIN" "${with[@]}" "${rounds[@]}" \
        --data "$DATA_DIR/03-cores.tsv"

    say "7. Each simulated GIL beside its interpreter, round after round (side_by_side.py fidelity)"
    rounds=(--rounds 7)
    [ "$MODE" = quick ] && rounds=(--rounds 1 --work 2000000 --repeat 1 --duration 300ms --ops 10)
    python3 "$here/side_by_side.py" fidelity --simulation "$BIN" "${with[@]}" "${rounds[@]}" \
        --data "$DATA_DIR/03-fidelity.tsv" --rounds-data "$DATA_DIR/03-fidelity-rounds.tsv"

    # gil_of PYTHON: the GIL the interpreter reports (old, new, none).
    gil_of() { "$1" "$here/gil_cpython.py" about | cut -d' ' -f2; }

    # Why the convoy waits one interval or two: every interpreter with the new GIL.
    new_gil=()
    for python in "${interpreters[@]}"; do
        [ "$(gil_of "$python")" = new ] || continue
        new_gil+=(--interpreter "$python")
    done
    if [ ${#new_gil[@]} -gt 0 ]; then
        say "7a. How long the I/O thread holds the GIL between its calls, traced (side_by_side.py hold)"
        rounds=(--rounds 10)
        [ "$MODE" = quick ] && rounds=(--rounds 1 --ops 10)
        python3 "$here/side_by_side.py" hold --simulation "$BIN" "${new_gil[@]}" "${rounds[@]}" \
            --data "$DATA_DIR/03-convoy-hold.tsv"
        # The kernel's record of the one-core slices needs perf and the right
        # to read the scheduler's tracepoints (root, or perf_event_paranoid -1).
        if command -v perf >/dev/null &&
            perf record -q -o "$scratch/probe.data" -e sched:sched_switch -- true >/dev/null 2>&1; then
            say "7e. The new GIL's slice on one core, in the kernel's record (side_by_side.py sched)"
            rounds=(--rounds 10)
            [ "$MODE" = quick ] && rounds=(--rounds 1 --duration 300ms)
            python3 "$here/side_by_side.py" sched --simulation "$BIN" "${new_gil[@]}" "${rounds[@]}" \
                --data "$DATA_DIR/03-new-gil-sched.tsv"
        else
            echo "(no perf, or no right to read sched:sched_switch: the one-core slices' record, side_by_side.py sched, is left out)"
        fi
    fi

    # The old GIL on every core, run by run, beside the first interpreter with it.
    for python in "${interpreters[@]}"; do
        [ "$(gil_of "$python")" = old ] || continue
        if [ ${#one_core[@]} -gt 0 ]; then
            say "7b. The old GIL's race on $(nproc) cores, run by run (side_by_side.py race)"
            race=(--runs 16)
            [ "$MODE" = quick ] && race=(--runs 2 --duration 100ms)
            python3 "$here/side_by_side.py" race --simulation "$BIN" --interpreter "$python" \
                "${race[@]}" --data "$DATA_DIR/03-old-gil-race.tsv"
            say "7c. What a thread pays on winning the old GIL from another, traced (side_by_side.py arrival)"
            arrival=(--rounds 10)
            [ "$MODE" = quick ] && arrival=(--rounds 1 --duration 50ms)
            python3 "$here/side_by_side.py" arrival --simulation "$BIN" --interpreter "$python" \
                "${arrival[@]}" --data "$DATA_DIR/03-old-gil-arrival.tsv"
            if [ "$MODE" = measure ]; then
                say "7d. The same fidelity with the simulation's own unit, for comparison (--own-unit)"
                python3 "$here/side_by_side.py" fidelity --simulation "$BIN" --interpreter "$python" \
                    --cpus "$(nproc)" --rounds 5 --own-unit --data "$DATA_DIR/03-fidelity-own-unit.tsv"
            fi
        fi
        break
    done

    if [ -x "$folder/python3.13" ] && [ -x "$folder/python3.13t" ]; then
        say "8. What the GIL buys one thread: python3.13 beside python3.13t, same source and flags"
        single=(--rounds 5)
        [ "$MODE" = quick ] && single=(--rounds 2 --work 2000000 --repeat 1)
        python3 "$here/side_by_side.py" single --simulation "$BIN" "${single[@]}" \
            --gil-build "$folder/python3.13" --free-threaded "$folder/python3.13t" \
            --data "$DATA_DIR/03-cpython-single-thread.tsv"
    else
        echo "(no python3.13 and python3.13t in $folder: make interpreters builds the pair)"
    fi
fi

say "Graphs"
for graph in 03-gil-cpu 03-gil-calls 03-gil-timeline 03-gil-switches 03-convoy 03-old-vs-new; do
    draw_graph "$graph"
done
# Only where an interpreter with the old GIL ran the race (step 7b).
[ ! -f "$DATA_DIR/03-old-gil-race.tsv" ] || draw_graph 03-old-gil-race
# Only where an interpreter with the old GIL was traced (step 7c).
[ ! -f "$DATA_DIR/03-old-gil-arrival.tsv" ] || draw_graph 03-old-gil-arrival
# Only where an interpreter ran beside the simulation's unit (step 6b).
[ ! -f "$DATA_DIR/03-cores.tsv" ] || draw_graph 03-cores
# Only where an interpreter with the new GIL was traced (step 7a).
[ ! -f "$DATA_DIR/03-convoy-hold.tsv" ] || draw_graph 03-convoy-hold
# Only where perf recorded the new GIL's one-core slices (step 7e).
[ ! -f "$DATA_DIR/03-new-gil-sched.tsv" ] || draw_graph 03-new-gil-sched
