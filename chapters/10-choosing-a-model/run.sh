#!/usr/bin/env bash
# Chapter 10: what `make chapter10` (quick) and `make measure-chapter10`
# (measure) run. See common/chapter.sh for the two modes.
. common/chapter.sh
chapter_setup "$@"
quick=()
[ "$MODE" = quick ] && quick=(--quick)

say "1. The case study: synthetic users five ways (case_study; the sixth, the event loop, in 1b)"
"$BIN/case_study" "${quick[@]}" --methods serial,threads,process-per-user,process-pool,hybrid \
    --data "$DATA_DIR/10-case-study.tsv"

say "1b. The event loop: thousands of calls in one thread, beside the pools (case_study)"
# The CPU step a tenth of the case study's, so that the waiting dominates;
# process-per-user only up to 500 users (5,000 processes are chapter 1's point).
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    # A sanitizer build runs the code paths, not the scale: every step costs
    # it many times over (ThreadSanitizer most).
    loop_args=(--users 100 --repeat 1 --latency 5ms --sd 2ms)
    per_user_args=(--users 100 --repeat 1 --latency 5ms --sd 2ms)
elif [ "$MODE" = quick ]; then
    loop_args=(--users "100,1000" --repeat 1 --latency 5ms --sd 2ms)
    per_user_args=(--users 100 --repeat 1 --latency 5ms --sd 2ms)
else
    loop_args=(--users "100,500,5000")
    per_user_args=(--users "100,500")
fi
"$BIN/case_study" "${loop_args[@]}" --cpu 200001 --methods threads,process-pool,event-loop,event-loop-pool \
    --gil none --data "$DATA_DIR/10-event-loop-c.tsv"
"$BIN/case_study" "${per_user_args[@]}" --cpu 200001 --methods process-per-user \
    --data "$DATA_DIR/10-event-loop-per-user.tsv"
merge_tsv "$DATA_DIR/10-event-loop.tsv" "$DATA_DIR/10-event-loop-c.tsv" "$DATA_DIR/10-event-loop-per-user.tsv"
rm -f "$DATA_DIR/10-event-loop-c.tsv" "$DATA_DIR/10-event-loop-per-user.tsv"

say "1c. Where the loop breaks: the whole CPU step in the loop, or handed to processes (case_study)"
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    "$BIN/case_study" --users 20 --repeat 1 --latency 5ms --sd 2ms --methods event-loop,event-loop-pool \
        --data "$DATA_DIR/10-event-loop-cpu.tsv"
elif [ "$MODE" = quick ]; then
    "$BIN/case_study" --users 100 --repeat 1 --latency 5ms --sd 2ms --methods event-loop,event-loop-pool \
        --data "$DATA_DIR/10-event-loop-cpu.tsv"
else
    "$BIN/case_study" --users 500 --methods event-loop,event-loop-pool --data "$DATA_DIR/10-event-loop-cpu.tsv"
fi

say "1d. The same in CPython: asyncio beside ThreadPoolExecutor (case_study_asyncio.py)"
# Under python3, and the free-threaded 3.13t where `make interpreters` put it.
pythons=()
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    echo "(sanitizer build: the Python companion is skipped)"
elif command -v python3 >/dev/null 2>&1; then
    pythons=(python3)
    free=${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}/bin/python3.13t
    if [ -x "$free" ]; then
        pythons+=("$free")
    else
        echo "(no $free: \`make interpreters\` installs it; python3 only)"
    fi
else
    echo "python3 is not installed: the asyncio companion is skipped."
fi
py_files=()
for py in "${pythons[@]}"; do
    file=$DATA_DIR/10-asyncio-${#py_files[@]}.tsv
    echo "($($py --version 2>&1), $py)"
    if [ "$MODE" = quick ]; then
        $py chapters/10-choosing-a-model/case_study_asyncio.py --case-study "$BIN/case_study" --quick --data "$file"
    else
        $py chapters/10-choosing-a-model/case_study_asyncio.py --case-study "$BIN/case_study" --data "$file"
    fi
    py_files+=("$file")
done
if [ "${#py_files[@]}" -gt 0 ]; then
    merge_tsv "$DATA_DIR/10-asyncio.tsv" "${py_files[@]}"
    rm -f "${py_files[@]}"
fi

say "2. Pitfalls: tasks too small, arguments too big (pitfalls)"
"$BIN/pitfalls" "${quick[@]}" --data "$DATA_DIR/10-pitfalls.tsv"

say "3. Pitfall: OpenMP threads inside a pool of processes (oversubscription)"
# Twice: as built (gcc links GNU's OpenMP runtime, libgomp), then built by
# clang, which links LLVM's (libomp), into a folder of its own beside BIN.
# Each data file names the runtime it ran with (# openmp_runtime).
libomp_build=$(dirname "$BIN")/libomp
if [ "${WORKBOOK_SANITIZER:-}" = tsan ]; then
    # The OpenMP runtime is not built for ThreadSanitizer: it would report
    # its own internals. The program is checked in the other builds.
    echo "(ThreadSanitizer build: the OpenMP pitfall is skipped)"
else
    "$BIN/oversubscription" "${quick[@]}" --data "$DATA_DIR/10-oversubscription.tsv"
    if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
        echo "(sanitizer build: the clang/libomp run is left to the plain builds)"
    elif echo 'int main(void) { return 0; }' | clang -fopenmp -x c - -o /dev/null 2>/dev/null; then
        echo "(the same program built by clang, in $libomp_build)"
        make --no-print-directory BUILD="$libomp_build" CC=clang "$libomp_build/chapter10/oversubscription" >/dev/null
        "$libomp_build/chapter10/oversubscription" "${quick[@]}" --data "$DATA_DIR/10-oversubscription-libomp.tsv"
    else
        echo "(no clang with OpenMP here, so no libomp run: apt-get install clang libomp-dev)"
    fi
fi

say "Graphs"
draw_graph 10-case-study
draw_graph 10-event-loop
draw_graph 10-pitfalls
if [ -f "$DATA_DIR/10-oversubscription.tsv" ]; then    # not in a ThreadSanitizer build
    draw_graph 10-oversubscription
fi
