#!/usr/bin/env bash
# grade.sh - run the exercise checkers over a whole class's working trees.
#
#   tests/lib/grade.sh [--exercises 1.2,1.4] [--details FILE] TREE...
#   make grade TREES="submissions/*" [EXERCISES=1.2,1.4]
#
# Each TREE is one student's copy of the workbook. It is copied to a scratch
# folder, this workbook's own checkers and kit scripts (chapters/*/checks/,
# tests/lib/) are laid over the copy, so that a student's edited checker
# grades nothing, and every exercise is checked there: the student's tree is
# never written. Prints one row per tree (a column per exercise: pass, fail,
# or "-" when the tree has no such chapter) and how many passed; every
# checker's verdict line goes to --details (default: grade-details.txt in
# the current folder). Exit status 0 when every tree was graded, 2 on bad
# usage.
set -euo pipefail
kit=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
    echo "usage: tests/lib/grade.sh [--exercises LIST] [--details FILE] TREE..." >&2
    exit 2
}

exercises=$("$kit/tests/lib/exercise.sh" list | paste -sd, -)
details=grade-details.txt
while [ $# -gt 0 ]; do
    case "$1" in
        --exercises) [ $# -ge 2 ] || usage; exercises=$2; shift 2 ;;
        --details) [ $# -ge 2 ] || usage; details=$2; shift 2 ;;
        --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "grade.sh: unknown option '$1'" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "grade.sh: no tree to grade" >&2; usage; }
IFS=, read -r -a ids <<<"$exercises"
for id in "${ids[@]}"; do
    "$kit/tests/lib/exercise.sh" list | grep -qx "$id" || { echo "grade.sh: --exercises: no checker for '$id'" >&2; usage; }
done
for tree in "$@"; do
    [ -d "$tree/chapters" ] || { echo "grade.sh: '$tree' is not a workbook tree (no chapters/)" >&2; usage; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/grade.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
: >"$details"
checks=()
for dir in "$kit"/chapters/*/checks; do checks+=("${dir#"$kit"/}"); done

printf '%-24s' tree
printf ' %5s' "${ids[@]}"
printf '  passed\n'
for tree in "$@"; do
    copy=$scratch/tree
    rm -rf "$copy"
    mkdir -p "$copy"
    tar -C "$tree" --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$copy" -xf -
    # This workbook's kit over the student's copy.
    tar -C "$kit" -cf - tests/lib "${checks[@]}" | tar -C "$copy" -xf -
    printf '%-24s' "$(basename "$tree")"
    passed=0
    for id in "${ids[@]}"; do
        number=$(printf '%02d' "${id%%.*}")
        if ! ls -d "$copy"/chapters/"$number"-* >/dev/null 2>&1; then
            printf ' %5s' -
            continue
        fi
        if verdict=$("$copy/tests/lib/exercise.sh" check "$id" 2>/dev/null | tail -n 1); then
            printf ' %5s' pass
            passed=$((passed + 1))
        else
            printf ' %5s' fail
        fi
        printf '%s\t%s\n' "$tree" "$verdict" >>"$details"
    done
    printf '  %d/%d\n' "$passed" "${#ids[@]}"
done
echo "(every verdict, with its reason: $details)"
