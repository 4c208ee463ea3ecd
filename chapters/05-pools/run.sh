#!/usr/bin/env bash
# Chapter 5: what `make chapter5` (quick) and `make measure-chapter5`
# (measure) run. See common/chapter.sh for the two modes. When python3 is
# installed, pool_overhead.py measures concurrent.futures in the same run and
# its rows join overhead.c's in 05-overhead.tsv; pool_lessons.py then shows
# the Python lessons of section 7 under every CPython 3 found.
. common/chapter.sh
chapter_setup "$@"
here=chapters/05-pools
quick=()
[ "$MODE" = quick ] && quick=(--quick)

python=
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    echo "(sanitizer build: the Python companion is skipped)"
elif command -v python3 >/dev/null 2>&1; then
    python=python3
else
    echo "python3 is not installed: the C pools are measured alone, without Python beside them."
fi

say "1. map against submit + as_completed: when is each result usable? (completion_order)"
"$BIN/completion_order" "${quick[@]}" --data "$DATA_DIR/05-order.tsv"

say "2. What a pool costs per task, by chunk size (overhead)"
"$BIN/overhead" "${quick[@]}" --data "$DATA_DIR/05-overhead-c.tsv"
if [ -n "$python" ]; then
    say "2b. The same in Python's concurrent.futures ($($python --version 2>&1))"
    if [ "$MODE" = quick ]; then
        $python $here/pool_overhead.py --tasks 2000 --repeat 3 --data "$DATA_DIR/05-overhead-py.tsv"
    else
        $python $here/pool_overhead.py --data "$DATA_DIR/05-overhead-py.tsv"
    fi
    merge_tsv "$DATA_DIR/05-overhead.tsv" "$DATA_DIR/05-overhead-c.tsv" "$DATA_DIR/05-overhead-py.tsv"
    echo
    echo "Per task, Python / C, measured in this one run:"
    awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        { us[$c["pool"] " " $c["method"] " " $c["chunk_size"]] = $c["per_task_us"] }
        END {
            n = split("map 1,submit 1,map 10,map 100", runs, ",")
            for (r = 1; r <= n; r++)
                for (k = 1; k <= 2; k++) {
                    kind = k == 1 ? "threads" : "processes"
                    py = us["py-" kind " " runs[r]]; cc = us["c-" kind " " runs[r]]
                    if (py != "" && cc > 0)
                        printf "  %-10s %-9s  Python %9.3f us   C %7.3f us   %6.1fx\n", runs[r], kind, py, cc, py / cc
                }
        }' "$DATA_DIR/05-overhead.tsv"
else
    cp "$DATA_DIR/05-overhead-c.tsv" "$DATA_DIR/05-overhead.tsv"
fi

say "3. Errors: stop at the first failure"
"$BIN/pool_errors" --fail 3
say "3b. Errors: record each failure and go on"
"$BIN/pool_errors" --fail 3,7 --policy continue
say "3c. A worker process killed (SIGKILL) in the middle of input 4"
"$BIN/pool_errors" --pool processes --crash 4 --policy continue

# The Python lessons (pool_lessons.py), each shown by a run, under every
# real CPython 3 found (chapter 3's find_pythons.sh; 3.8 or later).
pythons=()
[ -z "$python" ] || find_python3s concurrent.futures
[ "$MODE" != quick ] || rm -f "$DATA_DIR"/05-python-*.tsv
if [ ${#pythons[@]} -gt 0 ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    lessons=$here/pool_lessons.py
    start=(--repeat 5) sharing=(--repeat 3)
    [ "$MODE" = quick ] && start=(--repeat 1) sharing=(--repeat 1 --items 1000)
    i=0
    for python in "${pythons[@]}"; do
        say "7. The Python lessons in CPython $("$python" chapters/03-simulated-gil/gil_cpython.py about) ($python)"
        for lesson in pickling guard starmap defaults chunks; do
            echo "-- $lesson"
            "$python" "$lessons" "$lesson"
        done
        if command -v taskset >/dev/null; then
            echo "-- defaults, confined to one core (taskset -c 0)"
            taskset -c 0 "$python" "$lessons" defaults
        fi
        echo "-- start: fork, spawn, forkserver"
        "$python" "$lessons" start "${start[@]}" --data "$scratch/start-$i.tsv"
        echo "-- sharing: Queue, Manager, shared_memory"
        "$python" "$lessons" sharing "${sharing[@]}" --data "$scratch/sharing-$i.tsv"
        i=$((i + 1))
    done
    merge_tsv "$DATA_DIR/05-python-start.tsv" "$scratch"/start-*.tsv
    merge_tsv "$DATA_DIR/05-python-sharing.tsv" "$scratch"/sharing-*.tsv
fi

say "Graphs"
for graph in 05-completion-order 05-overhead; do
    draw_graph "$graph"
done
if [ ${#pythons[@]} -gt 0 ]; then
    draw_graph 05-python-start
fi
