#!/usr/bin/env bash
# Exercise 1.3 (the copy made real): the forked child writes one byte into
# every page of the parent's memory, so the copy-on-write copies happen.
# Checked by counting the children's minor page faults (the kernel's count,
# getrusage RUSAGE_CHILDREN, which adds up every descendant that was waited
# for): with 64 MiB touched, one fork whose child writes every 4 KiB page
# faults about 16,384 times; a child that writes nothing, a few dozen.
. tests/lib/exercise.bash
build chapter01/creation_cost
prog=$CHECK_BUILD/chapter01/creation_cost
command -v python3 >/dev/null || fail "python3 is needed to read the children's page faults"

# faults METHOD: minor faults of creation_cost and all its children, for
# 64 MiB of 4 KiB pages and --repeat 3.
faults() {
    python3 - "$prog" "$1" <<'PY'
import resource, subprocess, sys
prog, method = sys.argv[1], sys.argv[2]
done = subprocess.run([prog, "--methods", method, "--sizes", "64", "--repeat", "3", "--pages", "small"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if done.returncode != 0:
    sys.exit("creation_cost failed: " + done.stderr.strip())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt)
PY
}
fork=$(faults fork) || fail "creation_cost --methods fork --sizes 64 fails"
thread=$(faults thread) || fail "creation_cost --methods thread --sizes 64 fails"
pages=$((64 * 1024 * 1024 / 4096))
# The thread run is the baseline: the parent touching its 64 MiB, no child.
# At --repeat 3 there are at least 3 forks (6 with the alone runs), each
# child copying every page: at least 3 x 90% of the pages beyond it.
extra=$((fork - thread))
[ "$extra" -ge $((3 * pages * 9 / 10)) ] ||
    fail "the forked children faulted $extra times beyond the parent's own $thread: at least $((3 * pages * 9 / 10)) (3 forks x 90% of $pages pages) if each child writes every page"
pass "the children faulted $extra times beyond the parent's $thread: about one fault per page per fork ($pages pages)"
