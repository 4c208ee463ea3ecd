#!/usr/bin/env bash
# Chapter 11: what `make chapter11` (quick) and `make measure-chapter11`
# (measure) run. See common/chapter.sh for the two modes. Every MPI job is
# launched by mpi_run.sh (mpirun with the chapter's settings); the two-host
# runs by two_hosts.sh (two network namespaces, as root). The Python
# companions run when Debian's python3 has mpi4py (python3-mpi4py).
. common/chapter.sh
chapter_setup "$@"
here=chapters/11-beyond-one-machine
quick=()
[ "$MODE" = quick ] && quick=(--quick)
mpi() { "$here/mpi_run.sh" "$@"; }
# Each run writes a part; the parts of one graph are merged into one data
# file in $DATA_DIR (merge_tsv), and the parts removed.
part_dir=$(mktemp -d)
trap 'rm -rf "$part_dir"' EXIT

# What this machine can do, said once, up front.
python=
if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
    echo "(sanitizer build: the Python companions and the two-host runs are skipped)"
    # Open MPI itself is not built with the sanitizer: its own allocations
    # that it never frees are not this chapter's leaks.
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
elif /usr/bin/python3 -c 'import mpi4py' 2>/dev/null; then
    python=/usr/bin/python3
else
    echo "Debian's python3 has no mpi4py (apt-get install python3-mpi4py): the C programs run alone."
fi
two_hosts=
if [ -z "${WORKBOOK_SANITIZER:-}" ]; then
    if reason=$("$here/two_hosts.sh" --check 2>&1); then
        two_hosts=yes
    else
        echo "Two hosts cannot be made here, so everything runs on one host: $reason"
    fi
fi
delays=(0ms 0.1ms 1ms 10ms) delay_tasks=200 delay_repeat=3
[ "$MODE" = quick ] && delays=(1ms) delay_tasks=100 delay_repeat=1
delayed=''
if [ -n "$two_hosts" ]; then
    if delayed=$("$here/two_hosts.sh" --check --delay 1ms 2>&1); then
        delayed=${delayed#*joined by }
    else
        echo "No delay on the cable: $delayed"
        delayed=''
    fi
fi
# with_link FILE DELAY: the cable a two-host run went over, in its provenance.
with_link() {
    local link
    link=$("$here/two_hosts.sh" --check ${2:+--delay "$2"})
    sed -i "1i # link: ${link#*joined by }" "$1"
}
mpirun --version | head -n 1

say "1. What a message costs: ping-pong through Open MPI's shared memory and TCP, a pipe, shared memory by hand"
parts=()
mpi --transport shm -- "$BIN/pingpong" "${quick[@]}" --label mpi-shm --data "$part_dir/pingpong-shm.tsv"
mpi --transport tcp -- "$BIN/pingpong" "${quick[@]}" --label mpi-tcp --data "$part_dir/pingpong-tcp.tsv"
parts+=("$part_dir/pingpong-tcp.tsv")
"$BIN/pingpong_local" "${quick[@]}" --data "$part_dir/pingpong-local.tsv"
parts+=("$part_dir/pingpong-local.tsv")
if [ -n "$two_hosts" ]; then
    say "1b. The same between two hosts (network namespaces joined by a veth pair)"
    "$here/two_hosts.sh" -- "$BIN/pingpong" "${quick[@]}" --label two-hosts --data "$part_dir/pingpong-hosts.tsv"
    with_link "$part_dir/pingpong-hosts.tsv"
    parts+=("$part_dir/pingpong-hosts.tsv")
fi
if [ -n "$delayed" ]; then
    for delay in "${delays[@]}"; do
        "$here/two_hosts.sh" --delay "$delay" -- "$BIN/pingpong" --sizes 8,65536,1048576 --max-trips 40 --repeat "$delay_repeat" \
            --label "delay-$delay" --data "$part_dir/pingpong-delay-$delay.tsv"
        with_link "$part_dir/pingpong-delay-$delay.tsv" "$delay"
        parts+=("$part_dir/pingpong-delay-$delay.tsv")
    done
fi
if [ -n "$python" ]; then
    say "1c. The same from Python, mpi4py $($python -c 'import mpi4py; print(mpi4py.__version__)')"
    mpi --transport shm -- "$python" "$here/pingpong.py" "${quick[@]}" --label shm --data "$part_dir/pingpong-py.tsv"
    parts+=("$part_dir/pingpong-py.tsv")
fi
merge_tsv "$DATA_DIR/11-pingpong.tsv" "$part_dir/pingpong-shm.tsv" "${parts[@]}"

say "2. The map split evenly (MPI_Scatter/MPI_Gather): speed-up against ranks, and Amdahl's law"
parts=()
for n in 1 2 3 4; do
    mpi --np "$n" -- "$BIN/map_static" "${quick[@]}" --data "$part_dir/amdahl-$n.tsv"
    [ "$n" -gt 1 ] && parts+=("$part_dir/amdahl-$n.tsv")
done
merge_tsv "$DATA_DIR/11-amdahl.tsv" "$part_dir/amdahl-1.tsv" "${parts[@]}"

say "3. The map handed out in chunks by a manager (MPI_Send/MPI_Recv): chapter 5's chunk sweep"
parts=()
mpi --transport shm -- "$BIN/map_dynamic" "${quick[@]}" --label shm --data "$part_dir/chunks-shm.tsv"
mpi --transport tcp -- "$BIN/map_dynamic" "${quick[@]}" --label tcp --data "$part_dir/chunks-tcp.tsv"
parts+=("$part_dir/chunks-tcp.tsv")
if [ -n "$two_hosts" ]; then
    "$here/two_hosts.sh" -- "$BIN/map_dynamic" "${quick[@]}" --label two-hosts --data "$part_dir/chunks-hosts.tsv"
    with_link "$part_dir/chunks-hosts.tsv"
    parts+=("$part_dir/chunks-hosts.tsv")
fi
if [ -n "$delayed" ]; then
    say "3b. Between two hosts with a delay on the cable: $delayed"
    for delay in "${delays[@]}"; do
        # Few tasks: with a round trip of milliseconds, chunk size 1 is slow by design.
        "$here/two_hosts.sh" --delay "$delay" -- "$BIN/map_dynamic" --tasks "$delay_tasks" \
            --repeat "$delay_repeat" --chunks 1,10,100,1000 --label "delay-$delay" \
            --data "$part_dir/chunks-delay-$delay.tsv"
        with_link "$part_dir/chunks-delay-$delay.tsv" "$delay"
        parts+=("$part_dir/chunks-delay-$delay.tsv")
    done
fi
if [ -n "$python" ]; then
    say "3c. The same from Python (mpi4py, pickled chunks)"
    mpi --transport shm -- "$python" "$here/map_dynamic.py" "${quick[@]}" --label shm --data "$part_dir/chunks-py.tsv"
    parts+=("$part_dir/chunks-py.tsv")
fi
merge_tsv "$DATA_DIR/11-chunks.tsv" "$part_dir/chunks-shm.tsv" "${parts[@]}"

say "4. Chapter 8's matrix across ranks: sent with every task, or broadcast once (MPI_Bcast)"
parts=()
# Two pairs a task (chapter 8 had eight): more tasks, more copies of the matrix.
mpi --transport shm -- "$BIN/matrix_bcast" "${quick[@]}" --per-task 2 --label shm --data "$part_dir/matrix-shm.tsv"
if [ -n "$two_hosts" ]; then
    "$here/two_hosts.sh" -- "$BIN/matrix_bcast" "${quick[@]}" --per-task 2 --label two-hosts --data "$part_dir/matrix-hosts.tsv"
    with_link "$part_dir/matrix-hosts.tsv"
    parts+=("$part_dir/matrix-hosts.tsv")
else
    mpi --transport tcp -- "$BIN/matrix_bcast" "${quick[@]}" --per-task 2 --label tcp --data "$part_dir/matrix-tcp.tsv"
    parts+=("$part_dir/matrix-tcp.tsv")
fi
merge_tsv "$DATA_DIR/11-matrix.tsv" "$part_dir/matrix-shm.tsv" "${parts[@]}"

say "5. A rank that dies: mpirun reports it and ends the job"
status=0
mpi --np 3 -- "$BIN/map_dynamic" --quick --crash-at 100 >/dev/null 2>"$part_dir/crash.log" || status=$?
grep -m 1 'exited on signal' "$part_dir/crash.log" || cat "$part_dir/crash.log"
echo "mpirun's status: $status (the job ended, no rank left waiting)"

say "Graphs"
graphs=(11-pingpong 11-bandwidth 11-amdahl 11-chunks 11-matrix)
[ -n "$delayed" ] && graphs+=(11-delay)
for graph in "${graphs[@]}"; do
    draw_graph "$graph"
done
compare_with_reference 11-pingpong transport,bytes median_us
