#!/usr/bin/env bats
# Chapter 5's Python lessons (pool_lessons.py), each shown by a run: output
# shape and invariants only, never timing. The errors are the interpreter's
# own (a pickling error for a lambda and a closure, the bootstrapping
# RuntimeError without the __main__ guard), every number handed over arrives
# once, the default worker counts are the documented formulas, chunks of a
# process pool run on one worker each, bad arguments exit 2.

load lib/helpers
load lib/python

# python_shm: what Python's multiprocessing has in /dev/shm now: shared_memory
# blocks (psm_*) and semaphores (sem.mp-*); other programs' objects (an MPI
# run's, say) are not ours to count.
python_shm() {
    find /dev/shm -maxdepth 1 \( -name 'psm_*' -o -name 'sem.mp-*' \) 2>/dev/null | sort
}

LESSONS=chapters/05-pools/pool_lessons.py

setup() {
    command -v python3 >/dev/null || skip "python3 is not installed (CI installs it)"
    py=$(command -v python3)
}

# lessons_hold: every lesson's shape and invariants under $py.
lessons_hold() {
    local data=$BATS_TEST_TMPDIR/lesson.tsv methods
    run "$py" "$LESSONS" pickling
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # Threads run all three; a process pool runs the function and returns the
    # pickling errors for the other two (their class and message as raised).
    [ "$(grep -c 'threads  *returned' <<<"$output")" -eq 3 ] || { echo "$output"; return 1; }
    grep -Eq 'module-level function +processes +returned 42' <<<"$output"
    grep -Eq "a lambda +processes +failed: _?pickle\.PicklingError: .*[Pp]ickle.*lambda" <<<"$output" || { echo "$output"; return 1; }
    # (3.11 and 3.12 say "Can't pickle local object", 3.13 "Can't get local object".)
    grep -Eq "a closure +processes +failed: .*(AttributeError|PicklingError): Can't (pickle|get) local object '.*triple'" <<<"$output" || { echo "$output"; return 1; }

    run "$py" "$LESSONS" guard --timeout 60
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    methods=$("$py" -c 'import multiprocessing as m; print(" ".join(x for x in ("fork", "spawn", "forkserver") if x in m.get_all_start_methods()))')
    for method in $methods; do
        section=$(awk -v m="$method" '/^-- start method / { on = ($4 == m ":") } on' <<<"$output")
        if [ "$method" = fork ]; then        # no import again: it runs
            grep -q 'exit status 0' <<<"$section" && grep -q 'squares: \[0, 1, 4, 9, 16\]' <<<"$section" ||
                { echo "fork: $section"; return 1; }
        else                                 # the child runs the top level again and stops
            grep -q 'exit status 1' <<<"$section" &&
                grep -q 'RuntimeError: An attempt has been made to start a new process before' <<<"$section" &&
                [ "$(grep -c '^   top level of the script' <<<"$section")" -ge 2 ] ||
                { echo "$method: $section"; return 1; }
        fi
    done

    run "$py" "$LESSONS" starmap
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -q 'Pool.starmap(pow, pairs) *\[8, 9, 100\]' <<<"$output"
    grep -q 'Pool.map(pow, pairs) *TypeError' <<<"$output"
    grep -q 'executor.map(pow, bases, exps) *\[8, 9, 100\]' <<<"$output"

    run "$py" "$LESSONS" defaults
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # The formulas of the documentation, with the cores the interpreter counts
    # (process_cpu_count from 3.13 on, cpu_count before).
    cores=$("$py" -c 'import os; print((getattr(os, "process_cpu_count", None) or os.cpu_count)())')
    threads=$((cores + 4 < 32 ? cores + 4 : 32))
    grep -Eq "ThreadPoolExecutor\(\) +max_workers $threads\$" <<<"$output" || { echo "$output"; return 1; }
    grep -Eq "ProcessPoolExecutor\(\) +max_workers $cores\$" <<<"$output"
    grep -Eq "multiprocessing.Pool\(\) +processes $cores\$" <<<"$output"

    run "$py" "$LESSONS" chunks --tasks 12 --workers 3 --chunksize 4
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    # Processes: the runs of one worker are whole chunks, 0-3, 4-7, 8-11 (two
    # chunks in a row on one worker join into one run).
    runs=$(grep '^  processes' <<<"$output" | sed 's/.*: //')
    for r in $runs; do
        first=${r%-*} last=${r#*-}
        [ $((first % 4)) -eq 0 ] && [ $(((last + 1) % 4)) -eq 0 ] || { echo "processes: $runs"; return 1; }
    done
    grep -q '^  threads ' <<<"$output"

    run "$py" "$LESSONS" start --workers 2 --repeat 1 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    expected="interpreter - 1;"
    for method in $methods; do expected+="process $method 1;pool $method 2;"; done
    [ "$(tsv_column "$data" what | paste -d' ' - <(tsv_column "$data" method) <(tsv_column "$data" workers) | tr '\n' ';')" = "$expected" ]
    paste <(tsv_column "$data" min_ms) <(tsv_column "$data" median_ms) <(tsv_column "$data" max_ms) |
        awk '!(0 < $1 && $1 <= $2 && $2 <= $3) { print "not in order: " $0; bad = 1 } END { exit bad }'
    grep -q '^# default_start_method: ' "$data"

    before=$(python_shm)
    run "$py" "$LESSONS" sharing --workers 3 --items 200 --repeat 2 --data "$data"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(tsv_column "$data" way | tr '\n' ' ')" = "queue manager shm " ]
    # 600 numbers 0..599 arrived by every way: their sum, 179700.
    [ "$(tsv_column "$data" sum | sort -u)" = 179700 ]
    [ "$(grep -c '179700 (all there)' <<<"$output")" -eq 3 ]
    [ "$(python_shm)" = "$before" ] || { echo "left in /dev/shm: $(comm -13 <(echo "$before") <(python_shm))"; return 1; }
}

@test "pool_lessons.py under python3: every lesson shown by a run, the errors the interpreter's own" {
    lessons_hold
}

@test "pool_lessons.py defaults: confined to one core, 3.13's defaults follow, 3.11's do not" {
    command -v taskset >/dev/null || skip "taskset is not installed (util-linux)"
    [ "$(nproc)" -gt 1 ] || skip "one core only: nothing to confine"
    run taskset -c 0 "$py" "$LESSONS" defaults
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "cores this process may use    1 (sched_getaffinity)"
    if "$py" -c 'import os, sys; sys.exit(not hasattr(os, "process_cpu_count"))'; then
        grep -Eq "ProcessPoolExecutor\(\) +max_workers 1\$" <<<"$output"
    else
        grep -Eq "ProcessPoolExecutor\(\) +max_workers $(nproc --all)\$" <<<"$output" ||
            grep -Eq "ProcessPoolExecutor\(\) +max_workers $("$py" -c 'import os; print(os.cpu_count())')\$" <<<"$output"
    fi
}

@test "pool_lessons.py: bad arguments exit 2, naming the argument, with the usage line" {
    run "$py" "$LESSONS" start --workers 0
    assert_usage_error "--workers"
    run "$py" "$LESSONS" sharing --items x
    assert_usage_error "--items"
    run "$py" "$LESSONS" chunks --chunksize -3
    assert_usage_error "--chunksize"
    run "$py" "$LESSONS" guard --timeout 0
    assert_usage_error "--timeout"
    run "$py" "$LESSONS" telepathy
    assert_usage_error "telepathy"
    run "$py" "$LESSONS"
    [ "$status" -eq 2 ]
}

@test "pool_lessons.py under every other Python 3 present (3.13, 3.13t, 3.14t): the same invariants" {
    each_python lessons_hold other_python3 "none but python3 (make interpreters builds 3.13 and 3.13t)"
}
