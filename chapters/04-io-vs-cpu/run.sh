#!/usr/bin/env bash
# Chapter 4: what `make chapter4` (quick) and `make measure-chapter4`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)
repeat=()
[ "$MODE" = measure ] && repeat=(--repeat 5)

say "I/O-bound and CPU-bound tasks: serial, threads (GIL and none), processes (scaling)"
"$BIN/scaling" "${quick[@]}" "${repeat[@]}" --data "$DATA_DIR/04-scaling.tsv"

if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    say "The file workload again, its files in memory (tmpfs, /dev/shm)"
    TMPDIR=/dev/shm "$BIN/scaling" "${quick[@]}" "${repeat[@]}" --workloads file --gil new \
        --data "$DATA_DIR/04-file-tmpfs.tsv"
fi

say "Where the file workload waits: one task's loop alone, three ways (rewrite)"
dirs=(--dir "${TMPDIR:-/tmp}")
[ -d /dev/shm ] && [ -w /dev/shm ] && dirs+=(--dir /dev/shm)
"$BIN/rewrite" "${quick[@]}" "${repeat[@]}" "${dirs[@]}" --data "$DATA_DIR/04-rewrite.tsv"

say "Many waits in one thread: sleeps and API calls in one event loop (event_loop)"
"$BIN/event_loop" "${quick[@]}" --data "$DATA_DIR/04-event-loop.tsv"

say "This machine beside the reference: speed-up over serial"
compare_with_reference 04-scaling workload,mode,gil,workers speedup

# The same batches in every real CPython 3 found (chapter 3's find_pythons.sh;
# io_cpu_python.py needs 3.8 or later), against the same local server.
# WORKBOOK_SANITIZER (make asan/tsan) skips them.
find_python3s concurrent.futures
[ "$MODE" != quick ] || rm -f "$DATA_DIR"/04-python-*.tsv
if [ ${#pythons[@]} -gt 0 ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    companion=chapters/04-io-vs-cpu/io_cpu_python.py
    calls=(--duration 500ms)
    [ "$MODE" = quick ] && calls=(--duration 200ms)
    i=0
    for python in "${pythons[@]}"; do
        say "The batches in CPython $("$python" chapters/03-simulated-gil/gil_cpython.py about) ($python): ThreadPoolExecutor, ProcessPoolExecutor"
        "$python" "$companion" scaling "${quick[@]}" "${repeat[@]}" --server "$BIN/api_server" \
            --data "$scratch/scaling-$i.tsv"
        say "Calls in a fixed time: N threads, then N processes of a multiprocessing.Pool ($python)"
        "$python" "$companion" calls "${calls[@]}" --data "$scratch/calls-$i.tsv"
        i=$((i + 1))
    done
    merge_tsv "$DATA_DIR/04-python-scaling.tsv" "$scratch"/scaling-*.tsv
    merge_tsv "$DATA_DIR/04-python-calls.tsv" "$scratch"/calls-*.tsv
    say "The sum of the task times against the wall time, results as they come (${pythons[0]})"
    "${pythons[0]}" "$companion" display
fi

say "Graphs"
for graph in 04-io-threads 04-cpu 04-io-processes 04-speedup; do
    draw_graph "$graph"
done
if [ ${#pythons[@]} -gt 0 ]; then
    for graph in 04-python-io 04-python-cpu 04-python-calls; do
        draw_graph "$graph"
    done
fi
