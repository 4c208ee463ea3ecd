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

say "This machine beside the reference: speed-up over serial"
compare_with_reference 04-scaling workload,mode,gil,workers speedup

say "Graphs"
for graph in 04-io-threads 04-cpu 04-io-processes 04-speedup; do
    draw_graph "$graph"
done
