#!/usr/bin/env bash
# exercise.sh - the course kit's exercise checkers.
#
#   tests/lib/exercise.sh check 1.2     (what `make check-exercise EX=1.2` runs)
#   tests/lib/exercise.sh list          every checkable exercise, one per line
#
# The checker of Exercise N.M is chapters/NN-*/checks/N.M.sh. It runs from
# the top of the reader's working tree and checks behaviour, never speed:
# it builds what it needs into a scratch folder ($CHECK_BUILD, under
# $CHECK_TMP), never writes into the tree, and says why it passes or fails
# with the `pass` and `fail` of tests/lib/exercise.bash. This script removes
# the scratch folder whatever happens and ends with one line:
#
#   Exercise 1.2: pass - a vfork row, and the child was made by vfork
#   Exercise 1.2: fail - creation_cost does not know the method 'vfork'
#
# Exit status: 0 pass, 1 fail, 2 unknown exercise (or bad usage).
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
    echo "usage: tests/lib/exercise.sh check N.M | list" >&2
    exit 2
}

# The checker of exercise $1, or nothing.
checker_of() {
    local id=$1 number
    [[ "$id" =~ ^[0-9]+\.[0-9]+$ ]] || return 0
    number=$(printf '%02d' "${id%%.*}")
    for file in chapters/"$number"-*/checks/"$id".sh; do
        [ -f "$file" ] && echo "$file"
    done
    return 0
}

list() {
    for file in chapters/[0-9][0-9]-*/checks/*.sh; do
        [ -f "$file" ] && basename "$file" .sh
    done | sort -t. -k1,1n -k2,2n
}

check() {
    local id=$1 checker status verdict
    checker=$(checker_of "$id")
    if [ -z "$checker" ]; then
        echo "Exercise $id: unknown - no checker chapters/NN-*/checks/$id.sh (tests/lib/exercise.sh list shows them)" >&2
        exit 2
    fi
    CHECK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/exercise-$id.XXXXXX")
    trap 'rm -rf "$CHECK_TMP"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    export CHECK_TMP CHECK_BUILD=$CHECK_TMP/build CHECK_VERDICT=$CHECK_TMP/verdict
    status=0
    bash "$checker" || status=$?
    verdict=$(cat "$CHECK_VERDICT" 2>/dev/null || true)
    case "$status" in
        0) echo "Exercise $id: pass - ${verdict:-the checker passed}" ;;
        *) echo "Exercise $id: fail - ${verdict:-the checker stopped with status $status before saying why}"
           status=1 ;;
    esac
    exit "$status"
}

case "${1:-}" in
    check) [ $# -eq 2 ] || usage; check "$2" ;;
    list) [ $# -eq 1 ] || usage; list ;;
    *) usage ;;
esac
