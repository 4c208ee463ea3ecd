#!/usr/bin/env bats
# Chapter 11: beyond one machine, MPI. Results equal the serial ones, bad
# arguments exit 2, a rank that dies ends the job, nothing is left after
# SIGINT, two hosts in network namespaces. No timing.

load lib/helpers

HERE=chapters/11-beyond-one-machine
RUN=$HERE/mpi_run.sh
HOSTS=$HERE/two_hosts.sh
PINGPONG=$BUILD/chapter11/pingpong
LOCAL=$BUILD/chapter11/pingpong_local
STATIC=$BUILD/chapter11/map_static
DYNAMIC=$BUILD/chapter11/map_dynamic
MATRIX=$BUILD/chapter11/matrix_bcast
DELAY_LINE=$BUILD/chapter11/link_delay
PYTHON=/usr/bin/python3
export LINK_DELAY=$DELAY_LINE     # two_hosts.sh's delay line, from this build

# checksum: the checksum the last `run` printed ("results: ... checksum X").
checksum() {
    sed -n 's/^results: all [0-9]* equal to the serial run.s, checksum \([0-9a-f]*\)$/\1/p' <<<"$output"
}

# Open MPI's shared-memory segments in /dev/shm, one name a line.
mpi_segments() {
    find /dev/shm -maxdepth 1 \( -name 'vader_segment.*' -o -name 'sm_segment.*' \) -printf '%f\n' 2>/dev/null | sort
}

# gone PID...: every PID has ended (or is a zombie waiting for init) within 10 s.
gone() {
    local pid state
    for _ in $(seq 100); do
        local alive=0
        for pid in "$@"; do
            state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
            [ -z "$state" ] || [ "$state" = Z ] || alive=1
        done
        [ "$alive" -eq 0 ] && return 0
        sleep 0.1
    done
    echo "still running: $*" >&2
    return 1
}

@test "pingpong: every size goes round, through shared memory and TCP, with the columns the graphs read" {
    for transport in shm tcp; do
        data=$BATS_TEST_TMPDIR/pp-$transport.tsv
        run "$RUN" --transport "$transport" -- "$PINGPONG" --sizes 8,4096,1048576 --repeat 2 --max-trips 20 \
            --label "mpi-$transport" --data "$data"
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'transport\tbytes\trepeats\ttrips\tmedian_us\tmin_us\tmax_us\tmedian_gbs\tmin_gbs\tmax_gbs')" ]
        [ "$(tsv_column "$data" bytes | tr '\n' ' ')" = "8 4096 1048576 " ]
        grep -q "^# btl: self,$([ "$transport" = shm ] && echo vader || echo tcp)$" "$data"
        grep -q '^# mpi: Open MPI' "$data"
        # min <= median <= max, every row.
        paste <(tsv_column "$data" min_us) <(tsv_column "$data" median_us) <(tsv_column "$data" max_us) |
            awk '$1 > $2 || $2 > $3 { bad = 1 } END { exit bad }'
    done
}

@test "pingpong needs exactly two ranks, and says so" {
    run "$RUN" --np 3 -- "$PINGPONG" --sizes 8 --repeat 1
    [ "$status" -ne 0 ]
    assert_contains "needs exactly 2 ranks"
}

@test "pingpong_local: the pipe and shared memory ping-pongs, with pingpong's columns" {
    data=$BATS_TEST_TMPDIR/local.tsv
    run "$LOCAL" --sizes 8,65536 --repeat 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" transport | tr '\n' ' ')" = "pipe pipe shm shm " ]
    mpi=$BATS_TEST_TMPDIR/mpi.tsv
    "$RUN" -- "$PINGPONG" --sizes 8 --repeat 1 --max-trips 5 --data "$mpi" >/dev/null
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(grep -v '^#' "$mpi" | head -n 1)" ]
}

@test "map_static: the same results on 1 to 4 ranks as the serial run, and as map_dynamic's" {
    for n in 1 2 3 4; do
        data=$BATS_TEST_TMPDIR/static-$n.tsv
        run "$RUN" --np "$n" -- "$STATIC" --tasks 1001 --work 5 --prep-work 1 --repeat 1 --data "$data"
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        sums+=("$(checksum)")
        [ "$(tsv_column "$data" ranks)" = "$n" ]
        # The serial fraction is a fraction; Amdahl's speed-up lies between 1 and n.
        tsv_column "$data" fraction | awk '$1 <= 0 || $1 >= 1 { exit 1 }'
        paste <(tsv_column "$data" amdahl) - <<<"$n" | awk '$1 < 1 || $1 > $2 { exit 1 }'
    done
    [ -n "${sums[0]}" ]
    [ "$(printf '%s\n' "${sums[@]}" | sort -u | wc -l)" -eq 1 ]
    # --prep-work 1 makes map_static's inputs map_dynamic's: the same results.
    run "$RUN" --np 3 -- "$DYNAMIC" --tasks 1001 --work 5 --chunks 1,7,1000 --repeat 1
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(checksum)" = "${sums[0]}" ]
    # and a different seed gives different results: the checksum can fail.
    run "$RUN" --np 2 -- "$STATIC" --tasks 1001 --work 5 --prep-work 1 --repeat 1 --seed 2
    [ "$status" -eq 0 ]
    [ "$(checksum)" != "${sums[0]}" ]
}

@test "map_dynamic: every chunk size, shared memory and TCP, the results checked, one message a chunk each way" {
    for transport in shm tcp; do
        data=$BATS_TEST_TMPDIR/dyn-$transport.tsv
        run "$RUN" --np 3 --transport "$transport" -- "$DYNAMIC" --tasks 100 --work 3 --chunks 1,10,100 \
            --repeat 1 --label "$transport" --data "$data"
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
        [ "$(tsv_column "$data" chunk_size | tr '\n' ' ')" = "1 10 100 " ]
        # 100 tasks in chunks of c: 100/c chunks out and back, and a stop to each of 2 workers.
        [ "$(tsv_column "$data" messages | tr '\n' ' ')" = "202 22 4 " ]
    done
}

@test "a rank that dies is reported, and the job ends with a failure, not a hang" {
    run --separate-stderr timeout 60 "$RUN" --np 3 -- "$DYNAMIC" --tasks 1000 --chunks 1 --crash-at 10
    [ "$status" -ne 0 ] && [ "$status" -ne 124 ] || { echo "status $status: $stderr"; return 1; }
    [[ "$stderr" == *"exited on signal 9"* ]] || { echo "$stderr"; return 1; }
}

@test "mpi_run.sh's time limit ends a job that hangs" {
    # pingpong with one rank waits forever for a partner that is not there?
    # No: it says so. A job of two map_dynamic ranks with many tasks runs
    # longer than the limit: mpirun ends it.
    run --separate-stderr timeout 60 "$RUN" --np 2 --timeout 2 -- "$DYNAMIC" --tasks 10000000 --chunks 1 --repeat 100
    [ "$status" -ne 0 ] && [ "$status" -ne 124 ] || { echo "status $status"; return 1; }
    [[ "$stderr" == *"timeout"* || "$stderr" == *"time limit"* || "$stderr" == *"timed out"* ]] || { echo "$stderr"; return 1; }
}

@test "after SIGINT, mpirun returns and nothing is left: no rank, no Open MPI segment in /dev/shm" {
    before=$(mpi_segments)
    set -m      # a job of its own, where SIGINT is not ignored (as at a terminal)
    env --default-signal=INT "$RUN" --np 3 -- "$DYNAMIC" --tasks 10000000 --chunks 1 --repeat 100 >/dev/null 2>&1 &
    pid=$!
    set +m
    ranks=$(wait_for_children "$pid" 3)
    sleep 0.5
    [ -n "$(comm -13 <(echo "$before") <(mpi_segments))" ]      # the job made its segments
    kill -INT "$pid"
    status=0
    wait_bounded "$pid" 60 || status=$?   # a bound against a hang, not a timing
    [ "$status" -ne 0 ] || { echo "mpirun returned 0 after SIGINT"; return 1; }
    # shellcheck disable=SC2086
    gone $ranks
    [ -z "$(comm -13 <(echo "$before") <(mpi_segments))" ] || { mpi_segments; return 1; }
}

@test "matrix_bcast: per-task and bcast find the serial run's distances, and chapter 8's" {
    data=$BATS_TEST_TMPDIR/matrix.tsv
    run "$RUN" --np 3 -- "$MATRIX" --sizes 60,400 --pairs 40 --per-task 3 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    rows=$(paste -d' ' <(tsv_column "$data" method) <(tsv_column "$data" size) <(tsv_column "$data" reached))
    [ "$(awk '{ print $1, $2 }' <<<"$rows" | tr '\n' ';')" = "serial 60;per-task 60;bcast 60;serial 400;per-task 400;bcast 400;" ]
    # Every way reaches as many pairs as the serial run (the distances themselves are checked in the program).
    [ "$(awk '{ print $2, $3 }' <<<"$rows" | sort -u | wc -l)" -eq 2 ]
    # The same graph and pairs as chapter 8's shared_matrix: the same count.
    ch8=$BATS_TEST_TMPDIR/ch8.tsv
    "$BUILD/chapter08/shared_matrix" --sizes 400 --pairs 40 --per-task 3 --methods serial --repeat 1 --data "$ch8" >/dev/null
    [ "$(tsv_column "$ch8" reached)" = "$(awk '$1 == "serial" && $2 == 400 { print $3 }' <<<"$rows")" ]
    # per-task sends the matrix with each of the 14 tasks; bcast once to each of 2 workers (7 times less).
    mib() { paste <(tsv_column "$data" method) <(tsv_column "$data" size) <(tsv_column "$data" mib_sent) | awk -v m="$1" '$1 == m && $2 == 400 { print $3 }'; }
    awk -v p="$(mib per-task)" -v b="$(mib bcast)" 'BEGIN { exit !(b > 0 && p > 4 * b) }'
}

@test "the MPI programs reject bad arguments with status 2, without an MPI job" {
    run "$PINGPONG" --sizes 0
    assert_usage_error "--sizes"
    run "$PINGPONG" --max-trips 2
    assert_usage_error "--max-trips"
    run "$STATIC" --tasks 10
    assert_usage_error "--tasks"
    run "$STATIC" --work x
    assert_usage_error "--work"
    run "$DYNAMIC" --chunks 1,0
    assert_usage_error "--chunks"
    run "$DYNAMIC" --crash-at -1
    assert_usage_error "--crash-at"
    run "$MATRIX" --methods pipe
    assert_usage_error "--methods"
    run "$MATRIX" --sizes 5
    assert_usage_error "--sizes"
    run "$LOCAL" --transports tcp
    assert_usage_error "--transports"
    run "$DELAY_LINE" --ns-a a --ns-b b --dev-a x --dev-b y --delay 5
    assert_usage_error "--delay"
    run "$DELAY_LINE" --ns-a a --ns-b b --dev-a x
    assert_usage_error "--dev-b"
    run "$DELAY_LINE" --ns-a a --ns-b b --dev-a a-name-far-too-long --dev-b y
    assert_usage_error "--dev-a"
}

@test "mpi_run.sh and two_hosts.sh answer --help with status 0, and reject bad arguments with status 2" {
    run "$RUN" --help
    [ "$status" -eq 0 ] && [[ "$output" == "mpi_run.sh - "* ]] || { echo "$output"; return 1; }
    run "$HOSTS" --help
    [ "$status" -eq 0 ] && [[ "$output" == "two_hosts.sh - "* ]] || { echo "$output"; return 1; }
    for args in "--np 0 -- true" "--np x -- true" "--transport udp -- true" "--timeout 0 -- true" \
                "--bogus -- true" "--np 2"; do
        # shellcheck disable=SC2086
        run "$RUN" $args
        assert_usage_error "usage: mpi_run.sh" || { echo "($args)"; return 1; }
    done
    for args in "--delay 5 -- true" "--delay fast -- true" "--np 0 -- true" "--bogus -- true" ""; do
        # shellcheck disable=SC2086
        run "$HOSTS" $args
        assert_usage_error "usage: two_hosts.sh" || { echo "($args)"; return 1; }
    done
}

# The reason two hosts cannot be made here, or nothing.
hosts_reason() {
    "$HOSTS" --check >/dev/null 2>"$BATS_TEST_TMPDIR/reason" && return 0
    cat "$BATS_TEST_TMPDIR/reason"
    return 1
}

# The namespaces and veth/TUN devices of two_hosts.sh that exist now.
hosts_left() {
    { ip netns list 2>/dev/null | awk '$1 ~ /^wb11-/ { print $1 }'; ip -o link 2>/dev/null | awk -F': ' '$2 ~ /^wb11/ { print $2 }'; } | sort
}

@test "two hosts: network namespaces joined by a veth pair, an MPI job across them, nothing left after" {
    hosts_reason >/dev/null || skip "two hosts cannot be made here: $(hosts_reason)"
    before=$(hosts_left)
    data=$BATS_TEST_TMPDIR/hosts.tsv
    run "$HOSTS" -- "$PINGPONG" --sizes 8,65536 --repeat 1 --max-trips 10 --label two-hosts --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "joined by a veth pair"
    grep -q '^# btl: self,tcp$' "$data"
    [ "$(tsv_column "$data" transport | sort -u)" = two-hosts ]
    # The results cross the cable too.
    run "$HOSTS" -- "$DYNAMIC" --tasks 1001 --work 5 --chunks 7 --repeat 1
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    local_run=$("$RUN" -- "$DYNAMIC" --tasks 1001 --work 5 --chunks 7 --repeat 1 | sed -n 's/.*checksum //p')
    [ "$(checksum)" = "$local_run" ]
    [ "$(hosts_left)" = "$before" ] || { hosts_left; return 1; }
    # A job that fails leaves nothing either.
    run "$HOSTS" -- "$DYNAMIC" --tasks 1000 --chunks 1 --crash-at 10
    [ "$status" -ne 0 ]
    [ "$(hosts_left)" = "$before" ] || { hosts_left; return 1; }
}

@test "two hosts: after SIGINT no namespace, no veth, no rank is left" {
    hosts_reason >/dev/null || skip "two hosts cannot be made here: $(hosts_reason)"
    before=$(hosts_left)
    set -m
    # env: SIGINT as at a terminal even where the suite was started with it
    # ignored (a shell cannot trap a signal ignored when it started)
    env --default-signal=INT "$HOSTS" -- "$DYNAMIC" --tasks 10000000 --chunks 1 --repeat 100 >/dev/null 2>&1 &
    pid=$!
    set +m
    for _ in $(seq 100); do
        [ -n "$(ip netns pids "wb11-$pid-b" 2>/dev/null | head -n 1)" ] && break
        sleep 0.1
    done
    sleep 1
    ranks=$( (ip netns pids "wb11-$pid-a"; ip netns pids "wb11-$pid-b") 2>/dev/null | tr '\n' ' ')
    [ -n "$ranks" ]
    kill -INT "$pid"
    status=0
    wait_bounded "$pid" 60 || status=$?   # a bound against a hang, not a timing
    [ "$status" -eq 130 ] || { echo "status $status"; return 1; }
    # shellcheck disable=SC2086
    gone $ranks
    [ "$(hosts_left)" = "$before" ] || { hosts_left; return 1; }
}

@test "two hosts with a delay on the cable: netem, or where the kernel has none the TUN delay line" {
    hosts_reason >/dev/null || skip "two hosts cannot be made here: $(hosts_reason)"
    run "$HOSTS" --check --delay 1ms
    if [ "$status" -ne 0 ]; then
        skip "no delay can be put on the cable here: $output"
    fi
    [[ "$output" == *"netem delay 1ms"* || "$output" == *"link_delay, delay 1ms"* ]] || { echo "$output"; return 1; }
    before=$(hosts_left)
    data=$BATS_TEST_TMPDIR/delay.tsv
    fast=$BATS_TEST_TMPDIR/fast.tsv
    run "$HOSTS" --delay 10ms -- "$PINGPONG" --sizes 8 --repeat 1 --max-trips 5 --label delay --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    run "$HOSTS" -- "$PINGPONG" --sizes 8 --repeat 1 --max-trips 5 --label veth --data "$fast"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # Not a timing claim but the delay itself: a 10 ms cable cannot carry a
    # message in less than 10 ms, whatever the machine.
    tsv_column "$data" min_us | awk '$1 < 10000 { exit 1 }'
    [ "$(hosts_left)" = "$before" ] || { hosts_left; return 1; }
}

@test "the mpi4py companions: ping-pong rows in pingpong's columns, and the map's results equal C's" {
    "$PYTHON" -c 'import mpi4py' 2>/dev/null || skip "Debian's python3 has no mpi4py (python3-mpi4py)"
    data=$BATS_TEST_TMPDIR/py.tsv
    run "$RUN" -- "$PYTHON" "$HERE/pingpong.py" --sizes 8,4096 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" transport | tr '\n' ' ')" = "py-buffer-shm py-buffer-shm py-pickle-shm py-pickle-shm " ]
    mpi=$BATS_TEST_TMPDIR/mpi.tsv
    "$RUN" -- "$PINGPONG" --sizes 8 --repeat 1 --max-trips 5 --data "$mpi" >/dev/null
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(grep -v '^#' "$mpi" | head -n 1)" ]
    run "$RUN" --np 3 -- "$PYTHON" "$HERE/map_dynamic.py" --tasks 301 --work 5 --chunks 1,10 --repeat 1
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    py=$(checksum)
    run "$RUN" --np 2 -- "$DYNAMIC" --tasks 301 --work 5 --chunks 10 --repeat 1
    [ -n "$py" ] && [ "$(checksum)" = "$py" ]
}

@test "the Python companions reject bad arguments with status 2" {
    "$PYTHON" -c 'import mpi4py' 2>/dev/null || skip "Debian's python3 has no mpi4py (python3-mpi4py)"
    run "$PYTHON" "$HERE/pingpong.py" --sizes 0
    [ "$status" -eq 2 ]
    run "$PYTHON" "$HERE/map_dynamic.py" --chunks x
    [ "$status" -eq 2 ]
    run "$PYTHON" "$HERE/map_dynamic.py" --tasks 0
    [ "$status" -eq 2 ]
}
