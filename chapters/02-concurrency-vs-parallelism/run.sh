#!/usr/bin/env bash
# Chapter 2: what `make chapter2` (quick) and `make measure-chapter2`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)
cores=$(nproc)

say "Wall time, CPU time and parallelism: one core, then all $cores cores (parallelism)"
"$BIN/parallelism" "${quick[@]}" --data "$DATA_DIR/02-parallelism.tsv"

say "Who runs when: 4 threads for 60 ms on one core, then on all cores"
"$BIN/parallelism" --threads 4 --cpus 1 --duration 60ms --timeline "$DATA_DIR/02-activity-1core.tsv"
"$BIN/parallelism" --threads 4 --cpus "$cores" --duration 60ms --timeline "$DATA_DIR/02-activity-allcores.tsv"

say "Graphs"
draw_graph 02-parallelism
draw_graph 02-activity

say "Median wall time (s), the reference beside this machine"
compare_with_reference 02-parallelism threads,cpus median_wall_s
