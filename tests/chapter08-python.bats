#!/usr/bin/env bats
# Chapter 8's Python companion (matrix_python.py): the matrix demo in real
# CPython. Output shape and invariants only, never timing: every way and size
# measured, every way's distances equal to serial (the companion stops
# otherwise), the MiB sent only by the pickled way and growing with the
# tasks, the distances those of a breadth-first search, nothing left in
# /dev/shm (also after Ctrl-C), bad arguments rejected with status 2.

load lib/helpers
load lib/python

MATRIX=chapters/08-shared-memory/matrix_python.py

setup() {
    command -v python3 >/dev/null || skip "python3 is not installed (CI installs it)"
    py=$(command -v python3)
}

# psm_blocks: the shared_memory blocks Python has in /dev/shm now (psm_*).
psm_blocks() {
    find /dev/shm -maxdepth 1 -name 'psm_*' 2>/dev/null | sort
}

matrix_holds() {
    local about label gil data=$BATS_TEST_TMPDIR/matrix.tsv before
    about=$(reported)
    label=${about% *} gil=${about#* }
    before=$(psm_blocks)
    run "$py" "$MATRIX" --sizes 40,80 --pairs 12 --per-task 4 --workers 2 --repeat 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(grep -v '^#' "$data" | head -n 1)" = "$(printf 'method\tm\tinterpreter\tgil\tworkers\tpairs\ttasks\trepeats\tmedian_s\tmin_s\tmax_s\tmib_sent\treachable')" ]
    expected=""
    for m in 40 80; do
        for method in serial pickled shm threads; do expected+="$method $m $label $gil 2 12 3 2;"; done
    done
    [ "$(rows "$data" method m interpreter gil workers pairs tasks repeats)" = "$expected" ] ||
        { echo "rows: $(rows "$data" method m interpreter gil workers pairs tasks repeats)"; return 1; }
    # Only the pickled way sends the matrix: M*M bytes for each of the 3 tasks.
    rows "$data" method m mib_sent | tr ';' '\n' | awk 'NF {
        want = $1 == "pickled" ? sprintf("%.3f", $2 * $2 * 3 / 1048576) : "0.000"
        if ($3 != want) { print $1 " " $2 ": " $3 " MiB sent, not " want; bad = 1 } } END { exit bad }'
    # Every way of one size found the same number of pairs within reach.
    [ "$(rows "$data" m reachable | tr ';' '\n' | sort -u | awk 'NF' | cut -d' ' -f1 | uniq -d)" = "" ]
    paste <(tsv_column "$data" min_s) <(tsv_column "$data" median_s) <(tsv_column "$data" max_s) |
        awk '!($1 <= $2 && $2 <= $3) { print "not in order: " $0; bad = 1 } END { exit bad }'
    for key in pairs pairs_per_task workers fraction_per_mille hops start_method python command; do
        grep -q "^# $key: ." "$data" || { echo "no '# $key:' line"; return 1; }
    done
    [ "$(psm_blocks)" = "$before" ] || { echo "left in /dev/shm: $(psm_blocks)"; return 1; }
}

@test "matrix_python.py under python3: every way and size, the same distances, rows as the interpreter reports itself" {
    matrix_holds
}

@test "matrix_python.py: the distances are those of a breadth-first search over the same matrix" {
    run "$py" - <<'EOF'
import sys
from collections import deque
sys.path.insert(0, "chapters/08-shared-memory")
import matrix_python as mp
for m, per_mille in ((30, 50), (64, 20), (100, 30)):
    a = mp.make_matrix(m, per_mille, 7)
    for i in range(m):
        hops = {i: 0}
        todo = deque([i])
        while todo:
            u = todo.popleft()
            for v in range(m):
                if a[u * m + v] and v not in hops:
                    hops[v] = hops[u] + 1
                    todo.append(v)
        for j in range(m):
            want = hops.get(j, -1)
            want = want if want <= 4 else -1
            got = mp.distance(a, m, i, j, 4)
            if got != want:
                sys.exit("m=%d %d->%d: %d, breadth-first search says %d" % (m, i, j, got, want))
print("ok")
EOF
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$output" = ok ]
}

@test "matrix_python.py: Ctrl-C in the middle of the shared-memory way leaves nothing in /dev/shm" {
    before=$(psm_blocks)
    "$py" "$MATRIX" --sizes 1000 --pairs 2000 --per-task 100 --methods shm --repeat 1 >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 400); do [ "$(psm_blocks)" != "$before" ] && break; sleep 0.05; done
    [ "$(psm_blocks)" != "$before" ] || { kill "$pid"; echo "the block never appeared"; return 1; }
    kill -INT "$pid"
    wait "$pid" || true
    for _ in $(seq 100); do [ "$(psm_blocks)" = "$before" ] && break; sleep 0.05; done
    [ "$(psm_blocks)" = "$before" ] || { echo "left in /dev/shm: $(psm_blocks)"; return 1; }
}

@test "matrix_python.py: bad arguments exit 2, naming the argument, with the usage line" {
    run "$py" "$MATRIX" --sizes 8
    assert_usage_error "--sizes"
    run "$py" "$MATRIX" --methods serial,pipe
    assert_usage_error "pipe"
    run "$py" "$MATRIX" --fraction 0
    assert_usage_error "--fraction"
    run "$py" "$MATRIX" --hops 65
    assert_usage_error "--hops"
    run "$py" "$MATRIX" --workers 2,3
    assert_usage_error "--workers"
    run "$py" "$MATRIX" --repeat 0
    assert_usage_error "--repeat"
    run "$py" "$MATRIX" extra
    assert_usage_error "extra"
}

@test "matrix_python.py under every other Python 3 present (3.13, 3.13t, 3.14t): the same invariants" {
    each_python matrix_holds other_python3 "none but python3 (make interpreters builds 3.13 and 3.13t)"
}
