#!/usr/bin/env bash
# Chapter 6: what `make chapter6` (quick) and `make measure-chapter6`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)

say "1. End-of-file: only when every write end is closed (pipe_eof)"
"$BIN/pipe_eof"
"$BIN/pipe_eof" --leak child --timeout 500ms

say "2. a | b | c, built by hand (pipeline)"
"$BIN/pipeline" 'seq 1 100000' 'grep 7' 'wc -l'

say "3. Capacity, a blocked writer, no reader (pipe_limits)"
"$BIN/pipe_limits"

say "4. Atomic writes up to PIPE_BUF, torn records above it (pipe_atomic)"
"$BIN/pipe_atomic" --record 512,4096,65536,1048576 --records 100 --data "$DATA_DIR/06-pipe-atomic.tsv"
"$BIN/pipe_atomic" --writers 2 --record 4096 --records 10 --force-tear

say "5. Throughput against write size, one core and two, beside memcpy (pipe_throughput)"
"$BIN/pipe_throughput" "${quick[@]}" --data "$DATA_DIR/06-pipe-throughput.tsv"
compare_with_reference 06-pipe-throughput write_bytes,placement median_mib_s

say "5b. The same on one core without the reader's check: what summing every byte costs"
"$BIN/pipe_throughput" "${quick[@]}" --placement one-core --no-check \
    --data "$DATA_DIR/06-pipe-throughput-nocheck.tsv"

say "Graphs"
draw_graph 06-pipe-throughput
