#!/usr/bin/env bash
# run.sh - run every bats suite in tests/ (what `make test` runs).
#
# bats prints TAP; this script keeps a copy in $BUILD/test-results.tap and
# ends with one line "N passed, N failed" (", N skipped" when some were).
# Exit status 1 when a test failed or when no test ran at all.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
results=$BUILD/test-results.tap
mkdir -p "$BUILD"

status=0
bats --formatter tap tests/*.bats | tee "$results" || status=$?

passed=$(grep '^ok ' "$results" | grep -vc ' # skip' || true)
skipped=$(grep '^ok ' "$results" | grep -c ' # skip' || true)
failed=$(grep -c '^not ok ' "$results" || true)
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary="$summary, $skipped skipped"
echo "$summary"

if [ $((passed + failed + skipped)) -eq 0 ]; then
    echo "no test ran" >&2
    exit 1
fi
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
