#!/usr/bin/env bash
# Exercise 8.3 (left behind): an owner killed with SIGKILL leaves its object
# in /dev/shm; the next owner of that name must notice that the object's
# owner is gone, remove it and start, while a live owner's object is still
# refused. Uses a name of its own, removed at the end whatever happens.
. tests/lib/exercise.bash
build chapter08/shm_named
prog=$CHECK_BUILD/chapter08/shm_named
name=/exercise-8-3-$$
pids=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -f "/dev/shm$name"
}
trap cleanup EXIT
[ -d /dev/shm ] || fail "no /dev/shm on this machine: POSIX shared memory lives there"

# wait_created FILE: until the owner has said it created the object (5 s at most).
wait_created() {
    for _ in $(seq 100); do
        grep -q 'owner: created' "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

"$prog" --role owner --name "$name" --for 20s >"$CHECK_TMP/first" 2>&1 &
pids+=($!)
wait_created "$CHECK_TMP/first" || fail "the first owner did not create $name: $(head -n 2 "$CHECK_TMP/first" | tr '\n' ' ')"
kill -9 "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
[ -e "/dev/shm$name" ] || fail "SIGKILL left nothing in /dev/shm: the setup of this check did not work"

if ! "$prog" --role owner --name "$name" --for 0.1s >"$CHECK_TMP/second" 2>&1; then
    fail "a new owner of $name refuses to start after the old one was killed: $(head -n 1 "$CHECK_TMP/second")"
fi
[ ! -e "/dev/shm$name" ] || fail "the new owner left $name behind after a normal end"

"$prog" --role owner --name "$name" --for 5s >"$CHECK_TMP/live" 2>&1 &
pids+=($!)
wait_created "$CHECK_TMP/live" || fail "an owner did not create $name: $(head -n 2 "$CHECK_TMP/live" | tr '\n' ' ')"
if "$prog" --role owner --name "$name" --for 0.1s >"$CHECK_TMP/third" 2>&1; then
    fail "a second owner took $name while its owner was alive: only a dead owner's object may be removed"
fi
"$prog" --role reader --name "$name" >"$CHECK_TMP/reader" 2>&1 ||
    fail "after the refused second owner, a reader no longer finds the live owner's object"
pass "a dead owner's object is noticed and removed at start; a live owner's is still refused"
