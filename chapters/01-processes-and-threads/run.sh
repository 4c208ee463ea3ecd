#!/usr/bin/env bash
# Chapter 1: what `make chapter1` (quick) and `make measure-chapter1`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"

say "Memory: a forked child has a copy, a thread shares (isolation)"
"$BIN/isolation"

say "Creation cost against the parent's memory (creation_cost)"
if [ "$MODE" = quick ]; then
    "$BIN/creation_cost" --quick --data "$DATA_DIR/01-creation-cost.tsv"
else
    "$BIN/creation_cost" --sizes 0,64,256,1024 --repeat 21 --data "$DATA_DIR/01-creation-cost.tsv"
fi
draw_graph 01-creation-cost

say "Median creation time (µs), the reference beside this machine"
compare_with_reference 01-creation-cost method,rss_mib median_us
